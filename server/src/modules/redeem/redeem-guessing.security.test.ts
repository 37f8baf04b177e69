import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';

// Guessing redeem tokens in parallel: the per-address budget of unknown tokens (30 per 10 min) must hold
// under concurrency — at most 30 lookups, every other request refused before it reaches the database.
let h: Harness;
beforeAll(async () => {
  // a generous per-address request limit, so that only the guessing budget is under test
  // the loopback proxy is trusted so each test can speak from its own client address (X-Forwarded-For)
  h = await createHarness({ QUANYI_REDEEM_PER_IP_PER_MINUTE: '10000', QUANYI_REDEEM_MISSES_PER_IP_PER_10MIN: '30', QUANYI_TRUST_PROXY: '127.0.0.1' });
});
afterAll(() => h?.close());

describe('redeem guessing under concurrency', () => {
  it('200 parallel wrong tokens: at most 30 are looked up (404), the rest get 429', async () => {
    const guesses = Array.from({ length: 200 }, (_, i) =>
      http(`${h.url}/v1/redeem/${randomBytes(32).toString('base64url')}${i % 2 ? '' : '/reveal'}`, {
        method: i % 2 ? 'GET' : 'POST',
        headers: { 'x-forwarded-for': '203.0.113.7' },
      }),
    );
    const statuses = (await Promise.all(guesses)).map((r) => r.status);
    const looked = statuses.filter((s) => s === 404).length;
    expect(statuses.filter((s) => s !== 404 && s !== 429)).toEqual([]);
    expect(looked).toBeLessThanOrEqual(30);
    expect(looked).toBeGreaterThan(0);
  });

  it('found tokens do not use up the guessing budget', async () => {
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const g = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    const token = g.body.redeem_url.split('/r/')[1];
    const from = { 'x-forwarded-for': '203.0.113.8' };
    for (let i = 0; i < 29; i++) expect((await http(`${h.url}/v1/redeem/${randomBytes(32).toString('base64url')}`, { method: 'GET', headers: from })).status).toBe(404);
    for (let i = 0; i < 15; i++) expect((await http(`${h.url}/v1/redeem/${token}`, { method: 'GET', headers: from })).status).toBe(200);
    expect((await http(`${h.url}/v1/redeem/${randomBytes(32).toString('base64url')}`, { method: 'GET', headers: from })).status).toBe(404);
    const blocked = await http(`${h.url}/v1/redeem/${token}`, { method: 'GET', headers: from });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
