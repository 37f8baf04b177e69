import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { jobDefinition } from '../../platform/jobs/registry.ts';
import { APPROVED_JOB } from './risk-gate.ts';
import { countersOf, makeCampaign, provenPhoneHeaders } from './claim.testkit.ts';

// Risk control in front of campaign claims: the campaign's rules deny before any counter moves, a review
// holds the claim until an operator decides, and the risk counts of a claim that gives nothing come back.
let h: Harness;
beforeAll(async () => {
  // behind a proxy we trust (loopback), so each request's X-Forwarded-For is its visitor's address
  h = await createHarness({ QUANYI_TRUST_PROXY: '127.0.0.1' });
});
afterAll(() => h?.close());

const claim = (slug: string, phone: string, ip: string) =>
  http(`${h.url}/v1/public/campaigns/${slug}/claim`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...provenPhoneHeaders(h.ctx, phone) }, body: '{}' });

describe('campaign claims behind risk control', () => {
  it('an IP limit of the campaign denies the third phone from one address with 429 and nothing counted', async () => {
    const { campaign, admin } = await makeCampaign(h, { budget: 10 });
    const rule = await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'campaign', scope_id: campaign.id, name: '2 per IP an hour', kind: 'limit', action: 'deny', dimension: 'ip', max: 2, window_seconds: 3600 });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    expect((await claim(campaign.slug, '13900000001', '100.70.0.1')).status).toBe(201);
    expect((await claim(campaign.slug, '13900000002', '100.70.0.1')).status).toBe(201);
    const third = await claim(campaign.slug, '13900000003', '100.70.0.1');
    expect(third.status).toBe(429);
    expect(third.body.code).toBe('risk_limit_exceeded');
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 2, grants: 2 });
    // another address is not limited
    expect((await claim(campaign.slug, '13900000003', '100.70.0.2')).status).toBe(201);
  });

  it('a repeated claim over the per-person limit gives its risk count back', async () => {
    const { campaign, admin } = await makeCampaign(h, { budget: 10 });
    await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'campaign', scope_id: campaign.id, name: '2 per IP an hour', kind: 'limit', action: 'deny', dimension: 'ip', max: 2, window_seconds: 3600 });
    expect((await claim(campaign.slug, '13900000011', '100.71.0.1')).status).toBe(201);
    // the same phone again: refused by the per-person limit, and the IP's count is returned …
    expect((await claim(campaign.slug, '13900000011', '100.71.0.1')).body.code).toBe('campaign_limit_reached');
    expect((await claim(campaign.slug, '13900000011', '100.71.0.1')).body.code).toBe('campaign_limit_reached');
    // … so a second phone from that address still gets its grant
    expect((await claim(campaign.slug, '13900000012', '100.71.0.1')).status).toBe(201);
  });

  it('a blacklisted phone is refused with 403 risk_blacklisted', async () => {
    const { campaign, admin } = await makeCampaign(h, { budget: 10 });
    expect((await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'phone', value: '13900000666' })).status).toBe(201);
    const r = await claim(campaign.slug, '13900000666', '100.72.0.1');
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('risk_blacklisted');
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 0, grants: 0, claims: [] });
  });

  it('a review rule holds the claim (202); approval issues the grant once, rejection gives the counts back', async () => {
    const { campaign, admin } = await makeCampaign(h, { budget: 10 });
    await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'campaign', scope_id: campaign.id, name: 'second per IP is reviewed', kind: 'limit', action: 'review', dimension: 'ip', max: 1, window_seconds: 3600 });
    expect((await claim(campaign.slug, '13900000021', '100.73.0.1')).status).toBe(201);
    const held = await claim(campaign.slug, '13900000022', '100.73.0.1');
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body.status).toBe('in_review');
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 1, grants: 1 });

    const queue = await admin.request('GET', '/v1/admin/risk/reviews?status=pending');
    const item = queue.body.data.find((i: { subject_ref: string }) => i.subject_ref.startsWith(campaign.id));
    expect(item).toBeTruthy();
    // the held phone is sealed in the review, never readable there
    expect(JSON.stringify(item)).not.toContain('13900000022');
    const approved = await admin.request('POST', `/v1/admin/risk/reviews/${item.id}/approve`, { reason: 'known customer' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const job = await h.ctx.db.selectFrom('jobs').select(['id', 'payload']).where('kind', '=', APPROVED_JOB).where('dedupe_key', '=', item.id).executeTakeFirstOrThrow();
    const handler = jobDefinition(APPROVED_JOB)!.handler;
    const run = () => handler({ id: job.id, kind: APPROVED_JOB, payload: job.payload as Record<string, unknown>, attempt: 1, runs: 1, lastAttempt: false, ctx: h.ctx, progress() {}, endSteps: () => [] });
    expect(await run()).toMatchObject({ outcome: 'issued' });
    // a retried job finds the phone over its limit: still one grant for it
    await run();
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 2, grants: 2 });

    // a third phone held, then rejected: nothing issued
    const third = await claim(campaign.slug, '13900000023', '100.73.0.1');
    expect(third.status).toBe(202);
    const q2 = await admin.request('GET', '/v1/admin/risk/reviews?status=pending');
    const item2 = q2.body.data.find((i: { subject_ref: string }) => i.subject_ref.startsWith(campaign.id));
    expect((await admin.request('POST', `/v1/admin/risk/reviews/${item2.id}/reject`, { reason: 'farm' })).status).toBe(200);
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 2, grants: 2 });
  });
});
