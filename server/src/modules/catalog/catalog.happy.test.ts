import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('catalog', () => {
  it('admins create, update and list products; clients see the active ones', async () => {
    const operator = await h.admin('operator');
    const created = await operator.request('POST', '/v1/admin/products', {
      sku: 'MGTV-VIP-1Q', name: '芒果TV 季卡', platform: 'mango_tv', kind: 'card_code', period: { unit: 'quarter', count: 1 },
      renewal: false, price: 4500, face_value: 6000, cost: 3800, validity_days: 180, safety_stock: 50,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^prd_/), period: { unit: 'quarter', count: 1 }, price: 4500, currency: 'CNY', status: 'active' });
    const dup = await operator.request('POST', '/v1/admin/products', { sku: 'MGTV-VIP-1Q', name: 'x', platform: 'x', kind: 'link' });
    expect([dup.status, dup.body.code]).toEqual([409, 'sku_taken']);
    const bad = await operator.request('POST', '/v1/admin/products', { sku: 'bad sku!', name: '', platform: 'x', kind: 'voucher', price: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['sku', 'name', 'kind', 'price']));

    const other = await h.product({ status: 'inactive' });
    const patched = await operator.request('PATCH', `/v1/admin/products/${created.body.id}`, { price: 4200, period: { unit: 'month', count: 3 } });
    expect(patched.body).toMatchObject({ price: 4200, period: { unit: 'month', count: 3 }, sku: 'MGTV-VIP-1Q' });
    const bySku = await operator.request('GET', '/v1/admin/products/MGTV-VIP-1Q');
    expect(bySku.body.id).toBe(created.body.id);
    const audit = await h.ctx.db.selectFrom('audit_events').select('action').where('target', '=', created.body.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['product.create', 'product.update']);

    const client = await h.client(['grants:read']);
    const visible = await client.request('GET', '/v1/products');
    expect(visible.status).toBe(200);
    const skus = visible.body.data.map((p: { sku: string }) => p.sku);
    expect(skus).toContain('MGTV-VIP-1Q');
    expect(skus).not.toContain(other.sku);
  });
});
