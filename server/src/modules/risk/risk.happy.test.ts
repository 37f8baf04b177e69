import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type AdminAgent, type Harness } from '../../testutil/harness.ts';
import { assessClaim, registerReviewHandler, releaseClaim, submitForReview, type ReviewItem } from './index.ts';
import { pruneCounters } from './risk.counters.ts';
import { pruneDecisions, rdb } from './risk.repo.ts';

// Rules, blacklists, thresholds and the review queue through the admin API and the callers' functions.
let h: Harness;
let admin: AdminAgent;
let n = 0;
/** a scope of its own per test: rules of one test never apply to another's claims */
const scope = () => ({ productId: `prd_happy${++n}` });
const rule = async (body: Record<string, unknown>) => {
  const r = await admin.request('POST', '/v1/admin/risk/rules', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
};

beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin('operator');
});
afterAll(() => h?.close());

describe('limits', () => {
  it('allows max claims per phone per window, denies the next, and a release gives one back once', async () => {
    const s = scope();
    await rule({ scope_type: 'product', scope_id: s.productId, name: '3 per phone a day', kind: 'limit', action: 'deny', dimension: 'phone', max: 3, window_seconds: 86_400 });
    const claim = (ip: string) => assessClaim(h.ctx, { scope: s, ip, phone: '+86 139-1234-5678' });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await claim(`10.0.0.${i + 1}`));
    expect(results.map((r) => r.outcome)).toEqual(['allow', 'allow', 'allow', 'deny']);
    expect(results[3]).toMatchObject({ code: 'risk_limit_exceeded', reason: expect.stringContaining('3 per phone a day') });
    // the same number spelled otherwise is the same phone
    expect((await assessClaim(h.ctx, { scope: s, ip: '10.0.0.9', phone: '13912345678' })).outcome).toBe('deny');
    const first = results[0];
    if (first.outcome !== 'allow') throw new Error('expected allow');
    await releaseClaim(h.ctx, first.reservation);
    await releaseClaim(h.ctx, first.reservation); // a retried release gives nothing more back
    expect((await claim('10.0.0.20')).outcome).toBe('allow');
    expect((await claim('10.0.0.21')).outcome).toBe('deny');
    // another product's claims are not limited by this rule
    expect((await assessClaim(h.ctx, { scope: scope(), ip: '10.0.0.1', phone: '13912345678' })).outcome).toBe('allow');
  });

  it('a denied claim counts in no limit (all or nothing), and a limit on a missing dimension does not apply', async () => {
    const s = scope();
    await rule({ scope_type: 'product', scope_id: s.productId, name: 'ip 5/h', kind: 'limit', action: 'deny', dimension: 'ip', max: 5, window_seconds: 3600 });
    await rule({ scope_type: 'product', scope_id: s.productId, name: 'device 1/h', kind: 'limit', action: 'deny', dimension: 'device', max: 1, window_seconds: 3600 });
    expect((await assessClaim(h.ctx, { scope: s, ip: '192.0.2.1', deviceId: 'dev-a' })).outcome).toBe('allow');
    // the device is full: denied, and the IP is not counted for it
    for (let i = 0; i < 3; i++) expect((await assessClaim(h.ctx, { scope: s, ip: '192.0.2.1', deviceId: 'dev-a' })).outcome).toBe('deny');
    // without a device id only the IP limit applies: 4 more fit in 5 (the denied ones took nothing)
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await assessClaim(h.ctx, { scope: s, ip: '192.0.2.1' })).outcome);
    expect(outcomes).toEqual(['allow', 'allow', 'allow', 'allow', 'deny']);
  });

  it('sends claims over a soft threshold, or over a review limit, to review; a disabled rule stops applying', async () => {
    const s = scope();
    const r = await rule({ scope_type: 'product', scope_id: s.productId, name: 'external id', kind: 'limit', action: 'review', dimension: 'external_id', max: 3, window_seconds: 3600, review_above: 1 });
    const out = [];
    for (let i = 0; i < 4; i++) out.push(await assessClaim(h.ctx, { scope: s, ip: '198.51.100.7', externalId: 'user-42' }));
    expect(out.map((o) => o.outcome)).toEqual(['allow', 'review', 'review', 'review']);
    expect(out[1]).toMatchObject({ reason: expect.stringContaining('review threshold 1') });
    expect(out[3]).toMatchObject({ reason: expect.stringContaining('more than 3') });
    const d = await admin.request('GET', '/v1/admin/risk/decisions?outcome=review&limit=200');
    expect(d.body.data.filter((x: { rule_id: string }) => x.rule_id === r.id)).toHaveLength(3);
    expect(d.body.data[0]).toMatchObject({ code: 'risk_review', external_hint: 'us…42', ip: '198.51.100.7' });
    const off = await admin.request('PATCH', `/v1/admin/risk/rules/${r.id}`, { status: 'disabled' });
    expect(off.body.status).toBe('disabled');
    expect((await assessClaim(h.ctx, { scope: s, ip: '198.51.100.7', externalId: 'user-42' })).outcome).toBe('allow');
  });

  it('applies global, campaign and client rules to a claim in those scopes', async () => {
    await rule({ scope_type: 'campaign', scope_id: 'cmp_happy', name: 'campaign device', kind: 'limit', action: 'deny', dimension: 'device', max: 1, window_seconds: 60 });
    await rule({ scope_type: 'client', scope_id: 'cli_happy', name: 'client ip', kind: 'limit', action: 'deny', dimension: 'ip', max: 1, window_seconds: 60 });
    expect((await assessClaim(h.ctx, { scope: { campaignId: 'cmp_happy' }, ip: '203.0.113.1', deviceId: 'd1' })).outcome).toBe('allow');
    expect((await assessClaim(h.ctx, { scope: { campaignId: 'cmp_happy' }, ip: '203.0.113.2', deviceId: 'd1' })).outcome).toBe('deny');
    expect((await assessClaim(h.ctx, { scope: { clientId: 'cli_happy', campaignId: 'cmp_other' }, ip: '203.0.113.3', deviceId: 'd1' })).outcome).toBe('allow');
    expect((await assessClaim(h.ctx, { scope: { clientId: 'cli_happy' }, ip: '203.0.113.3' })).outcome).toBe('deny');
    const list = await admin.request('GET', '/v1/admin/risk/rules?scope_type=campaign&scope_id=cmp_happy');
    expect(list.body.data.map((x: { name: string }) => x.name)).toEqual(['campaign device']);
  });
});

