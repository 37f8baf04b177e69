import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem } from '../../testutil/harness.ts';
import { createKit, phone, type Kit } from './recharge.testkit.ts';

// Direct recharge end to end on the sandbox supplier (two of them, real sockets): issuing answers 202
// pending; the grant reaches redeemed by callback or by polling; rejections fail over to the next supplier
// with a new attempt number; an invalid account fails the grant; an exhausted list fails it too.
let k: Kit;
let n = 0;
beforeAll(async () => {
  k = await createKit();
});
afterAll(() => k?.close());

const [A, B] = [0, 1];
const sb = (i: number) => k.sandboxes[i].sandbox;
const view = async (grantId: string) => (await k.admin.request('GET', `/v1/admin/recharges/${grantId}`)).body;
const reset = () => {
  for (const s of k.sandboxes) Object.assign(s.sandbox.knobs, { errorCode: null, errorNext: 0, errorRate: 0, failRate: 0, invalidAccountPrefix: null, isOpen: true, callbackDropRate: 0 });
};

describe('issuing a direct recharge', () => {
  it('answers 202 pending with the account masked; a replay answers the same; another body under the key is 409', async () => {
    const key = idem();
    const body = { product: k.product.sku, recipient: { account: '13912345678', external_id: 'member-1' }, out_order_no: 'ORD-' + key.slice(0, 8) };
    const r = await k.client.request('POST', '/v1/grants', body, { idempotencyKey: key });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'pending', recipient: { account: '139****5678', external_id: 'member-1' }, failure: null, product: { kind: 'direct_recharge' } });
    const again = await k.client.request('POST', '/v1/grants', body, { idempotencyKey: key });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(r.body.id);
    const other = await k.client.request('POST', '/v1/grants', { ...body, recipient: { account: '13912345679' } }, { idempotencyKey: key });
    expect([other.status, other.body.code]).toEqual([409, 'idempotency_key_reused']);
    const sameOrderNo = await k.client.request('POST', '/v1/grants', { ...body, recipient: { account: '13912345679' } }, { idempotencyKey: idem() });
    expect([sameOrderNo.status, sameOrderNo.body.code]).toEqual([409, 'duplicate_out_order_no']);
    const done = await k.waitFinal(r.body.id);
    expect(done.status).toBe('redeemed');
    // a replay after the end answers the grant as it is now, with the first status code
    const late = await k.client.request('POST', '/v1/grants', body, { idempotencyKey: key });
    expect([late.status, late.body.status, late.headers.get('idempotent-replayed')]).toEqual([202, 'redeemed', 'true']);
  });

  it('parallel retries under one key accept one grant with one order; the 202 body is the grant as GET shows it', async () => {
    const key = idem();
    const body = { product: k.product.sku, recipient: { account: '13912340000', phone: '13800001111' }, metadata: { campaign: 'c1' } };
    const all = await Promise.all(Array.from({ length: 30 }, () => k.client.request('POST', '/v1/grants', body, { idempotencyKey: key })));
    expect(all.map((r) => r.status)).toEqual(Array(30).fill(202));
    const ids = new Set(all.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(all.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    const first = all.find((r) => r.headers.get('idempotent-replayed') !== 'true')!;
    const got = await k.client.request('GET', `/v1/grants/${first.body.id}`);
    if (got.body.status === 'pending') expect(first.body).toEqual(got.body);
    else expect({ ...first.body, status: got.body.status, redeemed_at: got.body.redeemed_at, ended_at: got.body.ended_at }).toEqual(got.body);
    const v = await view(first.body.id);
    expect(v.attempts.length).toBe(1);
    expect(v.attempts[0]).toMatchObject({ attempt_no: 1 });
    expect(v.attempts[0].customer_order_no).toBe(v.id + '-1');
    expect((await k.waitFinal(first.body.id)).status).toBe('redeemed');
  });

  it('takes the kinds of account the product names: a QQ-number product takes a QQ number and says what it wants', async () => {
    const patch = (account_types: string[]) => k.admin.request('PATCH', `/v1/admin/products/${k.product.id}`, { account_types });
    try {
      expect((await patch(['qq'])).body.account_types).toEqual(['qq']);
      const qq = await k.issue('123456789');
      expect(qq.status).toBe(202);
      expect(qq.body.recipient.account).toBe('123**6789');
      const mobileOnly = await k.issue('+8613912345678');
      expect([mobileOnly.status, mobileOnly.body.code]).toEqual([400, 'validation_failed']);
      expect(mobileOnly.body.errors[0]).toMatchObject({ field: 'recipient.account', message: 'must be a QQ number (5–11 digits)' });
      expect((await k.issue('iqiyi_member.42')).status).toBe(400);
      expect((await patch(['mobile', 'uid', 'qq', 'email'])).status).toBe(200);
      expect((await k.issue('member@example.com')).status).toBe(202);
      expect([(await patch([])).status, (await patch(['wechat'])).status]).toEqual([400, 400]);
    } finally {
      await patch(['mobile', 'uid']);
    }
    // the default: a mobile number or a uid, and a wrong number is named for what it is not
    const ten = await k.issue('1391234567');
    expect(ten.body.errors[0].message).toBe('must be an 11-digit mobile number (1xxxxxxxxxx) or a platform uid (4–64 letters, digits, _ . - @, starting with a letter)');
  });

  it('refuses a bad account with a clear 400 and writes nothing', async () => {
    for (const account of ['1391234567', '12345', '+1-555-0100', 'a b', '']) {
      const r = await k.issue(account);
      expect(r.status, account).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      if (account) expect(r.body.errors[0].field).toBe('recipient.account');
    }
    const missing = await k.client.request('POST', '/v1/grants', { product: k.product.sku, recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    // without an account it waits for the recipient to give it (recharge-account.happy.test.ts)
    expect([missing.status, missing.body.status]).toEqual([201, 'issued']);
    const uid = await k.issue('iqiyi_member.42');
    expect(uid.status).toBe(202);
    expect(uid.body.recipient.account).toBe('iqi********r.42');
  });
});

describe('webhook events', () => {
  it('grant.pending, then grant.redeemed or grant.failed, each carrying the grant as the client sees it', async () => {
    reset();
    const c = await k.h.client(['grants:write', 'grants:read', 'webhooks:write', 'webhooks:read']);
    const ep = await c.request('POST', '/v1/webhooks/endpoints', { url: 'http://127.0.0.1:9/hook' }, { idempotencyKey: idem() });
    expect(ep.status).toBe(201);
    const ok = await c.request('POST', '/v1/grants', { product: k.product.sku, recipient: { account: phone(++n) } }, { idempotencyKey: idem() });
    const bad = phone(++n);
    sb(A).knobs.invalidAccountPrefix = bad;
    const ko = await c.request('POST', '/v1/grants', { product: k.product.sku, recipient: { account: bad } }, { idempotencyKey: idem() });
    for (const g of [ok, ko]) await k.waitFinal(g.body.id, 20_000, c);
    const events = await k.h.ctx.db.selectFrom('webhook_events').select(['type', 'subject_id', 'data']).where('client_id', '=', c.id).orderBy('created_at').execute();
    const of = (id: string) => events.filter((e) => e.subject_id === id).map((e) => [e.type, (e.data as { status: string }).status]);
    expect(of(ok.body.id)).toEqual([['grant.pending', 'pending'], ['grant.redeemed', 'redeemed']]);
    expect(of(ko.body.id)).toEqual([['grant.pending', 'pending'], ['grant.failed', 'failed']]);
    const failed = events.find((e) => e.type === 'grant.failed')!.data as { failure: { code: string }; recipient: { account: string } };
    expect(failed.failure.code).toBe('recharge_account_invalid');
    expect(failed.recipient.account).toMatch(/^139\*+\d{4}$/);
  });
});

describe('fulfilment', () => {
  it('reaches redeemed by callback: one submit, one order, one recharge at the first supplier', async () => {
    reset();
    const account = phone(++n);
    const r = await k.issue(account);
    const done = await k.waitFinal(r.body.id);
    expect(done).toMatchObject({ status: 'redeemed', failure: null });
    const v = await view(r.body.id);
    expect(v.status).toBe('succeeded');
    expect(v.attempts).toHaveLength(1);
    expect(v.attempts[0]).toMatchObject({ attempt_no: 1, customer_order_no: `${v.id}-1`, supplier_id: k.sandboxes[A].supplierId, state: 'succeeded' });
    expect(v.events.map((e: { kind: string }) => e.kind)).toContain('submit');
    expect(sb(A).counts.rechargesByAccount.get(account)).toBe(1);
    expect(sb(B).counts.rechargesByAccount.get(account)).toBeUndefined();
    // the attempt's job is over as soon as the grant is: when the callback came while it waited to poll, the
    // callback ended it (settled_by); when it came during the submit, the submit's own run saw it final
    const job = await k.h.ctx.db.selectFrom('jobs').select(['status', 'result']).where('dedupe_key', '=', v.attempts[0].id).executeTakeFirstOrThrow();
    expect(job.status).toBe('succeeded');
  });

  it('reaches redeemed by polling when no callback ever comes', async () => {
    reset();
    sb(A).knobs.callbackDropRate = 1;
    const account = phone(++n);
    const r = await k.issue(account);
    expect((await k.waitFinal(r.body.id)).status).toBe('redeemed');
    const v = await view(r.body.id);
    expect(v.events.some((e: { kind: string; outcome: string }) => e.kind === 'query' && e.outcome === 'found:success')).toBe(true);
    expect(v.events.some((e: { kind: string }) => e.kind === 'callback')).toBe(false);
    expect(sb(A).counts.rechargesByAccount.get(account)).toBe(1);
  });

  for (const code of [3001, 3003, 5000]) {
    it(`fails over A → B on ${code} with a new attempt number`, async () => {
      reset();
      Object.assign(sb(A).knobs, { errorCode: code, errorNext: 1 });
      const account = phone(++n);
      const r = await k.issue(account);
      expect((await k.waitFinal(r.body.id)).status).toBe('redeemed');
      const v = await view(r.body.id);
      expect(v.attempts.map((a: { state: string; supplier_id: string; result_code: number | null; customer_order_no: string }) => [a.customer_order_no, a.supplier_id, a.state, a.result_code])).toEqual([
        [`${v.id}-1`, k.sandboxes[A].supplierId, 'rejected', code],
        [`${v.id}-2`, k.sandboxes[B].supplierId, 'succeeded', null],
      ]);
      expect(sb(A).counts.rechargesByAccount.get(account)).toBeUndefined();
      expect(sb(B).counts.rechargesByAccount.get(account)).toBe(1);
    });
  }

  it('fails over when the order fails at the supplier (confirmed by query)', async () => {
    reset();
    sb(A).knobs.failRate = 1;
    const account = phone(++n);
    const r = await k.issue(account);
    expect((await k.waitFinal(r.body.id)).status).toBe('redeemed');
    const v = await view(r.body.id);
    expect(v.attempts.map((a: { state: string }) => a.state)).toEqual(['failed', 'succeeded']);
    expect(sb(B).counts.rechargesByAccount.get(account)).toBe(1);
  });

  it('4001 fails the grant with recharge_account_invalid and tries no other supplier', async () => {
    reset();
    const account = phone(++n);
    sb(A).knobs.invalidAccountPrefix = account;
    const r = await k.issue(account);
    const done = await k.waitFinal(r.body.id);
    expect(done).toMatchObject({ status: 'failed', failure: { code: 'recharge_account_invalid' } });
    const v = await view(r.body.id);
    expect(v.attempts).toHaveLength(1);
    expect(v.attempts[0]).toMatchObject({ state: 'rejected', result_code: 4001 });
    expect([...sb(B).counts.submitsByCustomerOrderNo.keys()].some((c) => c.startsWith(v.id))).toBe(false);
  });

  it('every supplier declining fails the grant with recharge_unavailable', async () => {
    reset();
    sb(A).knobs.isOpen = false;
    Object.assign(sb(B).knobs, { errorCode: 3002, errorRate: 1 });
    const r = await k.issue(phone(++n));
    const done = await k.waitFinal(r.body.id);
    expect(done).toMatchObject({ status: 'failed', failure: { code: 'recharge_unavailable' } });
    const v = await view(r.body.id);
    expect(v.attempts.map((a: { state: string; result_code: number }) => [a.state, a.result_code])).toEqual([['rejected', 3004], ['rejected', 3002]]);
    expect(v.failure.code).toBe('recharge_unavailable');
  });
});
