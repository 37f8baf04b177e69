import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fail } from '../errors.ts';
import { SERVER_ROOT } from '../paths.ts';

// The operator console (web/, a React single-page app built by Vite into web/dist) served at /admin/:
// hashed assets cached for a year, index.html never cached and answered for every other /admin/ path (the
// app's own router takes it from there), and a strict Content-Security-Policy on all of it. Without a
// build, /admin answers 503 saying how to make one; the API runs either way.
export const CONSOLE_DIST = path.resolve(SERVER_ROOT, '../web/dist');
const NONCE_PLACEHOLDER = '__CSP_NONCE__';

declare module 'fastify' {
  interface FastifyRequest {
    /** the Content-Security-Policy nonce of a console response */
    cspNonce: string;
  }
}

/**
 * No inline script and no eval anywhere; styles from our files, plus the <style> tags Ant Design's
 * CSS-in-JS writes, which carry this response's nonce (web/vite.config.ts puts the placeholder in
 * index.html, web/src/App.tsx hands it to antd's ConfigProvider).
 */
export function consoleCsp(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function secureHeaders(reply: FastifyReply, nonce: string) {
  reply.header('content-security-policy', consoleCsp(nonce));
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
}

export async function consoleRoutes(app: FastifyInstance, opts: { dist?: string } = {}) {
  const dist = opts.dist ?? CONSOLE_DIST;
  const indexFile = path.join(dist, 'index.html');
  // read once: a rebuilt console needs a restart, like a changed server
  const index = fs.existsSync(indexFile) ? fs.readFileSync(indexFile, 'utf8') : null;

  await app.register(async (scope) => {
    scope.decorateRequest('cspNonce', '');
    scope.addHook('onRequest', async (req, reply) => {
      req.cspNonce = randomBytes(18).toString('base64');
      secureHeaders(reply, req.cspNonce);
    });

    scope.get('/admin', { schema: { hide: true } }, (req, reply) => reply.redirect('/admin/' + (req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''), 301));

    const sendIndex = (nonce: string, reply: FastifyReply) => {
      if (index === null) throw fail('console_not_built', `The console is not built (no ${indexFile}). Run \`npm run -w web build\` (or \`npm install\`), then restart the server.`);
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index.replaceAll(NONCE_PLACEHOLDER, nonce));
    };

    if (index !== null) {
      // one route per built file (wildcard: false): a path that is not a file falls through to the SPA route
      await scope.register(fastifyStatic, {
        root: dist,
        prefix: '/admin/',
        wildcard: false,
        index: false,
        // index.html is answered below (it needs the nonce); dotfiles (.vite/manifest.json, .built) are not served
        globIgnore: ['index.html'],
        dotfiles: 'deny',
        cacheControl: false,
        setHeaders: (res, file) => {
          // Vite names assets by content hash: a changed file is a new URL, so the old one never changes
          res.header('cache-control', file.startsWith(path.join(dist, 'assets') + path.sep) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
    }

    // the SPA fallback: any other GET under /admin/ is a route of the console's router
    scope.get('/admin/*', { schema: { hide: true } }, (req, reply) => {
      if (/^\/admin\/assets\//.test(req.url)) throw fail('not_found', `No console asset ${req.url.split('?')[0]}.`);
      return sendIndex(req.cspNonce, reply);
    });
    scope.get('/admin/', { schema: { hide: true } }, (req, reply) => sendIndex(req.cspNonce, reply));
    scope.get('/admin/index.html', { schema: { hide: true } }, (req, reply) => sendIndex(req.cspNonce, reply));
  });
}
