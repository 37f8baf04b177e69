import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, idem } from '../../testutil/harness.ts';
import { chinaDay, fuluAdapter, startSandboxSupplier } from '../../modules/suppliers/index.ts';
import { enqueueYesterdaysBills } from './workers.ts';
import { createProcKit, type ProcKit } from './procurement.testkit.ts';

// Reconciliation (对账) of one supplier and day against the sandbox supplier's own bill, fetched over real
// HTTP and uploaded as CSV: a day with all four categories. The supplier is restarted once (its books start
// empty), so a recharge that succeeded before is "only ours"; a price raised without telling us is "amount
// differs"; an order somebody else placed under our account is "only theirs".
let k: ProcKit;
beforeAll(async () => {
  k = await createProcKit();
  k.sandbox.knobs.callbackUrl = `${k.h.url}/v1/callbacks/suppliers/${k.supplier.id}`;
});
afterAll(() => k?.close());

async function rechargeProduct() {
  const p = await k.h.product({ kind: 'direct_recharge', name: 'iQiyi VIP 1 month (direct)' });
  const put = await k.admin.request('PUT', `/v1/admin/products/${p.id}/suppliers`, { suppliers: [{ supplier_id: k.supplier.id, supplier_product_id: '1001', unit_cost: 1000 }] });
  expect(put.status).toBe(200);
  return p;
}

async function recharge(sku: string, account: string) {
  const r = await k.client.request('POST', '/v1/grants', { product: sku, recipient: { account } }, { idempotencyKey: idem() });
  expect(r.status).toBe(202);
  const until = Date.now() + 20_000;
  for (;;) {
    const g = await k.client.request('GET', `/v1/grants/${r.body.id}`);
    if (g.body.status !== 'pending') {
      expect(g.body.status).toBe('redeemed');
      const v = await k.admin.request('GET', `/v1/admin/recharges/${r.body.id}`);
      return v.body.attempts[0].customer_order_no as string;
    }
    if (Date.now() > until) throw new Error('recharge still pending');
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('reconciling a day', () => {
  it('fetch: matched, amount differs, only theirs, only ours — with totals in 分; CSV export; re-import replaces', async () => {
    const direct = await rechargeProduct();
    const lostCon = await recharge(direct.sku, '13900000001');

    // the supplier restarts with empty books: that recharge is no longer on its bill
    const { port } = k.sandbox;
    await k.sandbox.close();
    k.sandbox = await startSandboxSupplier({ appKey: k.supplier.appKey, appSecret: k.supplier.appSecret, port, knobs: { processingMs: 60, callbackUrl: `${k.h.url}/v1/callbacks/suppliers/${k.supplier.id}` } });

    const okCon = await recharge(direct.sku, '13900000002');
    k.sandbox.knobs.priceFen = 1200; // the supplier raises its price without telling us
    const dearCon = await recharge(direct.sku, '13900000003');
    k.sandbox.knobs.priceFen = 1000;
    // a purchase of codes is on the same bill
    const cards = await k.product({ safetyStock: 0, reorder: 3, unitCost: 1000 });
    const buy = await k.admin.request('POST', '/v1/admin/procurement/purchases', { product: cards.sku });
    expect(buy.status).toBe(201);
    expect((await k.waitPurchaseFinal(buy.body.id)).state).toBe('succeeded');
    // somebody else orders with our credentials
    const creds = { endpoint: k.sandbox.url, appKey: k.supplier.appKey, appSecret: k.supplier.appSecret };
    const foreign = await fuluAdapter.submitRecharge(creds, { productId: '1001', customerOrderNo: 'FOREIGN-1', account: '13900000009', buyNum: 1 });
    expect(foreign.kind).toBe('accepted');
    while (k.sandbox.order('FOREIGN-1')!.state !== 'success') await new Promise((res) => setTimeout(res, 20));

    const day = chinaDay();
    const fetched = await k.admin.request('POST', `/v1/admin/reconciliation/bills/${k.supplier.name}/${day}/fetch`);
    expect(fetched.status).toBe(201);
    expect(fetched.body).toMatchObject({ supplier_id: k.supplier.id, day, source: 'fetch', lines: 4, replaced: false });

    const report = await k.admin.request('GET', `/v1/admin/reconciliation/${k.supplier.id}/${day}`);
    expect(report.status).toBe(200);
    const byCon = Object.fromEntries(report.body.lines.map((l: { customer_order_no: string; category: string }) => [l.customer_order_no, l.category]));
    expect(byCon).toEqual({ [okCon]: 'matched', [buy.body.id]: 'matched', [dearCon]: 'amount_differs', 'FOREIGN-1': 'only_theirs', [lostCon]: 'only_ours' });
    expect(report.body.totals).toEqual({
      matched: { count: 2, their_fen: 1000 + 3000, our_fen: 1000 + 3000 },
      amount_differs: { count: 1, their_fen: 1200, our_fen: 1000 },
      only_theirs: { count: 1, their_fen: 1000, our_fen: 0 },
      only_ours: { count: 1, their_fen: 0, our_fen: 1000 },
      all: { count: 5, their_fen: 6200, our_fen: 6000 },
    });
    const dear = report.body.lines.find((l: { customer_order_no: string }) => l.customer_order_no === dearCon);
    expect(dear).toMatchObject({ our_kind: 'recharge', their_fen: 1200, our_fen: 1000, difference_fen: 200 });
    // the bill keeps the recharged accounts masked only
    const stored = await k.h.ctx.db.selectFrom('supplier_bill_lines' as never).selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('13900000002');

    // the CSV export
    const csv = await k.admin.request('GET', `/v1/admin/reconciliation/${k.supplier.id}/${day}?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (csv.body as string).trim().split('\n');
    expect(rows[0]).toBe('category,customer_order_no,supplier_order_id,our_kind,our_id,our_state,their_state,their_yuan,our_yuan,difference_yuan,their_fen,our_fen,difference_fen,bill_line');
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r.includes(dearCon))).toMatch(/^amount_differs,.*,12\.00,10\.00,2\.00,1200,1000,200,\d+$/);

    // the same bill uploaded as CSV replaces the day: same report
    const billCsv = await http(`${k.sandbox.url}/bills/${day}.csv`, {});
    const up = await http(`${k.h.url}/v1/admin/reconciliation/bills/${k.supplier.name}/${day}`, { method: 'POST', headers: { ...k.admin.headers, 'content-type': 'text/csv' }, body: billCsv.body });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ source: 'upload', lines: 4, replaced: true });
    const again = await k.admin.request('GET', `/v1/admin/reconciliation/${k.supplier.id}/${day}`);
    expect(again.body.totals).toEqual(report.body.totals);
    const bills = await k.h.ctx.db.selectFrom('supplier_bills' as never).selectAll().execute();
    expect(bills).toHaveLength(1);
  });

  it('the daily loop fetches yesterday\'s bill of every active supplier once, through a job', async () => {
    const yesterday = chinaDay(Date.now() - 86400_000);
    expect(await enqueueYesterdaysBills(k.h.ctx)).toBe(1);
    const until = Date.now() + 20_000;
    let report;
    do {
      await new Promise((res) => setTimeout(res, 100));
      report = await k.admin.request('GET', `/v1/admin/reconciliation/${k.supplier.id}/${yesterday}`);
    } while (report.status === 404 && Date.now() < until);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ day: yesterday, bill: { source: 'fetch', lines: 0, imported_by: 'system' } });
    // once the day has a bill, the loop leaves it alone
    expect(await enqueueYesterdaysBills(k.h.ctx)).toBe(0);
  });
});
