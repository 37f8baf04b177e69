import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';

// Admin phone search finds a grant however the number was written when it was issued and when it is
// searched: a leading +, the +86 / 0086 country prefix of a mainland mobile, spaces and dashes.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('phone search', () => {
  it('issuing and searching agree on +, country prefix and separators', async () => {
    const client = await h.client();
    const admin = await h.admin();
    const product = await h.product();
    await h.stock(product.id, 5);
    const spellings = ['13912345678', '+8613912345678', '+86 139 1234 5678', '0086-139-1234-5678'];
    const ids: string[] = [];
    for (const phone of spellings) {
      const g = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone } }, { idempotencyKey: idem() });
      expect(g.status, phone).toBe(201);
      expect(g.body.recipient.phone).toBe('139****5678');
      ids.push(g.body.id);
    }
    const other = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone: '+14155550123' } }, { idempotencyKey: idem() });
    expect(other.status).toBe(201);
    for (const q of [...spellings, '139 1234 5678']) {
      const res = await admin.request('GET', `/v1/admin/grants?phone=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.body.data.map((g: { id: string }) => g.id).sort(), q).toEqual([...ids].sort());
    }
    for (const q of ['+14155550123', '14155550123']) {
      const res = await admin.request('GET', `/v1/admin/grants?phone=${encodeURIComponent(q)}`);
      expect(res.body.data.map((g: { id: string }) => g.id), q).toEqual([other.body.id]);
    }
  });

  it('refuses what is not a phone number', async () => {
    const client = await h.client();
    const product = await h.product();
    for (const phone of ['12', 'abc12345678', '+', '139--1234']) {
      const g = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone } }, { idempotencyKey: idem() });
      expect(g.status, phone).toBe(400);
    }
  });
});
