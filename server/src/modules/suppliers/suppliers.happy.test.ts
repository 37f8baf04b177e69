import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { supplierConnection, supplierRoute, supplierByCallbackId } from './index.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

const auditOf = (target: string) => h.ctx.db.selectFrom('audit_events').select(['action', 'actor', 'details']).where('target', '=', target).orderBy('seq').execute();

describe('suppliers admin API', () => {
  it('creates, lists, reads and updates a supplier; the callback_url names it', async () => {
    const operator = await h.admin('operator');
    const created = await operator.request('POST', '/v1/admin/suppliers', {
      name: '福禄主通道', adapter: 'fulu', endpoint: 'https://openapi.example.com/api/getway', app_key: 'appkey-12345678', app_secret: 'secret-abcdefgh',
      low_balance_threshold: 100_000,
    });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({
      id: expect.stringMatching(/^sup_/), name: '福禄主通道', adapter: 'fulu', endpoint: 'https://openapi.example.com/api/getway', status: 'active',
      balance: null, balance_checked_at: null, low_balance_threshold: 100_000, low_balance: false,
      circuit: { state: 'closed', window: { calls: 0, failures: 0, window_seconds: 60 }, last_reasons: [] },
    });
    expect(s.callback_url).toBe(`${h.url}/v1/callbacks/suppliers/${s.id}`);
    expect(s.app_key_hint).toBe('appk****');
    expect(s).not.toHaveProperty('app_secret');
    expect(s).not.toHaveProperty('app_key');

    const list = await operator.request('GET', '/v1/admin/suppliers');
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).toContain(s.id);
    const byName = await operator.request('GET', `/v1/admin/suppliers/${encodeURIComponent('福禄主通道')}`);
    expect(byName.body.id).toBe(s.id);

    const patched = await operator.request('PATCH', `/v1/admin/suppliers/${s.id}`, {
      endpoint: 'https://openapi2.example.com/api/getway', app_key: 'newkey-999999', app_secret: 'rotated-secret-1', status: 'disabled', low_balance_threshold: 5000,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ endpoint: 'https://openapi2.example.com/api/getway', status: 'disabled', low_balance_threshold: 5000, app_key_hint: 'newk****' });
    const conn = await supplierConnection(h.ctx, s.id);
    expect(conn.creds).toEqual({ endpoint: 'https://openapi2.example.com/api/getway', appKey: 'newkey-999999', appSecret: 'rotated-secret-1' });
    expect(conn.adapter.name).toBe('fulu');
    expect(await supplierByCallbackId(h.ctx.db, s.id)).toMatchObject({ id: s.id, status: 'disabled' });
    expect(await supplierByCallbackId(h.ctx.db, 'sup_nope')).toBeNull();

    const disabledOnly = await operator.request('GET', '/v1/admin/suppliers?status=disabled');
    expect(disabledOnly.body.data.map((x: { id: string }) => x.id)).toEqual([s.id]);

    const audit = await auditOf(s.id);
    expect(audit.map((a) => a.action)).toEqual(['supplier.create', 'supplier.update']);
    expect(audit[0].actor).toBe(operator.id);
    expect(audit[1].details).toMatchObject({ changes: { endpoint: 'https://openapi2.example.com/api/getway', app_key_hint: 'newk****', app_secret: 'rotated', status: 'disabled', low_balance_threshold: 5000 } });
  });

  it('sets and reads a product’s ordered supplier list; the route skips disabled suppliers', async () => {
    const admin = await h.admin();
    const mk = async (name: string) =>
      (await admin.request('POST', '/v1/admin/suppliers', { name, adapter: 'fulu', endpoint: 'http://127.0.0.1:9/gw', app_key: 'k-' + name, app_secret: 's-' + name })).body;
    const a = await mk('A 供应商');
    const b = await mk('B 供应商');
    const product = await h.product({ kind: 'direct_recharge', platform: 'tencent_video' });

    const put = await admin.request('PUT', `/v1/admin/products/${product.id}/suppliers`, {
      suppliers: [
        { supplier_id: b.id, supplier_product_id: '10001', unit_cost: 1450 },
        { supplier_id: 'A 供应商', supplier_product_id: 'TX-VIP-1M', unit_cost: 1480 },
      ],
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      product_id: product.id,
      suppliers: [
        { position: 1, supplier_id: b.id, supplier_name: 'B 供应商', supplier_status: 'active', supplier_product_id: '10001', unit_cost: 1450 },
        { position: 2, supplier_id: a.id, supplier_name: 'A 供应商', supplier_status: 'active', supplier_product_id: 'TX-VIP-1M', unit_cost: 1480 },
      ],
    });
    const bySku = await admin.request('GET', `/v1/admin/products/${product.sku}/suppliers`);
    expect(bySku.body).toEqual(put.body);
    expect(await supplierRoute(h.ctx.db, product.id)).toEqual([
      { position: 1, supplierId: b.id, supplierName: 'B 供应商', supplierProductId: '10001', unitCostFen: 1450 },
      { position: 2, supplierId: a.id, supplierName: 'A 供应商', supplierProductId: 'TX-VIP-1M', unitCostFen: 1480 },
    ]);

    // reorder: A first now; then disable B, which leaves the route (not the admin list)
    await admin.request('PUT', `/v1/admin/products/${product.id}/suppliers`, {
      suppliers: [
        { supplier_id: a.id, supplier_product_id: 'TX-VIP-1M', unit_cost: 1480 },
        { supplier_id: b.id, supplier_product_id: '10001', unit_cost: 1450 },
      ],
    });
    await admin.request('PATCH', `/v1/admin/suppliers/${b.id}`, { status: 'disabled' });
    expect((await supplierRoute(h.ctx.db, product.id)).map((r) => [r.position, r.supplierId])).toEqual([[1, a.id]]);
    expect((await supplierRoute(h.ctx.db, product.id, { includeDisabled: true })).map((r) => r.supplierId)).toEqual([a.id, b.id]);
    const listed = await admin.request('GET', `/v1/admin/products/${product.id}/suppliers`);
    expect(listed.body.suppliers.map((x: { supplier_status: string }) => x.supplier_status)).toEqual(['active', 'disabled']);

    const cleared = await admin.request('PUT', `/v1/admin/products/${product.id}/suppliers`, { suppliers: [] });
    expect(cleared.body.suppliers).toEqual([]);
    expect((await auditOf(product.id)).map((e) => e.action)).toEqual(['product.create', 'product.suppliers.set', 'product.suppliers.set', 'product.suppliers.set']);
  });

  it('pages through the list with a cursor', async () => {
    const admin = await h.admin();
    for (let i = 0; i < 3; i++) {
      await admin.request('POST', '/v1/admin/suppliers', { name: `page-${i}`, adapter: 'fulu', endpoint: 'https://x.example/gw', app_key: 'k', app_secret: 's' });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; next_cursor: string | null } } = await admin.request('GET', `/v1/admin/suppliers?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.data.map((x) => x.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    const total = await h.ctx.db.selectFrom('suppliers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(seen.length).toBe(Number(total.n));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
