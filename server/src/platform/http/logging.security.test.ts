import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTraceLoggedHarness, http, idem, type Harness } from '../../testutil/harness.ts';

// Logs at the most talkative level, after a full issue → reveal → admin session round, hold no secret.
let h: Harness;
let logs: () => string;
beforeAll(async () => {
  ({ h, logs } = await createTraceLoggedHarness());
});
afterAll(() => h?.close());

describe('logs', () => {
  it('never contain codes, redeem tokens, signatures, secrets, cookies or phone numbers', async () => {
    const client = await h.client();
    const admin = await h.admin();
    const product = await h.product();
    const [secret] = await h.stock(product.id, 1);
    const res = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone: '13912345678' } }, { idempotencyKey: idem() });
    const token = res.body.redeem_url.split('/r/')[1];
    await fetch(`${h.url}/r/${token}`);
    const reveal = await http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' });
    expect(reveal.status).toBe(200);
    await admin.request('GET', `/v1/admin/grants/${res.body.id}`);
    await new Promise((r) => setTimeout(r, 100));

    expect(logs()).toContain('/v1/redeem/'); // requests are logged…
    const s = secret as { card_number: string; password: string };
    for (const forbidden of [s.card_number, s.password, token, client.secret, '13912345678', admin.cookie.split('=')[1]]) {
      expect(logs()).not.toContain(forbidden); // …without their secrets
    }
    expect(logs()).not.toMatch(/"x-quanyi-signature":"[0-9a-f]{64}"/);
  });
});
