import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type AdminAgent, type Harness, type HttpResult, type SignedClient } from '../../testutil/harness.ts';

// The edge, probed as an attacker would from outside: strings PostgreSQL cannot store (NUL, lone UTF-16
// surrogates) in every body field, path parameter and query parameter of every route; broken multipart,
// URLs, request lines and headers. Each must be a 4xx application/problem+json with a stable code — never a
// 500, never Fastify's own error format.
let h: Harness;
let admin: AdminAgent;
let client: SignedClient;
beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin();
  client = await h.client();
});
afterAll(() => h?.close());

const BAD = [
  { name: 'NUL', value: 'a\u0000b', inUrl: 'a%00b' },
  // a lone surrogate cannot be written as UTF-8; in a URL the closest is its (invalid) CESU-8 encoding
  { name: 'lone surrogate', value: 'x\ud800', inUrl: 'x%ED%A0%80' },
];

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; const?: unknown; enum?: unknown[] };

/** A body shaped like the schema with every string (and every free-form object's value) set to `bad`. */
function poison(schema: Schema | undefined, bad: string): unknown {
  if (!schema) return { k: bad };
  if (schema.anyOf) return poison(schema.anyOf.find((s) => s.type === 'object' || s.type === 'string') ?? schema.anyOf[0], bad);
  switch (schema.type) {
    case 'object':
      if (!schema.properties || !Object.keys(schema.properties).length) return { k: bad, [bad]: 'v' };
      // plus one more string, for bodies made only of numbers and flags
      return { ...Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, poison(s, bad)])), note: bad };
    case 'array':
      return [poison(schema.items, bad)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return bad;
  }
}

function send(method: string, path: string, body?: unknown, raw?: string): Promise<HttpResult> {
  if (path.startsWith('/v1/admin/') && !path.startsWith('/v1/admin/logout')) {
    const text = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    return http(h.url + path, { method, headers: { ...admin.headers, ...(text ? { 'content-type': 'application/json' } : {}) }, body: text });
  }
  if (path.startsWith('/v1/grants') || path.startsWith('/v1/products')) {
    return client.request(method, path, body, { idempotencyKey: idem(), ...(raw ? { raw } : {}) });
  }
  const text = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  return http(h.url + path, { method, headers: text ? { 'content-type': 'application/json' } : {}, body: text });
}

function expectProblem(res: HttpResult, what: string) {
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  expect(typeof res.body?.code, what).toBe('string');
}

