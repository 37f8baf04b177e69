import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, idem, type SignedClient } from '../../testutil/harness.ts';
import { createKit, phone, signCallback, type Kit } from './recharge.testkit.ts';

// First successes are applied in batches (callback-batch.ts). Many callbacks at once — each sent three
// times, for clients that hear nothing and for one that listens for grant.redeemed — must come out exactly
// as one by one: each attempt applied once and its copies recorded as changing nothing, every grant redeemed once,
// the listening client's events written once each, every order's waiting job ended.
let k: Kit;
let listener: SignedClient;
const GRANTS = 20;
const LISTENED = 6;

beforeAll(async () => {
  // the sandbox keeps every order processing and sends no callback: the test sends them all
  k = await createKit({ suppliers: [{ processingMs: 600_000 }, {}] });
  k.sandboxes[0].sandbox.knobs.callbackUrl = null;
  listener = await k.h.client(['grants:write', 'grants:read', 'webhooks:write', 'webhooks:read']);
  const ep = await listener.request('POST', '/v1/webhooks/endpoints', { url: 'http://127.0.0.1:9/hook', events: ['grant.redeemed'] }, { idempotencyKey: idem() });
  expect(ep.status).toBe(201);
});
afterAll(() => k?.close());

interface Accepted {
  grantId: string;
  customerOrderNo: string;
  supplierOrderId: string;
}

async function acceptedAttempt(grantId: string, as: SignedClient): Promise<Accepted> {
  const until = Date.now() + 15_000;
  for (;;) {
    const v = (await k.admin.request('GET', `/v1/admin/recharges/${grantId}`)).body;
    const a = v.attempts?.[0];
    if (a?.state === 'accepted' && a.supplier_order_id) return { grantId, customerOrderNo: a.customer_order_no, supplierOrderId: a.supplier_order_id };
    if (Date.now() > until) throw new Error(`attempt of ${grantId} not accepted: ${JSON.stringify(a)} (as ${as.id})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('callbacks applied in batches', () => {
  it('three copies of every first success at once: each attempt applied once, the rest repeated; events once; jobs ended', async () => {
    const issued = await Promise.all(
      Array.from({ length: GRANTS }, async (_, i) => {
        const as = i < LISTENED ? listener : k.client;
        const r = await as.request('POST', '/v1/grants', { product: k.product.sku, recipient: { account: phone(7000 + i) } }, { idempotencyKey: idem() });
        expect(r.status).toBe(202);
        return { id: r.body.id as string, as };
      }),
    );
    const accepted = await Promise.all(issued.map((g) => acceptedAttempt(g.id, g.as)));
    const s = k.sandboxes[0];
    const bodies = accepted.map((a) =>
      JSON.stringify(
        signCallback(
          { order_id: a.supplierOrderId, customer_order_no: a.customerOrderNo, order_status: 'success', recharge_description: '充值成功', product_id: 1001, price: '9.0000', buy_num: 1, charge_finish_time: '2026-11-30 10:00:00', operator_serial_number: 'OSN' + a.supplierOrderId },
          s.appSecret,
        ),
      ),
    );
    const all = [...bodies, ...bodies, ...bodies];
    const answers = await Promise.all(all.map((body) => http(`${k.h.url}/v1/callbacks/suppliers/${s.supplierId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })));
    expect(answers.map((r) => [r.status, r.body])).toEqual(all.map(() => [200, 'success']));

    for (const g of issued) {
      const grant = (await g.as.request('GET', `/v1/grants/${g.id}`)).body;
      expect(grant.status).toBe('redeemed');
      const v = (await k.admin.request('GET', `/v1/admin/recharges/${g.id}`)).body;
      expect(v.status).toBe('succeeded');
      expect(v.attempts.map((a: { state: string; price_fen: number }) => [a.state, a.price_fen])).toEqual([['succeeded', 900]]);
      // a copy that finds the attempt already succeeded is `repeated`; one that raced the batch to the row
      // and lost is `ignored` — both changed nothing
      const callbacks: string[] = v.events.filter((e: { kind: string }) => e.kind === 'callback').map((e: { outcome: string }) => e.outcome);
      expect(callbacks.length).toBe(3);
      expect(callbacks.filter((o) => o === 'applied').length).toBe(1);
      expect(callbacks.filter((o) => o !== 'applied').every((o) => o === 'repeated' || o === 'ignored')).toBe(true);
    }
    const db = k.h.ctx.db;
    const events = await db.selectFrom('webhook_events').select(['type', 'subject_id']).where('client_id', '=', listener.id).where('type', '=', 'grant.redeemed').execute();
    expect(events.map((e) => e.subject_id).sort()).toEqual(issued.slice(0, LISTENED).map((g) => g.id).sort());
    const quiet = await db.selectFrom('webhook_events').select('id').where('client_id', '=', k.client.id).execute();
    expect(quiet).toEqual([]);
    const live = await db
      .selectFrom('jobs')
      .select(['dedupe_key', 'status'])
      .where('kind', '=', 'recharge.attempt')
      .where('status', 'in', ['queued', 'running'])
      .execute();
    expect(live).toEqual([]);
    // the supplier got one order per attempt: nothing was submitted again or elsewhere
    for (const a of accepted) expect(s.sandbox.counts.ordersByCustomerOrderNo.get(a.customerOrderNo)).toBe(1);
    expect(k.sandboxes[1].sandbox.counts.ordersByCustomerOrderNo.size).toBe(0);
  });
});
