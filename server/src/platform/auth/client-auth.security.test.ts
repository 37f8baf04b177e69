import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { sign, signedHeaders, stringToSign } from './signing.ts';

let h: Harness;
let client: SignedClient;
let productSku: string;

beforeAll(async () => {
  h = await createHarness();
  client = await h.client();
  const p = await h.product();
  productSku = p.sku;
  await h.stock(p.id, 5);
});
afterAll(() => h?.close());

const body = () => JSON.stringify({ product: productSku, recipient: { external_id: 'sec' } });

async function post(headers: Record<string, string>, raw = body()) {
  return http(`${h.url}/v1/grants`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': idem(), ...headers }, body: raw });
}

describe('signed client requests', () => {
  it('accepts a correctly signed request', async () => {
    const raw = body();
    const r = await post(signedHeaders({ keyId: client.keyId, secret: client.secret, method: 'POST', path: '/v1/grants', body: raw }), raw);
    expect(r.status).toBe(201);
  });

  it('refuses a bad signature, a tampered body and an unknown key with 401 invalid_signature', async () => {
    const raw = body();
    const good = signedHeaders({ keyId: client.keyId, secret: client.secret, method: 'POST', path: '/v1/grants', body: raw });
    const wrongSecret = await post(signedHeaders({ keyId: client.keyId, secret: 'qs_not-the-secret', method: 'POST', path: '/v1/grants', body: raw }), raw);
    const tampered = await post({ ...good, 'x-quanyi-nonce': good['x-quanyi-nonce'] }, raw.replace('sec', 'evil'));
    const unknown = await post(signedHeaders({ keyId: 'qk_000000000000000000000000', secret: client.secret, method: 'POST', path: '/v1/grants', body: raw }), raw);
    for (const r of [wrongSecret, tampered, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('invalid_signature');
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('accepts the signature in upper case, and refuses it with anything before, after or inside its 64 hex digits', async () => {
    const raw = body();
    const signed = () => signedHeaders({ keyId: client.keyId, secret: client.secret, method: 'POST', path: '/v1/grants', body: raw });
    const upper = signed();
    expect((await post({ ...upper, 'x-quanyi-signature': upper['x-quanyi-signature'].toUpperCase() }, raw)).status).toBe(201);
    for (const mangle of [(s: string) => s + 'zz', (s: string) => s + '0', (s: string) => s + ' junk', (s: string) => s + '00', (s: string) => s.slice(0, 62) + 'g' + s.slice(63), (s: string) => s.slice(0, 63)]) {
      const g = signed();
      const r = await post({ ...g, 'x-quanyi-signature': mangle(g['x-quanyi-signature']) }, raw);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('invalid_signature');
    }
  });

  it('refuses a timestamp more than 300 s away, either way', async () => {
    const raw = body();
    for (const skew of [-301, 301]) {
      const r = await post(signedHeaders({ keyId: client.keyId, secret: client.secret, method: 'POST', path: '/v1/grants', body: raw, timestamp: Math.floor(Date.now() / 1000) + skew }), raw);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('timestamp_out_of_window');
    }
    const ok = await post(signedHeaders({ keyId: client.keyId, secret: client.secret, method: 'POST', path: '/v1/grants', body: raw, timestamp: Math.floor(Date.now() / 1000) - 250 }), raw);
    expect(ok.status).toBe(201);
  });

  it('refuses a reused nonce, even with a valid signature', async () => {
    const raw = body();
    const headers = signedHeaders({ keyId: client.keyId, secret: client.secret, method: 'GET', path: '/v1/grants?limit=1' });
    const first = await http(`${h.url}/v1/grants?limit=1`, { headers });
    expect(first.status).toBe(200);
    const replay = await http(`${h.url}/v1/grants?limit=1`, { headers });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('nonce_reused');
    const short = await post(signedHeaders({ keyId: client.keyId, secret: client.secret, method: 'POST', path: '/v1/grants', body: raw, nonce: 'short' }), raw);
    expect(short.status).toBe(401);
    expect(short.body.code).toBe('invalid_nonce');
  });

  it('signs the path with its query string exactly as sent', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = 'n'.repeat(20) + Date.now();
    const signedFor = sign(client.secret, stringToSign('GET', '/v1/grants?limit=2', ts, nonce, ''));
    const headers = { 'x-quanyi-key': client.keyId, 'x-quanyi-timestamp': ts, 'x-quanyi-nonce': nonce, 'x-quanyi-signature': signedFor };
    const moved = await http(`${h.url}/v1/grants?limit=3`, { headers });
    expect(moved.status).toBe(401);
    expect(moved.body.code).toBe('invalid_signature');
  });

  it('refuses unsigned requests, and a client without the scope gets 403', async () => {
    const r = await http(`${h.url}/v1/grants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('missing_signature');
    const reader = await h.client(['grants:read']);
    const denied = await reader.request('POST', '/v1/grants', JSON.parse(body()), { idempotencyKey: idem() });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('insufficient_scope');
    expect((await reader.request('GET', '/v1/grants')).status).toBe(200);
  });

  it('never stores the client secret in plain text', async () => {
    const rows = await h.ctx.db.selectFrom('clients').select(['secret_wrapped', 'key_id']).execute();
    for (const r of rows) expect(Buffer.from(r.secret_wrapped).toString('latin1')).not.toContain(client.secret);
  });

  it('limits requests per client key with 429 and Retry-After; other clients are unaffected', async () => {
    const limited = await createHarness({ QUANYI_CLIENT_REQUESTS_PER_MINUTE: '3' });
    try {
      const a = await limited.client();
      const b = await limited.client();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await a.request('GET', '/v1/grants?limit=1'));
      expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(statuses[3].body.code).toBe('rate_limited');
      expect(Number(statuses[3].headers.get('retry-after'))).toBeGreaterThan(0);
      expect(statuses[0].headers.get('ratelimit-limit')).toBe('3');
      expect((await b.request('GET', '/v1/grants?limit=1')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
