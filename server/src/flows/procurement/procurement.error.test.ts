import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../../testutil/harness.ts';
import { chinaDay, startSandboxSupplier } from '../../modules/suppliers/index.ts';
import { stockLevels } from '../../modules/inventory/index.ts';
import { scanOnce } from './workers.ts';
import { createProcKit, type ProcKit } from './procurement.testkit.ts';

// What goes wrong while buying and reconciling: lost answers are `unknown` and resolved only by querying —
// never a second purchase blind (the sandbox's own counts prove it); "no such order" repeatedly sends the SAME
// number again; a refusal before acceptance ends the order without codes; a bad bill is refused whole with
// the line that broke it, and the day's earlier import stays as it was.
let k: ProcKit;
beforeAll(async () => {
  k = await createProcKit();
});
afterAll(() => k?.close());

const reset = () =>
  Object.assign(k.sandbox.knobs, { errorCode: null, errorNext: 0, errorRate: 0, failRate: 0, submitTimeoutNext: 0, latencyMs: 0 });
const trail = (po: { attempts: Array<{ kind: string; outcome: string }> }) => po.attempts.map((a) => `${a.kind}:${a.outcome}`);

async function buyOnce(reorder: number) {
  const p = await k.product({ safetyStock: 1, stocked: 0, reorder });
  const opened = (await scanOnce(k.h.ctx)).filter((po) => po.product_id === p.id);
  expect(opened).toHaveLength(1);
  return { p, po: await k.waitPurchaseFinal(opened[0].id) };
}

describe('lost answers while buying', () => {
  it('a submit that hangs past the timeout is unknown, the query finds the order: bought once, codes stored once', async () => {
    reset();
    Object.assign(k.sandbox.knobs, { submitTimeoutNext: 1, submitTimeoutMode: 'hang', submitTimeoutHoldMs: 1500 });
    const { p, po } = await buyOnce(4);
    expect(po).toMatchObject({ state: 'succeeded', received_count: 4, submits: 1 });
    expect(trail(po)[0]).toBe('submit:unknown');
    expect(trail(po)).toContain('query:found:success');
    expect(k.sandbox.counts.ordersByCustomerOrderNo.get(po.id)).toBe(1);
    expect(k.sandbox.counts.submitsByCustomerOrderNo.get(po.id)).toBe(1);
    expect((await stockLevels(k.h.ctx.db, { product: p.id }))[0].available).toBe(4);
  });

  it('a dropped connection is unknown too, and resolved by query', async () => {
    reset();
    Object.assign(k.sandbox.knobs, { submitTimeoutNext: 1, submitTimeoutMode: 'drop', submitTimeoutHoldMs: 100 });
    const { po } = await buyOnce(2);
    expect(po).toMatchObject({ state: 'succeeded', received_count: 2, submits: 1 });
    expect(trail(po)[0]).toBe('submit:unknown');
    expect(k.sandbox.counts.ordersByCustomerOrderNo.get(po.id)).toBe(1);
  });

  it('"no such order" several times: the same customer_order_no again, one order at the supplier', async () => {
    reset();
    // 2001 on the submit: not a code declared safe, so unknown; queries find nothing; then a resubmission
    Object.assign(k.sandbox.knobs, { errorCode: 2001, errorNext: 1 });
    const { po } = await buyOnce(2);
    expect(po).toMatchObject({ state: 'succeeded', submits: 2, received_count: 2 });
    expect(trail(po).filter((t) => t === 'query:not_found').length).toBeGreaterThanOrEqual(2);
    expect(k.sandbox.counts.submitsByCustomerOrderNo.get(po.id)).toBe(2);
    expect(k.sandbox.counts.ordersByCustomerOrderNo.get(po.id)).toBe(1);
  });

  it('a refusal before acceptance (3001) ends the order without codes; the next scan opens a new one', async () => {
    reset();
    Object.assign(k.sandbox.knobs, { errorCode: 3001, errorNext: 1 });
    const { p, po } = await buyOnce(2);
    expect(po).toMatchObject({ state: 'rejected', result_code: 3001, batch_id: null });
    expect(k.sandbox.counts.ordersByCustomerOrderNo.get(po.id)).toBeUndefined();
    const next = (await scanOnce(k.h.ctx)).filter((x) => x.product_id === p.id);
    expect(next).toHaveLength(1);
    expect(next[0].id).not.toBe(po.id);
    expect((await k.waitPurchaseFinal(next[0].id)).state).toBe('succeeded');
  });

  it('a supplier that refused the product is passed over: the next purchase goes to the next supplier in the list', async () => {
    reset();
    const b = await startSandboxSupplier({ appKey: 'key-b', appSecret: 'secret-b-0123456789', knobs: { processingMs: 60 } });
    try {
      const created = await k.admin.request('POST', '/v1/admin/suppliers', { name: 'sandbox-b-' + Date.now(), adapter: 'fulu', endpoint: b.url, app_key: 'key-b', app_secret: 'secret-b-0123456789' });
      expect(created.status).toBe(201);
      const p = await k.product({ safetyStock: 1, stocked: 0, reorder: 2 });
      const put = await k.admin.request('PUT', `/v1/admin/products/${p.id}/suppliers`, {
        suppliers: [
          { supplier_id: k.supplier.id, supplier_product_id: '2001', unit_cost: 1000 },
          { supplier_id: created.body.id, supplier_product_id: '2001', unit_cost: 1100 },
        ],
      });
      expect(put.status).toBe(200);
      Object.assign(k.sandbox.knobs, { errorCode: 3001, errorRate: 1 }); // A has none of this product now
      const first = (await scanOnce(k.h.ctx)).filter((x) => x.product_id === p.id);
      expect((await k.waitPurchaseFinal(first[0].id)).state).toBe('rejected');
      expect(first[0].supplier_id).toBe(k.supplier.id);
      const second = (await scanOnce(k.h.ctx)).filter((x) => x.product_id === p.id);
      expect(second).toHaveLength(1);
      expect(second[0].supplier_id).toBe(created.body.id);
      expect((await k.waitPurchaseFinal(second[0].id)).state).toBe('succeeded');
      expect(b.counts.ordersByCustomerOrderNo.get(second[0].id)).toBe(1);
    } finally {
      reset();
      await b.close();
    }
  });
});

