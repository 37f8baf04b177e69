import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTraceLoggedHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { maskUrl } from './logging.ts';

// What an attacker with read access to the logs could collect, at the most talkative level: the ways a
// secret reaches a log line other than the happy path (see logging.security.test.ts).
let h: Harness;
let logs: () => string;
beforeAll(async () => {
  ({ h, logs } = await createTraceLoggedHarness());
});
afterAll(() => h?.close());

const settle = () => new Promise((r) => setTimeout(r, 100));
const encodeAll = (s: string) => [...s].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()).join('');

describe('logs at trace level', () => {
  it('never hold the session cookie, even through multipart parser options', async () => {
    const admin = await h.admin();
    const product = await h.product();
    const form = new FormData();
    form.append('product', product.sku);
    form.append('file', new Blob(['CODE1----PWD1\n']), 'codes.txt');
    const res = await http(`${h.url}/v1/admin/imports`, { method: 'POST', headers: admin.headers, body: form });
    expect(res.status).toBe(202);
    // also a request Node's parser refuses, carrying the cookie
    await fetch(`${h.url}/healthz`, { headers: { ...admin.headers, 'x-big': 'a'.repeat(64 * 1024) } }).catch(() => undefined);
    await settle();
    expect(logs()).toContain('/v1/admin/imports');
    expect(logs()).not.toContain(admin.cookie.split('=')[1]);
  });

  it('mask the phone number of an admin search, however the query spells it', async () => {
    const admin = await h.admin();
    for (const q of ['phone=13912345678', 'Phone=13912345678', 'ph%6Fne=%2B8613912345678', 'limit=5&phone=139%2012345678']) {
      await admin.request('GET', `/v1/admin/grants?${q}`);
    }
    await settle();
    expect(logs()).toContain('/v1/admin/grants?');
    expect(logs()).not.toMatch(/1391234\s?5678|12345678/);
  });

  it('keep only a prefix of a redeem token, whatever the case, the encoding or the route', async () => {
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const g = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'u1' } }, { idempotencyKey: idem() });
    const token: string = g.body.redeem_url.split('/r/')[1];
    for (const path of [
      `/R/${token}`,
      `/r/${encodeAll(token)}`,
      `/v1/Redeem/${token}`,
      `/v1/REDEEM/${token}/reveal`,
      `/v1/redeem/${encodeAll(token)}`,
      `//r//${token}`,
      `/%72/${token}`,
      `/r/${token}%zz`,
      `/v1/redeem?token=${token}`,
    ]) {
      await fetch(h.url + path);
    }
    await settle();
    expect(logs()).toContain(token.slice(0, 6));
    expect(logs()).not.toContain(token.slice(0, 12));
    expect(logs()).not.toContain(encodeAll(token).slice(0, 36));
  });
});

describe('maskUrl', () => {
  it('masks tokens after decoding, case-insensitively, and secrets in the query', () => {
    expect(maskUrl('/R/abcdefghijklmnop')).toBe('/R/abcdef…');
    expect(maskUrl('/v1/Redeem/%61bcdefghijk/reveal')).toBe('/v1/Redeem/abcdef…/reveal');
    expect(maskUrl('/v1/admin/grants?phone=13912345678&limit=5')).toBe('/v1/admin/grants?phone=139****5678&limit=5');
    expect(maskUrl('/x?token=abcdefghijklmnop')).toBe('/x?token=%5Bredacted%5D');
  });
});
