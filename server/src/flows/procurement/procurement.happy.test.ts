import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, idem } from '../../testutil/harness.ts';
import { stockLevels } from '../../modules/inventory/index.ts';
import { scanOnce } from './workers.ts';
import { createProcKit, type ProcKit } from './procurement.testkit.ts';

// Buying codes (采货) end to end: the real app and job runner, the sandbox supplier over real HTTP. A product
// below its safety stock gets exactly one purchase order; the codes the supplier sends become a new encrypted
// batch with the right count, and recipients reveal them through grants.
let k: ProcKit;
beforeAll(async () => {
  k = await createProcKit();
});
afterAll(() => k?.close());

const tokenOf = (redeemUrl: string) => redeemUrl.split('/r/')[1];

describe('buying codes below safety stock', () => {
  it('opens exactly one purchase order, buys once, and stores the codes as a new batch that grants reveal', async () => {
    const p = await k.product({ safetyStock: 5, stocked: 2, reorder: 10, unitCost: 1000 });
    // several scans at once (the worker loop of several processes): one purchase order
    const opened = (await Promise.all([scanOnce(k.h.ctx), scanOnce(k.h.ctx), scanOnce(k.h.ctx)])).flat().filter((po) => po.product_id === p.id);
    expect(opened).toHaveLength(1);
    const po = await k.waitPurchaseFinal(opened[0].id);
    expect(po).toMatchObject({ state: 'succeeded', quantity: 10, received_count: 10, supplier_id: k.supplier.id, unit_cost: 1000, price: 10_000 });
    expect(po.batch_id).toMatch(/^bat_/);
    expect(po.attempts.map((a: { kind: string; outcome: string }) => `${a.kind}:${a.outcome}`)).toContain('store:stored');
    // the supplier saw one order and one submission for that number
    expect(k.sandbox.counts.ordersByCustomerOrderNo.get(po.id)).toBe(1);
    expect(k.sandbox.counts.submitsByCustomerOrderNo.get(po.id)).toBe(1);
    const [level] = await stockLevels(k.h.ctx.db, { product: p.id });
    expect(level).toMatchObject({ available: 12, below_safety_stock: false });

    // stock is above safety now: further scans buy nothing
    await scanOnce(k.h.ctx);
    expect(await k.purchases(p.id)).toHaveLength(1);

    // the batch: right count, from this supplier, at the agreed cost, audited
    const batch = await k.admin.request('GET', `/v1/admin/batches/${po.batch_id}`);
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ id: po.batch_id, product_id: p.id, imported_count: 10 });
    const audit = await k.h.ctx.db.selectFrom('audit_events').select(['action', 'target']).where('action', 'in', ['batch.purchase', 'purchase_order.create']).execute();
    expect(audit).toContainEqual({ action: 'purchase_order.create', target: po.id });
    expect(audit).toContainEqual({ action: 'batch.purchase', target: po.batch_id });

    // recipients reveal the bought codes: exactly the ones the supplier sent
    const sent = k.sandbox.order(po.id)!.cards!.map((c) => ({ card_number: c.cardNumber, password: c.cardPwd }));
    expect(sent).toHaveLength(10);
    const revealed: unknown[] = [];
    for (let i = 0; i < 12; i++) {
      const g = await k.client.request('POST', '/v1/grants', { product: p.sku, recipient: { external_id: 'u-' + i } }, { idempotencyKey: idem() });
      expect(g.status).toBe(201);
      const r = await http(`${k.h.url}/v1/redeem/${tokenOf(g.body.redeem_url)}/reveal`, { method: 'POST' });
      expect(r.status).toBe(200);
      const { code_expires_at: _expiry, ...secret } = r.body; // the code's own expiry is beside the secret
      revealed.push(secret);
    }
    for (const s of sent) expect(revealed).toContainEqual(s);
  });

  it('a purchase by hand: 201 with the new order, 200 with the same one while it is open', async () => {
    const p = await k.product({ safetyStock: 0, stocked: 0, reorder: 3 });
    await k.stopRunner();
    try {
      const first = await k.admin.request('POST', '/v1/admin/procurement/purchases', { product: p.sku });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ state: 'created', quantity: 3, reason: 'manual', customer_order_no: first.body.id });
      const again = await k.admin.request('POST', '/v1/admin/procurement/purchases', { product: p.sku, quantity: 7 });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
    } finally {
      k.startRunner();
    }
    const list = await k.purchases(p.id);
    expect(list).toHaveLength(1);
    const done = await k.waitPurchaseFinal(list[0].id);
    expect(done).toMatchObject({ state: 'succeeded', received_count: 3 });
  });

  it('settings: only card-code products; a product without settings cannot be bought by hand', async () => {
    const direct = await k.h.product({ kind: 'direct_recharge' });
    const r = await k.admin.request('PUT', `/v1/admin/procurement/products/${direct.id}`, { reorder_quantity: 5 });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('wrong_product_kind');
    const bare = await k.h.product();
    const buy = await k.admin.request('POST', '/v1/admin/procurement/purchases', { product: bare.sku });
    expect(buy.status).toBe(409);
    expect(buy.body.code).toBe('procurement_not_configured');
    const bad = await k.admin.request('PUT', `/v1/admin/procurement/products/${bare.id}`, { reorder_quantity: 0 });
    expect(bad.status).toBe(400);
    const off = await k.admin.request('PUT', `/v1/admin/procurement/products/${bare.id}`, { reorder_quantity: 5, enabled: false });
    expect(off.body).toMatchObject({ reorder_quantity: 5, enabled: false });
    const settings = await k.admin.request('GET', '/v1/admin/procurement/settings');
    expect(settings.body.data).toContainEqual(expect.objectContaining({ product_id: bare.id, enabled: false }));
  });
});
