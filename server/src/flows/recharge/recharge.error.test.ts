import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../../testutil/harness.ts';
import { getOrderByGrant, attemptsOf, moveAttempt } from '../../modules/recharges/index.ts';
import { createKit, phone, signCallback, type Kit } from './recharge.testkit.ts';

// What goes wrong with suppliers, and what we make of it (DESIGN §11): lost answers are `unknown` and are
// resolved only by querying; "no such order" repeatedly leads to the same order number again; callbacks
// that are duplicated, late, out of order or contradicting are recorded and change nothing final; a bad
// signature is refused and nothing is trusted; an operator can resolve an unknown by hand (audited).
let k: Kit;
let n = 500;
beforeAll(async () => {
  k = await createKit();
});
afterAll(() => k?.close());

const sb = (i: number) => k.sandboxes[i].sandbox;
const view = async (id: string) => (await k.admin.request('GET', `/v1/admin/recharges/${id}`)).body;
const outcomes = (v: any, kind: string) => v.events.filter((e: { kind: string }) => e.kind === kind).map((e: { outcome: string }) => e.outcome);
const reset = () => {
  for (const s of k.sandboxes) {
    Object.assign(s.sandbox.knobs, {
      errorCode: null, errorNext: 0, errorRate: 0, failRate: 0, submitTimeoutNext: 0, latencyMs: 0, callbackDropRate: 0,
      callbackDuplicateRate: 0, callbackOutOfOrderRate: 0, callbackDelayMs: 0,
    });
  }
};
const callback = (supplierId: string, body: unknown, raw?: string) =>
  http(`${k.h.url}/v1/callbacks/suppliers/${supplierId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });

describe('lost answers', () => {
  it('a submit timeout is unknown, and the query finds the order: one order, one recharge, no failover', async () => {
    reset();
    // no callback: only a query can tell
    Object.assign(sb(0).knobs, { submitTimeoutNext: 1, submitTimeoutMode: 'hang', submitTimeoutHoldMs: 2500, callbackDropRate: 1 });
    const account = phone(++n);
    const r = await k.issue(account);
    expect((await k.waitFinal(r.body.id)).status).toBe('redeemed');
    const v = await view(r.body.id);
    expect(v.attempts).toHaveLength(1);
    // the first answer is lost; on a loaded machine a resubmission of the same number may time out too
    expect(outcomes(v, 'submit')[0]).toBe('unknown');
    expect(outcomes(v, 'submit').every((o: string) => o === 'unknown' || o.startsWith('accepted:duplicate')), JSON.stringify(v.events)).toBe(true);
    expect(outcomes(v, 'query'), JSON.stringify(v.events)).toContain('found:success');
    const co = v.attempts[0].customer_order_no;
    expect(sb(0).counts.ordersByCustomerOrderNo.get(co)).toBe(1);
    expect(sb(0).counts.rechargesByAccount.get(account)).toBe(1);
    expect(sb(1).counts.rechargesByAccount.get(account)).toBeUndefined();
  });

  it('"no such order" several times over the configured time: the same customer_order_no again, at the same supplier', async () => {
    reset();
    Object.assign(sb(0).knobs, { errorCode: 2001, errorNext: 1 });
    const account = phone(++n);
    const r = await k.issue(account);
    expect((await k.waitFinal(r.body.id)).status).toBe('redeemed');
    const v = await view(r.body.id);
    expect(v.attempts).toHaveLength(1);
    expect(v.attempts[0]).toMatchObject({ state: 'succeeded', submits: 2 });
    expect(outcomes(v, 'query').filter((o: string) => o === 'not_found').length).toBeGreaterThanOrEqual(2);
    expect(sb(0).counts.submitsByCustomerOrderNo.get(v.attempts[0].customer_order_no)).toBe(2);
    expect(sb(0).counts.rechargesByAccount.get(account)).toBe(1);
  });

  it('an attempt found `submitting` when its job starts (a crash during the call) is unknown and resolved by query', async () => {
    reset();
    await k.stopRunner();
    const account = phone(++n);
    const r = await k.issue(account);
    const order = (await getOrderByGrant(k.h.ctx.db, r.body.id))!;
    const [a] = await attemptsOf(k.h.ctx.db, order.id);
    expect(await moveAttempt(k.h.ctx.db, a.id, 'submit', { submitted: true })).not.toBeNull();
    k.startRunner();
    expect((await k.waitFinal(r.body.id)).status).toBe('redeemed');
    const v = await view(r.body.id);
    expect(outcomes(v, 'recover')).toEqual(['unknown']);
    expect(v.attempts).toHaveLength(1);
    expect(sb(0).counts.rechargesByAccount.get(account)).toBe(1);
  });
});

describe('callbacks', () => {
  it('duplicated and out-of-order callbacks change nothing: a false `failed` is confirmed by query first', async () => {
    reset();
    Object.assign(sb(0).knobs, { callbackDuplicateRate: 1, callbackOutOfOrderRate: 1 });
    const account = phone(++n);
    const r = await k.issue(account);
    expect((await k.waitFinal(r.body.id)).status).toBe('redeemed');
    await new Promise((res) => setTimeout(res, 400)); // the duplicates arrive
    const v = await view(r.body.id);
    expect(v.attempts.map((a: { state: string }) => a.state)).toEqual(['succeeded']);
    const cb = outcomes(v, 'callback');
    expect(cb.length).toBeGreaterThanOrEqual(3);
    expect(cb.filter((o: string) => o === 'applied').length).toBeLessThanOrEqual(1);
    expect(sb(0).counts.rechargesByAccount.get(account)).toBe(1);
    expect(sb(1).counts.rechargesByAccount.get(account)).toBeUndefined();
  });

  it('a late contradicting callback is answered `success`, recorded, and changes nothing', async () => {
    reset();
    const r = await k.issue(phone(++n));
    expect((await k.waitFinal(r.body.id)).status).toBe('redeemed');
    const v = await view(r.body.id);
    const a = v.attempts[0];
    const s = k.sandboxes[0];
    const body = signCallback(
      { order_id: a.supplier_order_id, customer_order_no: a.customer_order_no, order_status: 'failed', recharge_description: '充值失败', product_id: 1, price: '9.0000', buy_num: 1, charge_finish_time: '2026-01-01 00:00:00', operator_serial_number: '' },
      s.appSecret,
    );
    const res = await callback(s.supplierId, body);
    expect([res.status, res.body]).toEqual([200, 'success']);
    const again = await callback(s.supplierId, body);
    expect([again.status, again.body]).toEqual([200, 'success']);
    const after = await view(r.body.id);
    expect(after.status).toBe('succeeded');
    expect(outcomes(after, 'callback').filter((o: string) => o === 'ignored:succeeded').length).toBe(2);
    expect((await k.client.request('GET', `/v1/grants/${r.body.id}`)).body.status).toBe('redeemed');
  });

  it('a callback for an order that is not ours is recorded and answered `success`', async () => {
    const s = k.sandboxes[0];
    const body = signCallback({ order_id: 'X1', customer_order_no: 'rco_nope-1', order_status: 'success', recharge_description: '', product_id: 1, price: '1', buy_num: 1, charge_finish_time: '', operator_serial_number: '' }, s.appSecret);
    const res = await callback(s.supplierId, body);
    expect([res.status, res.body]).toEqual([200, 'success']);
  });

  it('a bad or missing signature is refused and nothing is recorded as trusted; an unknown supplier is 404', async () => {
    reset();
    const r = await k.issue(phone(++n));
    await k.waitFinal(r.body.id);
    const v = await view(r.body.id);
    const a = v.attempts[0];
    const s = k.sandboxes[0];
    const before = outcomes(v, 'callback').length;
    const fields = { order_id: a.supplier_order_id, customer_order_no: a.customer_order_no, order_status: 'failed', recharge_description: '', product_id: 1, price: '9', buy_num: 1, charge_finish_time: '', operator_serial_number: '' };
    const wrongKey = await callback(s.supplierId, signCallback(fields, 'not-the-secret'));
    expect([wrongKey.status, wrongKey.body.code]).toEqual([401, 'invalid_callback_signature']);
    const tampered = await callback(s.supplierId, { ...signCallback(fields, s.appSecret), order_status: 'success' });
    expect(tampered.status).toBe(401);
    const unsigned = await callback(s.supplierId, fields);
    expect(unsigned.status).toBe(401);
    const otherSupplier = await callback(k.sandboxes[1].supplierId, signCallback(fields, s.appSecret));
    expect(otherSupplier.status).toBe(401);
    const garbage = await callback(s.supplierId, null, '{not json');
    expect(garbage.status).toBe(400);
    const nobody = await callback('sup_does_not_exist', signCallback(fields, s.appSecret));
    expect(nobody.status).toBe(404);
    expect(outcomes(await view(r.body.id), 'callback').length).toBe(before);
  });
});

describe('operators', () => {
  it('resolve an unknown attempt by hand with a reason (audited); only unknown attempts; only with recharges:write', async () => {
    reset();
    // every answer comes too late: the submit and every query time out, the attempt stays unknown
    Object.assign(sb(0).knobs, { latencyMs: 3000, callbackDropRate: 1 });
    const r = await k.issue(phone(++n));
    const until = Date.now() + 5000;
    let v = await view(r.body.id);
    while (v.attempts[0].state !== 'unknown' && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 20));
      v = await view(r.body.id);
    }
    expect(v.attempts[0].state).toBe('unknown');
    const support = await k.h.admin('support');
    expect((await support.request('POST', `/v1/admin/recharges/${v.id}/resolve`, { outcome: 'succeeded', reason: 'confirmed by phone' })).status).toBe(403);
    expect((await support.request('GET', `/v1/admin/recharges/${v.id}`)).status).toBe(200);
    const res = await k.admin.request('POST', `/v1/admin/recharges/${v.id}/resolve`, { outcome: 'succeeded', reason: 'supplier confirmed by phone' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('succeeded');
    expect(outcomes(res.body, 'resolve')).toEqual(['succeeded']);
    expect((await k.client.request('GET', `/v1/grants/${r.body.id}`)).body.status).toBe('redeemed');
    const again = await k.admin.request('POST', `/v1/admin/recharges/${v.id}/resolve`, { outcome: 'failed', reason: 'changed my mind' });
    expect([again.status, again.body.code]).toEqual([409, 'recharge_not_unknown']);
    const audit = await k.h.ctx.db.selectFrom('audit_events').select(['actor', 'action', 'details']).where('target', '=', v.id).execute();
    expect(audit).toEqual([expect.objectContaining({ actor: k.admin.id, action: 'recharge.resolve', details: expect.objectContaining({ outcome: 'succeeded', reason: 'supplier confirmed by phone' }) })]);
    sb(0).knobs.latencyMs = 0;
  });

  it('query now and list', async () => {
    reset();
    const r = await k.issue(phone(++n));
    await k.waitFinal(r.body.id);
    const q = await k.admin.request('POST', `/v1/admin/recharges/${r.body.id}/query`);
    expect(q.status).toBe(200);
    expect(q.body.grant_id).toBe(r.body.id);
    const list = await k.admin.request('GET', '/v1/admin/recharges?status=succeeded&limit=200');
    expect(list.status).toBe(200);
    expect(list.body.data.map((o: { grant_id: string }) => o.grant_id)).toContain(r.body.id);
    expect((await k.admin.request('GET', '/v1/admin/recharges/rco_nope')).status).toBe(404);
  });

  it('lists by the supplier an order was tried at and by creation time; a bad time is a 400', async () => {
    reset();
    const r = await k.issue(phone(++n));
    const done = await k.waitFinal(r.body.id);
    const order = (await view(r.body.id)) as { id: string; created_at: string; attempts: { supplier_id: string }[] };
    const tried = new Set(order.attempts.map((a) => a.supplier_id));
    const ids = async (query: string) => ((await k.admin.request('GET', `/v1/admin/recharges?limit=200&${query}`)).body.data as { id: string }[]).map((o) => o.id);
    expect(done.status).toBe('redeemed');
    for (const s of k.sandboxes) expect((await ids(`supplier=${s.supplierId}`)).includes(order.id)).toBe(tried.has(s.supplierId));
    const at = Date.parse(order.created_at);
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    expect(await ids(`created_from=${iso(at)}&created_to=${iso(at + 1)}`)).toEqual([order.id]);
    expect(await ids(`created_from=${iso(at + 1)}`)).not.toContain(order.id);
    expect((await k.admin.request('GET', '/v1/admin/recharges?created_from=yesterday')).status).toBe(400);
  });
});
