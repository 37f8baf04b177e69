import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type AdminAgent, type Harness } from '../../testutil/harness.ts';
import { AppError } from '../../platform/errors.ts';
import { assessClaim, registerReviewHandler, submitForReview } from './index.ts';
import { rdb } from './risk.repo.ts';

// Bad rules, bad blacklist entries, bad claims and bad decisions: a clear 400 / 409 and nothing changed.
let h: Harness;
let admin: AdminAgent;
const count = async (table: 'risk_rules' | 'risk_blacklist' | 'risk_counters') => Number((await rdb(h.ctx.db).selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const snapshot = async () => [await count('risk_rules'), await count('risk_blacklist'), await count('risk_counters')];

beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin('admin');
});
afterAll(() => h?.close());

const limit = { scope_type: 'product', scope_id: 'prd_err', name: 'l', kind: 'limit', action: 'deny', dimension: 'phone', max: 3, window_seconds: 86_400 };
const threshold = { scope_type: 'global', name: 't', kind: 'threshold', action: 'deny', fact: 'account_age_days', op: 'gte', value: 7 };

describe('bad rules are refused with 400 and change nothing', () => {
  it.each([
    ['a negative limit', { ...limit, max: -1 }, 'max'],
    ['a zero limit', { ...limit, max: 0 }, 'max'],
    ['a fractional limit', { ...limit, max: 1.5 }, 'max'],
    ['a zero window', { ...limit, window_seconds: 0 }, 'window_seconds'],
    ['a window over a year', { ...limit, window_seconds: 40_000_000 }, 'window_seconds'],
    ['an unknown dimension', { ...limit, dimension: 'cookie' }, 'dimension'],
    ['a limit without a dimension', { ...limit, dimension: undefined }, 'dimension'],
    ['a soft threshold at max', { ...limit, review_above: 3 }, 'review_above'],
    ['an unknown fact', { ...threshold, fact: 'accont_age_days' }, 'fact'],
    ['a boolean fact compared by gte', { ...threshold, fact: 'phone_verified', value: true }, 'op'],
    ['a number for a boolean fact', { ...threshold, fact: 'phone_verified', op: 'eq', value: 1 }, 'value'],
    ['a boolean for a numeric fact', { ...threshold, value: true }, 'value'],
    ['a negative age', { ...threshold, value: -3 }, 'value'],
    ['a threshold with a window', { ...threshold, window_seconds: 60 }, 'window_seconds'],
    ['a global rule with a scope id', { ...threshold, scope_id: 'prd_x' }, 'scope_id'],
    ['a product rule without a product', { ...limit, scope_id: undefined }, 'scope_id'],
    ['an unknown scope type', { ...limit, scope_type: 'shop' }, 'scope_type'],
    ['an unknown action', { ...limit, action: 'block' }, 'action'],
    ['an unknown field', { ...limit, colour: 'red' }, ''],
  ])('%s', async (_what, body, field) => {
    const before = await snapshot();
    const r = await admin.request('POST', '/v1/admin/risk/rules', body);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('validation_failed');
    if (field) expect(JSON.stringify(r.body.errors)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it('an edit that would make a rule invalid is refused and the rule stays as it was', async () => {
    const created = await admin.request('POST', '/v1/admin/risk/rules', limit);
    expect(created.status).toBe(201);
    for (const patch of [{ max: -5 }, { fact: 'account_age_days' }, { review_above: 9 }, {}]) {
      const r = await admin.request('PATCH', `/v1/admin/risk/rules/${created.body.id}`, patch);
      expect(r.status, JSON.stringify(patch)).toBe(400);
    }
    const list = await admin.request('GET', '/v1/admin/risk/rules?scope_type=product&scope_id=prd_err');
    expect(list.body.data).toEqual([created.body]);
    expect((await admin.request('PATCH', '/v1/admin/risk/rules/rsk_nope', { max: 2 })).status).toBe(404);
  });
});

describe('bad blacklist entries', () => {
  it.each(['10.0.0.0/33', '10.0.0/8', '300.1.1.1', '2001:db8::/129', '2001:zz::/32', '10.0.0.0/8/8', 'example.com', '10.0.0.0/-1'])('IP range %s → 400', async (value) => {
    const before = await snapshot();
    const r = await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'ip', value });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('value');
    expect(await snapshot()).toEqual(before);
  });

  it('a phone that is not a number → 400; the same range twice → 409; removing an unknown entry → 404', async () => {
    expect((await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'phone', value: 'call me' })).status).toBe(400);
    expect((await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'ip', value: '198.18.0.0/15' })).status).toBe(201);
    const again = await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'ip', value: '198.19.1.1/15' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('risk_blacklist_duplicate');
    expect((await admin.request('DELETE', '/v1/admin/risk/blacklist/rbl_nope')).status).toBe(404);
  });
});