describe('new-user thresholds', () => {
  it('requires the facts the rules name; a missing fact does not meet a threshold; review instead of deny', async () => {
    const s = scope();
    const verified = await rule({ scope_type: 'product', scope_id: s.productId, name: 'phone verified', kind: 'threshold', action: 'deny', fact: 'phone_verified', op: 'eq', value: true });
    const age = await rule({ scope_type: 'product', scope_id: s.productId, name: 'a week old', kind: 'threshold', action: 'review', fact: 'account_age_days', op: 'gte', value: 7 });
    // true stays true and 7 stays 7 (the validator coerces types; the value is checked against the fact instead)
    expect([verified.value, age.value, age.max, age.dimension]).toEqual([true, 7, null, null]);
    const a = (facts: Record<string, unknown>) => assessClaim(h.ctx, { scope: s, ip: '10.1.0.1', facts });
    expect(await a({})).toMatchObject({ outcome: 'deny', code: 'risk_threshold_not_met', reason: expect.stringContaining('not given') });
    expect(await a({ phone_verified: false, account_age_days: 30 })).toMatchObject({ outcome: 'deny', code: 'risk_threshold_not_met' });
    expect(await a({ phone_verified: true, account_age_days: 2 })).toMatchObject({ outcome: 'review', reason: expect.stringContaining('account_age_days ≥ 7 (is 2)') });
    expect((await a({ phone_verified: true, account_age_days: 7 })).outcome).toBe('allow');
    const facts = await admin.request('GET', '/v1/admin/risk/facts');
    expect(facts.body.data.map((f: { name: string }) => f.name)).toContain('account_age_days');
  });
});

describe('blacklists', () => {
  it('denies IPs inside blacklisted IPv4 and IPv6 ranges and blacklisted phones, until removed', async () => {
    const s = scope();
    const v4 = await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'ip', value: '100.64.1.77/24', note: 'farm' });
    expect(v4.status).toBe(201);
    expect(v4.body.value).toBe('100.64.1.0/24');
    const v6 = await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'ip', value: '2001:db8:abcd::/48' });
    expect(v6.status).toBe(201);
    const one = await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'ip', value: '172.16.5.5' });
    expect(one.body.value).toBe('172.16.5.5/32');
    const ph = await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'phone', value: '+86 138 0000 1111' });
    expect(ph.body.value).toBe('138****1111');
    const a = (ip: string, phone?: string) => assessClaim(h.ctx, { scope: s, ip, phone });
    expect(await a('100.64.1.200')).toMatchObject({ outcome: 'deny', code: 'risk_blacklisted', reason: expect.stringContaining('100.64.1.0/24') });
    expect((await a('::ffff:100.64.1.9')).outcome).toBe('deny');
    expect((await a('100.64.2.1')).outcome).toBe('allow');
    expect((await a('2001:db8:abcd:12::1')).outcome).toBe('deny');
    expect((await a('2001:db8:abce::1')).outcome).toBe('allow');
    expect((await a('172.16.5.5')).outcome).toBe('deny');
    expect((await a('172.16.5.6')).outcome).toBe('allow');
    expect(await a('10.9.9.9', '13800001111')).toMatchObject({ outcome: 'deny', reason: 'phone 138****1111 is blacklisted' });
    expect((await a('10.9.9.9', '13800001112')).outcome).toBe('allow');
    const list = await admin.request('GET', '/v1/admin/risk/blacklist?kind=ip');
    expect(list.body.data.map((b: { value: string }) => b.value).sort()).toEqual(['100.64.1.0/24', '172.16.5.5/32', '2001:db8:abcd::/48']);
    expect((await admin.request('DELETE', `/v1/admin/risk/blacklist/${v4.body.id}`)).status).toBe(204);
    expect((await a('100.64.1.200')).outcome).toBe('allow');
    const audit = await (await h.admin('admin')).request('GET', `/v1/admin/audit?target=${v4.body.id}`);
    expect(audit.body.data.map((e: { action: string }) => e.action).sort()).toEqual(['risk.blacklist.add', 'risk.blacklist.remove']);
  });
});

