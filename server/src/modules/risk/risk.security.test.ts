import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type AdminAgent, type Harness } from '../../testutil/harness.ts';
import { assessClaim, submitForReview } from './index.ts';
import { rdb } from './risk.repo.ts';

// No phone number in plaintext in the risk tables or the logs: blacklisted phones are fingerprints with a
// masked hint, counters key a phone by its fingerprint, decisions keep the masked phone only.
let h: Harness;
let admin: AdminAgent;
let logs = '';
const PHONE = '13987654321';

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => (logs += d.toString()));
  h = await createHarness({ LOG_LEVEL: 'info' }, { logStream: stream });
  admin = await h.admin('admin');
});
afterAll(() => h?.close());

describe('phones are never stored or logged in plaintext', () => {
  it('after blacklisting, counting, denying and reviewing a phone, no table row or log line holds its digits', async () => {
    const s = { productId: 'prd_sec' };
    await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'product', scope_id: 'prd_sec', name: 'phone 1/day', kind: 'limit', action: 'review', dimension: 'phone', max: 1, window_seconds: 86_400 });
    expect((await assessClaim(h.ctx, { scope: s, ip: '10.3.0.1', phone: PHONE, externalId: 'ext-secret-id' })).outcome).toBe('allow');
    expect((await assessClaim(h.ctx, { scope: s, ip: '10.3.0.1', phone: `+86 ${PHONE}` })).outcome).toBe('review');
    expect((await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'phone', value: PHONE, note: 'bonus hunter' })).status).toBe(201);
    expect((await assessClaim(h.ctx, { scope: s, ip: '10.3.0.1', phone: PHONE })).outcome).toBe('deny');
    await submitForReview(h.ctx.db, { subjectType: 'sec', subjectRef: 's1', payload: { phone_masked: '139****4321' }, reason: 'x', scope: s });

    const dump = JSON.stringify(
      await Promise.all((['risk_rules', 'risk_blacklist', 'risk_counters', 'risk_reviews', 'risk_decisions'] as const).map((t) => rdb(h.ctx.db).selectFrom(t).selectAll().execute())),
      (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v),
    );
    expect(dump).toContain('139****4321');
    expect(dump).not.toContain('87654321');
    expect(dump).not.toContain('ext-secret-id');
    // the console's views are masked too
    const views = JSON.stringify([(await admin.request('GET', '/v1/admin/risk/blacklist')).body, (await admin.request('GET', '/v1/admin/risk/decisions')).body]);
    expect(views).toContain('139****4321');
    expect(views).not.toContain('87654321');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain('87654321');
  });

  it('the audit trail of a blacklisted phone holds the masked phone only', async () => {
    const r = await admin.request('GET', '/v1/admin/audit?action=risk.blacklist.add');
    expect(JSON.stringify(r.body)).toContain('139****4321');
    expect(JSON.stringify(r.body)).not.toContain('87654321');
  });

  it('an operator without the permission cannot decide a review or change a rule (403)', async () => {
    const { id } = await submitForReview(h.ctx.db, { subjectType: 'sec', subjectRef: 's2', payload: {}, reason: 'x', scope: {} });
    for (const role of ['support', 'finance', 'auditor'] as const) {
      const agent = await h.admin(role);
      expect((await agent.request('POST', `/v1/admin/risk/reviews/${id}/approve`, { reason: 'ok' })).status).toBe(403);
      expect((await agent.request('POST', '/v1/admin/risk/rules', { scope_type: 'global', name: 'x', kind: 'threshold', action: 'deny', fact: 'phone_verified', op: 'eq', value: true })).status).toBe(403);
    }
    // without a session at all
    const res = await fetch(`${h.url}/v1/admin/risk/rules`);
    expect(res.status).toBe(401);
  });
});