describe('bad claims', () => {
  it.each([
    ['not an IP', { ip: 'localhost' }, 'ip'],
    ['not a phone', { ip: '10.0.0.1', phone: 'abc' }, 'phone'],
    ['an unknown fact', { ip: '10.0.0.1', facts: { vip: true } }, 'facts.vip'],
    ['a mistyped fact', { ip: '10.0.0.1', facts: { account_age_days: '30' } }, 'facts.account_age_days'],
    ['a huge device id', { ip: '10.0.0.1', deviceId: 'x'.repeat(201) }, 'deviceId'],
  ])('%s → validation_failed, nothing counted', async (_what, input, field) => {
    const before = await snapshot();
    const e = await assessClaim(h.ctx, { scope: {}, ...input } as never).catch((x) => x);
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('validation_failed');
    expect(e.errors.map((p: { field: string }) => p.field)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });
});

describe('bad decisions', () => {
  it('needs a reason; a decided item cannot be decided again; an unknown subject type cannot be decided', async () => {
    registerReviewHandler('error_claim', { onApprove: async () => {}, onReject: async () => {} });
    const { id } = await submitForReview(h.ctx.db, { subjectType: 'error_claim', subjectRef: 'e1', payload: {}, reason: 'x', scope: {} });
    for (const body of [{}, { reason: '' }, { reason: '   ' }]) expect((await admin.request('POST', `/v1/admin/risk/reviews/${id}/approve`, body)).status).toBe(400);
    expect((await admin.request('POST', `/v1/admin/risk/reviews/${id}/reject`, { reason: 'farm' })).status).toBe(200);
    const twice = await admin.request('POST', `/v1/admin/risk/reviews/${id}/approve`, { reason: 'changed my mind' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('review_decided');
    expect((await admin.request('GET', `/v1/admin/risk/reviews/${id}`)).body).toMatchObject({ status: 'rejected', decision_reason: 'farm' });
    const orphan = await submitForReview(h.ctx.db, { subjectType: 'nobody_handles', subjectRef: 'o1', payload: {}, reason: 'x', scope: {} });
    const r = await admin.request('POST', `/v1/admin/risk/reviews/${orphan.id}/approve`, { reason: 'ok' });
    expect(r.body.code).toBe('review_handler_missing');
    expect((await admin.request('GET', `/v1/admin/risk/reviews/${orphan.id}`)).body.status).toBe('pending');
    expect((await admin.request('POST', '/v1/admin/risk/reviews/rvw_nope/approve', { reason: 'ok' })).status).toBe(404);
  });

  it('a handler that fails rolls the decision back: the item stays pending', async () => {
    registerReviewHandler('failing_claim', { onApprove: async () => { throw new Error('stock gone'); }, onReject: async () => {} });
    const { id } = await submitForReview(h.ctx.db, { subjectType: 'failing_claim', subjectRef: 'f1', payload: {}, reason: 'x', scope: {} });
    expect((await admin.request('POST', `/v1/admin/risk/reviews/${id}/approve`, { reason: 'ok' })).status).toBe(500);
    expect((await admin.request('GET', `/v1/admin/risk/reviews/${id}`)).body).toMatchObject({ status: 'pending', decided_by: null });
  });
});