describe('bad bills', () => {
  it('a bad line is refused with its line number, and the earlier import of the day is unchanged', async () => {
    reset();
    const day = chinaDay();
    const good = await k.admin.request('POST', `/v1/admin/reconciliation/bills/${k.supplier.id}/${day}/fetch`);
    expect(good.status).toBe(201);
    const before = await k.admin.request('GET', `/v1/admin/reconciliation/${k.supplier.id}/${day}`);
    const header = 'order_id,customer_order_no,product_id,charge_account,buy_num,order_price,order_state,finish_time';
    const post = (body: string, type = 'text/csv') =>
      http(`${k.h.url}/v1/admin/reconciliation/bills/${k.supplier.id}/${day}`, { method: 'POST', headers: { ...k.admin.headers, 'content-type': type }, body });
    const cases: Array<[string, RegExp]> = [
      [`${header}\nSB1,po_x,2001,,1,10.00,success,${day} 10:00:00\nSB2,po_y,2001,,1,1e3,success,${day} 10:00:00\n`, /line 3: order_price/],
      [`${header}\nSB1,po_x,2001,,0,10.00,success,${day} 10:00:00\n`, /line 2: buy_num/],
      [`${header}\nSB1,po_x,2001,,1,10.00,paid,${day} 10:00:00\n`, /line 2: order_state/],
      [`order_id,customer_order_no\nSB1,po_x\n`, /lacks the column/],
      [`${header}\n"SB1,po_x\n`, /not valid CSV/],
    ];
    for (const [body, detail] of cases) {
      const r = await post(body);
      expect(r.status, body).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
      expect(r.body.code).toBe('invalid_file');
      expect(r.body.detail).toMatch(detail);
    }
    const json = await post(JSON.stringify({ nope: 1 }), 'application/json');
    expect(json.status).toBe(400);
    const badDay = await http(`${k.h.url}/v1/admin/reconciliation/bills/${k.supplier.id}/2026-02-30`, { method: 'POST', headers: { ...k.admin.headers, 'content-type': 'text/csv' }, body: header + '\n' });
    expect(badDay.status).toBe(400);
    const unknownSupplier = await http(`${k.h.url}/v1/admin/reconciliation/bills/nobody/${day}`, { method: 'POST', headers: { ...k.admin.headers, 'content-type': 'text/csv' }, body: header + '\n' });
    expect(unknownSupplier.status).toBe(404);
    const after = await k.admin.request('GET', `/v1/admin/reconciliation/${k.supplier.id}/${day}`);
    expect(after.body.bill).toEqual(before.body.bill);
    expect(after.body.totals).toEqual(before.body.totals);
    const none = await k.admin.request('GET', `/v1/admin/reconciliation/${k.supplier.id}/2020-01-01`);
    expect(none.status).toBe(404);
  });
});