describe('strings PostgreSQL cannot store', () => {
  it('are refused on every route, in body, path parameters and query, as 400 invalid_characters', async () => {
    const routes = h.app.routeList.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'));
    expect(routes.length).toBeGreaterThan(25);
    const failures: string[] = [];
    for (const r of routes) {
      for (const bad of BAD) {
        const path = r.url.replace(/:[a-z_]+/g, bad.inUrl).replace('*', bad.inUrl);
        const query = Object.keys((r.schema?.querystring as Schema | undefined)?.properties ?? { q: {} })
          .map((k) => `${k}=${bad.inUrl}`)
          .join('&');
        const cleanPath = r.url.replace(/:[a-z_]+/g, 'x_1');
        const probes: [string, () => Promise<HttpResult>][] = [[`query ${query}`, () => send(r.method, `${cleanPath}?${query}`)]];
        if (path !== r.url) probes.push(['path', () => send(r.method, path)]);
        if (r.method !== 'GET' && r.method !== 'DELETE') probes.push(['body', () => send(r.method, cleanPath, poison(r.schema?.body as Schema, bad.value))]);
        for (const [where, probe] of probes) {
          const res = await probe();
          const what = `${r.method} ${r.url} ${bad.name} in ${where} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 200)}`;
          // an invalid UTF-8 sequence in the path cannot even be decoded: bad_url; everything else is the
          // one code for strings we refuse to store
          const codes = where === 'path' && bad.name === 'lone surrogate' ? ['bad_url'] : ['invalid_characters'];
          const ok =
            res.status === 400 &&
            /^application\/problem\+json/.test(res.headers.get('content-type') ?? '') &&
            codes.includes(res.body?.code);
          if (!ok) failures.push(what);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('in a valid grant request, in metadata, in a cursor and in a login email: 400, nothing stored', async () => {
    const product = await h.product();
    await h.stock(product.id, 2);
    const ext = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'a\u0000b' } }, { idempotencyKey: idem() });
    expect(ext.status).toBe(400);
    expect(ext.body.code).toBe('invalid_characters');
    expect(ext.body.errors[0].field).toBe('recipient.external_id');
    const raw = `{"product":"${product.sku}","recipient":{"external_id":"m1"},"metadata":{"k":"\\ud800"}}`;
    const meta = await client.request('POST', '/v1/grants', undefined, { idempotencyKey: idem(), raw });
    expect(meta.status).toBe(400);
    expect(meta.body.code).toBe('invalid_characters');
    expect(meta.body.errors[0].field).toBe('metadata.k');
    const cursor = await client.request('GET', '/v1/grants?cursor=%00');
    expectProblem(cursor, 'cursor');
    expect(cursor.body.code).toBe('invalid_characters');
    const login = await http(`${h.url}/v1/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a\u0000@example.com', password: 'whatever password' }),
    });
    expectProblem(login, 'login');
    expect(login.body.code).toBe('invalid_characters');
    const count = await h.ctx.db.selectFrom('grants').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });
});

/** Raw bytes over a socket, for what fetch refuses to send; answers the status line, headers and body. */
function rawRequest(bytes: string | Buffer): Promise<{ status: number; head: string; body: string }> {
  const { port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += d.toString('latin1')));
    sock.on('error', reject);
    sock.on('close', () => {
      const [head, body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head, body });
    });
    sock.write(bytes);
    sock.setTimeout(5000, () => sock.destroy());
  });
}

function expectRawProblem(res: { status: number; head: string; body: string }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.head).toMatch(/content-type: application\/problem\+json/i);
  const body = JSON.parse(res.body.match(/\{.*\}/s)?.[0] ?? 'null');
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
}

describe('broken requests', () => {
  it('multipart without a boundary: 400 problem+json', async () => {
    const res = await http(`${h.url}/v1/admin/imports`, {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'multipart/form-data' },
      body: '--x\r\ncontent-disposition: form-data; name="product"\r\n\r\nA\r\n--x--\r\n',
    });
    expectProblem(res, 'multipart');
    expect(res.body.code).toBe('invalid_multipart');
  });

  it('a multipart field with a NUL: 400 invalid_characters', async () => {
    const form = new FormData();
    form.append('product', 'a\u0000b');
    form.append('file', new Blob(['CODE1----PWD1\n']), 'codes.txt');
    const res = await http(`${h.url}/v1/admin/imports`, { method: 'POST', headers: admin.headers, body: form });
    expectProblem(res, 'multipart field');
    expect(res.body.code).toBe('invalid_characters');
  });

  it('a malformed percent-encoding in the path: 400 bad_url', async () => {
    const res = await rawRequest('GET /v1/grants/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expectRawProblem(res, 400, 'bad_url');
  });

  it('an over-long path parameter: 414 problem+json', async () => {
    const res = await http(`${h.url}/v1/grants/${'a'.repeat(500)}`, { method: 'GET' });
    expectProblem(res, 'long param');
    expect(res.body.code).toBe('path_too_long');
  });

  it('huge headers: 431 problem+json', async () => {
    const res = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`);
    expectRawProblem(res, 431, 'headers_too_large');
  });

  it('a garbage request line: 400 problem+json', async () => {
    const res = await rawRequest('GARBAGE\r\n\r\n');
    expectRawProblem(res, 400, 'bad_request');
  });
});

describe('cross-site admin requests', () => {
  it('every state-changing admin route refuses a foreign Origin or Sec-Fetch-Site: cross-site with 403, body or not', async () => {
    const routes = h.app.routeList.filter((r) => r.url.startsWith('/v1/admin/') && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
    expect(routes.length).toBeGreaterThan(5);
    const agent = await h.admin(); // logout would end the shared session if it got through
    const failures: string[] = [];
    for (const r of routes) {
      const path = r.url.replace(/:[a-z_]+/g, 'x_1');
      for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
        const res = await http(h.url + path, { method: r.method, headers: { ...agent.headers, ...headers } });
        if (res.status !== 403 || res.body?.code !== 'cross_site_request' || !/problem\+json/.test(res.headers.get('content-type') ?? '')) {
          failures.push(`${r.method} ${r.url} ${JSON.stringify(headers)} → ${res.status} ${res.body?.code}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('a body-less void from another site changes nothing; the same request from our own origin works', async () => {
    const product = await h.product();
    await h.stock(product.id, 1);
    const g = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    expect(g.status).toBe(201);
    const evil = await http(`${h.url}/v1/admin/grants/${g.body.id}/void`, { method: 'POST', headers: { ...admin.headers, origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect((await admin.request('GET', `/v1/admin/grants/${g.body.id}`)).body.status).toBe('issued');
    const own = await http(`${h.url}/v1/admin/grants/${g.body.id}/void`, {
      method: 'POST',
      headers: { ...admin.headers, origin: new URL(h.ctx.config.publicUrl).origin, 'sec-fetch-site': 'same-origin' },
    });
    expect(own.status).toBe(200);
  });
});