describe('review queue', () => {
  it('an operator approves or rejects a held claim with a reason; the subject\'s handler runs once; audited', async () => {
    const calls: { kind: string; item: ReviewItem }[] = [];
    registerReviewHandler('happy_claim', {
      onApprove: async (_ctx, item) => void calls.push({ kind: 'approve', item }),
      onReject: async (_ctx, item) => void calls.push({ kind: 'reject', item }),
    });
    const ids = await h.ctx.db.transaction().execute(async (tx) => [
      await submitForReview(tx, { subjectType: 'happy_claim', subjectRef: 'claim-1', payload: { product_id: 'prd_x' }, reason: 'soft threshold', scope: { productId: 'prd_x' } }),
      await submitForReview(tx, { subjectType: 'happy_claim', subjectRef: 'claim-2', payload: {}, reason: 'new user', scope: {} }),
      await submitForReview(tx, { subjectType: 'happy_claim', subjectRef: 'claim-1', payload: { again: true }, reason: 'again', scope: {} }),
    ]);
    expect(ids[2]).toEqual({ id: ids[0].id, created: false });
    const pending = await admin.request('GET', '/v1/admin/risk/reviews?status=pending&subject_type=happy_claim');
    expect(pending.body.data.map((r: { subject_ref: string }) => r.subject_ref).sort()).toEqual(['claim-1', 'claim-2']);

    const ok = await admin.request('POST', `/v1/admin/risk/reviews/${ids[0].id}/approve`, { reason: 'known customer' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved', decided_by: admin.id, decision_reason: 'known customer', payload: { product_id: 'prd_x' } });
    const no = await admin.request('POST', `/v1/admin/risk/reviews/${ids[1].id}/reject`, { reason: 'farm' });
    expect(no.body.status).toBe('rejected');
    expect(calls.map((c) => [c.kind, c.item.subjectRef])).toEqual([['approve', 'claim-1'], ['reject', 'claim-2']]);
    const audit = await (await h.admin('admin')).request('GET', `/v1/admin/audit?target=${ids[0].id}`);
    expect(audit.body.data[0]).toMatchObject({ action: 'risk.review.approve', actor: admin.id });
  });

  it('support reads the risk pages but changes nothing; operators decide', async () => {
    const support = await h.admin('support');
    expect((await support.request('GET', '/v1/admin/risk/rules')).status).toBe(200);
    expect((await support.request('GET', '/v1/admin/risk/reviews')).status).toBe(200);
    expect((await support.request('POST', '/v1/admin/risk/blacklist', { kind: 'ip', value: '10.0.0.0/8' })).status).toBe(403);
    const finance = await h.admin('finance');
    expect((await finance.request('GET', '/v1/admin/risk/decisions')).status).toBe(403);
  });
});

describe('pruning', () => {
  it('deletes counters of past windows and old decisions, keeps the current ones', async () => {
    await rdb(h.ctx.db).insertInto('risk_counters').values([
      { key: 'prune:old', window_start: 0, n: 2, expires_at: new Date(Date.now() - 1000) },
      { key: 'prune:now', window_start: 0, n: 2, expires_at: new Date(Date.now() + 60_000) },
    ]).execute();
    await rdb(h.ctx.db).insertInto('risk_decisions').values({ id: 'rdc_00000000000000000000000000', outcome: 'deny', code: 'x', reason: 'old', rule_id: null, scope: '{}', ip: null, phone_masked: null, device_hint: null, external_hint: null, created_at: new Date(Date.now() - 40 * 86_400_000) }).execute();
    expect(await pruneCounters(h.ctx)).toBe(1);
    expect(await pruneDecisions(h.ctx.db, 30)).toBe(1);
    const left = await rdb(h.ctx.db).selectFrom('risk_counters').select('key').where('key', 'like', 'prune:%').execute();
    expect(left.map((r) => r.key)).toEqual(['prune:now']);
  });
});
