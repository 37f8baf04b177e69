import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { consoleRoutes } from './console.ts';
import { installProblemHandlers } from './problem.ts';

// The console as `quanyi serve` delivers it: caching, the SPA fallback, the Content-Security-Policy with a
// fresh nonce per response, and a clear 503 (with the server still up) when the console was never built.
// Runs against a small stand-in build, so it neither needs nor disturbs web/dist.
const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-console-'));
fs.mkdirSync(path.join(dist, 'assets'));
fs.mkdirSync(path.join(dist, '.vite'));
fs.writeFileSync(
  path.join(dist, 'index.html'),
  '<!doctype html><html><head><meta property="csp-nonce" nonce="__CSP_NONCE__"><script type="module" src="/admin/assets/index-abc123.js" nonce="__CSP_NONCE__"></script></head><body><div id="root"></div></body></html>',
);
fs.writeFileSync(path.join(dist, 'assets/index-abc123.js'), 'console.log(1)');
fs.writeFileSync(path.join(dist, '.vite/manifest.json'), '{}');
fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

let h: Harness;
let url: string;
let app: ReturnType<typeof Fastify>;
beforeAll(async () => {
  h = await createHarness();
  app = Fastify({ logger: false });
  installProblemHandlers(app);
  await consoleRoutes(app, { dist });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

const nonceOf = (csp: string) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];

describe('console at /admin', () => {
  it('answers index.html with a fresh nonce, never cached, under a strict CSP', async () => {
    const a = await http(url + '/admin/', { method: 'GET' });
    const b = await http(url + '/admin/', { method: 'GET' });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^text\/html/);
    expect(a.headers.get('cache-control')).toBe('no-cache');
    const csp = a.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const nonce = nonceOf(csp)!;
    expect(nonce.length).toBeGreaterThanOrEqual(24);
    expect(a.body).toContain(`nonce="${nonce}"`);
    expect(a.body).not.toContain('__CSP_NONCE__');
    expect(nonceOf(b.headers.get('content-security-policy')!)).not.toBe(nonce);
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('falls back to index.html for the console’s own routes; /admin redirects to /admin/', async () => {
    for (const p of ['/admin/products', '/admin/stock/batches?x=1', '/admin/index.html']) {
      const r = await http(url + p, { method: 'GET' });
      expect(r.status, p).toBe(200);
      expect(r.body, p).toContain('<div id="root">');
      expect(r.headers.get('cache-control'), p).toBe('no-cache');
    }
    const r = await fetch(url + '/admin?lang=en', { redirect: 'manual' });
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toBe('/admin/?lang=en');
  });

  it('caches hashed assets for a year; a missing asset or a dotfile is a 404, not the page', async () => {
    const js = await http(url + '/admin/assets/index-abc123.js', { method: 'GET' });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('content-security-policy')).toContain("default-src 'self'");
    const other = await http(url + '/admin/favicon.svg', { method: 'GET' });
    expect(other.headers.get('cache-control')).toBe('no-cache');
    const missing = await http(url + '/admin/assets/index-gone.js', { method: 'GET' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    const dot = await http(url + '/admin/.vite/manifest.json', { method: 'GET' });
    expect(dot.body).not.toBe('{}');
    const up = await http(url + '/admin/assets/..%2f..%2fpackage.json', { method: 'GET' });
    expect(up.status).toBe(404);
  });

  it('without a build, the server still runs and /admin says how to build the console (503)', async () => {
    const bare = Fastify({ logger: false });
    installProblemHandlers(bare);
    await consoleRoutes(bare, { dist: path.join(dist, 'missing') });
    bare.get('/health', async () => ({ ok: true }));
    const r = await bare.inject({ method: 'GET', url: '/admin/' });
    expect(r.statusCode).toBe(503);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.json().code).toBe('console_not_built');
    expect(r.json().detail).toContain('npm run -w web build');
    expect((await bare.inject({ method: 'GET', url: '/admin/products' })).statusCode).toBe(503);
    expect((await bare.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await bare.close();
  });

  it('the real app serves the built console at /admin/ beside the API', async () => {
    const r = await http(h.url + '/admin/', { method: 'GET' });
    // web/dist is built by `npm install` (postinstall) and by `npm test` when stale
    expect(r.status).toBe(200);
    expect(r.body).toContain('<div id="root">');
    expect(r.headers.get('x-request-id')).toMatch(/^req_/);
    expect((await http(h.url + '/v1/admin/me', { method: 'GET' })).status).toBe(401);
  });
});
