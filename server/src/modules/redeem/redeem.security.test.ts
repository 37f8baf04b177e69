import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { maskUrl } from '../../platform/http/logging.ts';

let h: Harness;
let client: SignedClient;

beforeAll(async () => {
  h = await createHarness({ QUANYI_REDEEM_PER_TOKEN_PER_MINUTE: '5', QUANYI_REDEEM_MISSES_PER_IP_PER_10MIN: '4', QUANYI_REDEEM_PER_IP_PER_MINUTE: '1000' });
  client = await h.client();
});
afterAll(() => h?.close());

async function issue() {
  const p = await h.product();
  await h.stock(p.id, 1);
  const g = (await client.request('POST', '/v1/grants', { product: p.sku, recipient: { external_id: 'r' } }, { idempotencyKey: idem() })).body;
  return { grant: g, token: g.redeem_url.split('/r/')[1] as string };
}

describe('redeem tokens', () => {
  it('are 256-bit, URL-safe, and stored only as a hash', async () => {
    const { grant, token } = await issue();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await h.ctx.db.selectFrom('grants').selectAll().where('id', '=', grant.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(token);
    expect(Buffer.from(row.token_hash).length).toBe(32);
  });

  it('limits requests per token with 429, Retry-After and RateLimit headers', async () => {
    const { token } = await issue();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await http(`${h.url}/v1/redeem/${token}`, {}));
    expect(statuses.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[0].headers.get('ratelimit-limit')).toBe('5');
    const limited = statuses[5];
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('stops guessing: after a few unknown tokens from one address, that address is refused', async () => {
    const { token } = await issue();
    const guesses = [];
    for (let i = 0; i < 4; i++) guesses.push(await http(`${h.url}/v1/redeem/${'A'.repeat(42)}${i}/reveal`, { method: 'POST' }));
    expect(guesses.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    expect(guesses[0].body.code).toBe('redeem_token_not_found');
    const blocked = await http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // nothing was revealed or redeemed while blocked
    const g = await h.ctx.db.selectFrom('grants').select(['status', 'reveal_count']).where('token_hash', '=', (await import('../../platform/crypto/server-secrets.ts')).tokenHash(token)).executeTakeFirstOrThrow();
    expect(g).toEqual({ status: 'issued', reveal_count: 0 });
  });

  it('cannot be dodged by a forged X-Forwarded-For (no proxy is trusted by default)', async () => {
    const r = await http(`${h.url}/v1/redeem/${'B'.repeat(43)}`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(r.status).toBe(429); // this address already spent its guesses above, whatever the header says
  });

  it('keeps tokens out of logged URLs', () => {
    expect(maskUrl('/r/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde')).toBe('/r/AbCdEf…');
    expect(maskUrl('/v1/redeem/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde/reveal')).toBe('/v1/redeem/AbCdEf…/reveal');
  });

  it('serves the mobile page without caching or referrer leaks', async () => {
    const { token } = await issue();
    const res = await fetch(`${h.url}/r/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('立即领取');
    expect(html).not.toContain(token);
  });
});
