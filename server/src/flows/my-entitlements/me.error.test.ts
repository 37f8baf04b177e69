import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { PHONE_PROOF_COOKIE, sealPhoneProof } from '../../modules/notify/index.ts';

// 我的权益 refuses without a valid phone proof, refuses bad input with a clear 400, and renders its page
// either way.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ QUANYI_REDEEM_PER_IP_PER_MINUTE: '40' });
});
afterAll(async () => h?.close());

const json = { 'content-type': 'application/json' };

describe('my entitlements refusals', () => {
  it('401 phone_not_verified without the cookie, with a forged one, or after logout', async () => {
    for (const cookie of [undefined, `${PHONE_PROOF_COOKIE}=forged`, `${PHONE_PROOF_COOKIE}=${sealPhoneProof(h.ctx, '13800138000', 'campaign').slice(0, -4)}AAAA`]) {
      const r = await http(`${h.url}/v1/public/me`, { headers: cookie ? { cookie } : {} });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('phone_not_verified');
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    const read = await http(`${h.url}/v1/public/me/messages/read`, { method: 'POST', headers: json, body: JSON.stringify({ ids: ['x'] }) });
    expect(read.status).toBe(401);
  });

  it('400 with errors[] for bad input', async () => {
    const cookie = `${PHONE_PROOF_COOKIE}=${sealPhoneProof(h.ctx, '13800138000', 'my_entitlements')}`;
    const bad = await http(`${h.url}/v1/public/me?before=%27or%201=1`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.length).toBeGreaterThan(0);
    const none = await http(`${h.url}/v1/public/me/messages/read`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ ids: [] }) });
    expect(none.status).toBe(400);
    const many = await http(`${h.url}/v1/public/me/messages/read`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ ids: Array.from({ length: 201 }, (_, i) => `m${i}`) }) });
    expect(many.status).toBe(400);
  });

  it('the pages render for unknown campaigns and unverified visitors, with a nonce CSP', async () => {
    const me = await fetch(`${h.url}/me`);
    expect(me.status).toBe(200);
    expect(me.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    expect(await me.text()).toContain('id="verify"');
    const c = await fetch(`${h.url}/c/nonexistent`);
    expect(c.status).toBe(200);
    expect(await c.text()).toContain('加载中');
    expect((await http(`${h.url}/v1/public/campaigns/nonexistnt`, {})).status).toBeGreaterThanOrEqual(400);
  });

  it('is throttled per IP (429 rate_limited)', async () => {
    let last = 0;
    for (let i = 0; i < 45 && last !== 429; i++) last = (await http(`${h.url}/v1/public/me`, {})).status;
    expect(last).toBe(429);
  });
});
