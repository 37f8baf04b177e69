import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { claimCampaign } from './index.ts';
import { countersOf, makeCampaign, provenPhoneHeaders, verified } from './claim.testkit.ts';

// Refusals change nothing: a campaign that is a draft, paused, ended (by its operator or its window) or not
// started refuses with its own code and no counter, claim or grant moves; bad input is a 4xx.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ QUANYI_CAMPAIGN_CLAIMS_PER_IP_PER_MINUTE: '5' });
});
afterAll(() => h?.close());

const claimHttp = (slug: string, phone: string, body = '{}', ip?: string) =>
  http(`${h.url}/v1/public/campaigns/${slug}/claim`, { method: 'POST', headers: { 'content-type': 'application/json', ...provenPhoneHeaders(h.ctx, phone), ...(ip ? { 'x-forwarded-for': ip } : {}) }, body });
const page = (slug: string) => http(`${h.url}/v1/public/campaigns/${slug}`, {});

describe('campaigns that refuse claims', () => {
  it('draft → 404; paused → 409 campaign_paused; resumed → claims; ended → 410 campaign_ended; nothing changes on a refusal', async () => {
    const { campaign, admin } = await makeCampaign(h, { budget: 5, activate: false });
    const phone = verified(h.ctx, '13800000001');
    expect((await page(campaign.slug)).status).toBe(404);
    expect(await claimCampaign(h.ctx, { slug: campaign.slug, phone, ip: '10.2.0.1' })).toMatchObject({ outcome: 'refused', code: 'campaign_not_found' });

    expect((await admin.request('POST', `/v1/admin/campaigns/${campaign.id}/activate`)).body.status).toBe('active');
    expect((await admin.request('POST', `/v1/admin/campaigns/${campaign.id}/pause`)).body.status).toBe('paused');
    expect((await page(campaign.slug)).body.state).toBe('paused');
    expect(await claimCampaign(h.ctx, { slug: campaign.slug, phone, ip: '10.2.0.1' })).toMatchObject({ outcome: 'refused', code: 'campaign_paused' });
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 0, grants: 0, claims: [], claimants: [] });

    expect((await admin.request('POST', `/v1/admin/campaigns/${campaign.id}/resume`)).body.status).toBe('active');
    expect((await claimCampaign(h.ctx, { slug: campaign.slug, phone, ip: '10.2.0.1' })).outcome).toBe('issued');

    expect((await admin.request('POST', `/v1/admin/campaigns/${campaign.id}/end`)).body.status).toBe('ended');
    const r = await claimHttp(campaign.slug, '13800000002');
    expect(r.status).toBe(410);
    expect(r.body.code).toBe('campaign_ended');
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await page(campaign.slug)).body.state).toBe('ended');
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 1, grants: 1, claims: ['issued'] });
    // an ended campaign moves no more
    const again = await admin.request('POST', `/v1/admin/campaigns/${campaign.id}/resume`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('campaign_transition');
  });

  it('not started → 409 campaign_not_started; past its window → 410 campaign_ended; nothing changes', async () => {
    const soon = await makeCampaign(h, { startsAt: new Date(Date.now() + 3_600_000) });
    const r = await claimHttp(soon.campaign.slug, '13800000003');
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('campaign_not_started');
    expect((await page(soon.campaign.slug)).body).toMatchObject({ state: 'not_started', available: true });
    expect(await countersOf(h, soon.campaign.id)).toMatchObject({ used: 0, grants: 0, claims: [], claimants: [] });

    const over = await makeCampaign(h, { startsAt: new Date(Date.now() - 7_200_000), endsAt: new Date(Date.now() + 1_500) });
    await new Promise((res) => setTimeout(res, 1_600));
    expect(await claimCampaign(h.ctx, { slug: over.campaign.slug, phone: verified(h.ctx, '13800000004'), ip: '10.2.0.2' })).toMatchObject({ outcome: 'refused', code: 'campaign_ended' });
    expect(await countersOf(h, over.campaign.id)).toMatchObject({ used: 0, grants: 0, claims: [], claimants: [] });
  });
});

describe('bad input', () => {
  it('public: an unknown or malformed slug, a bad body → 4xx', async () => {
    expect((await page('zzzzzzzzzz')).body.code).toBe('campaign_not_found');
    const bad = await page('NOT-A-SLUG');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    const { campaign } = await makeCampaign(h);
    const r = await claimHttp(campaign.slug, '13800000005', JSON.stringify({ device_id: 'x', extra: 1 }));
    expect(r.status).toBe(400);
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 0, claims: [] });
  });

  it('admin: a missing or wrong field is refused with errors[] and creates nothing', async () => {
    const { admin, client, product } = await makeCampaign(h);
    const before = await h.ctx.db.selectFrom('campaigns').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const base = { name: 'x', client: client.id, product: product.sku, budget: 10, starts_at: new Date().toISOString(), ends_at: new Date(Date.now() + 86_400_000).toISOString() };
    for (const [body, field] of [
      [{ ...base, budget: 0 }, 'budget'],
      [{ ...base, ends_at: base.starts_at }, 'ends_at'],
      [{ ...base, ends_at: new Date(Date.now() - 1000).toISOString(), starts_at: new Date(Date.now() - 5000).toISOString() }, 'ends_at'],
      [{ ...base, product: 'no-such-sku' }, 'product'],
      [{ ...base, client: 'cli_nope' }, 'client'],
      [{ ...base, per_person_limit: 0 }, 'per_person_limit'],
    ] as const) {
      const r = await admin.request('POST', '/v1/admin/campaigns', body);
      expect(r.status, field).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(JSON.stringify(r.body.errors)).toContain(field);
    }
    const after = await h.ctx.db.selectFrom('campaigns').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('admin: the budget cannot go below what is used; support may read but not change', async () => {
    const { admin, campaign } = await makeCampaign(h, { budget: 3 });
    for (const p of ['13800000011', '13800000012']) await claimCampaign(h.ctx, { slug: campaign.slug, phone: verified(h.ctx, p), ip: '10.2.0.3' });
    const r = await admin.request('PATCH', `/v1/admin/campaigns/${campaign.id}`, { budget: 1 });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('campaign_budget_below_used');
    expect((await admin.request('PATCH', `/v1/admin/campaigns/${campaign.id}`, { budget: 2 })).body).toMatchObject({ budget: 2, used: 2, remaining: 0 });
    const support = await h.admin('support');
    expect((await support.request('GET', `/v1/admin/campaigns/${campaign.id}`)).status).toBe(200);
    const denied = await support.request('POST', `/v1/admin/campaigns/${campaign.id}/pause`);
    expect(denied.status).toBe(403);
  });

  it('claims are throttled per IP (429 with Retry-After), and a throttled claim takes nothing', async () => {
    // the limit is 5 a minute here; earlier claims in this file came from the same address
    const { campaign } = await makeCampaign(h, { budget: 50 });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await claimHttp(campaign.slug, `1380000010${i}`));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].body.code).toBe('rate_limited');
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answers.every((r) => r.status === 201 || r.status === 429)).toBe(true);
    expect((await countersOf(h, campaign.id)).used).toBe(answers.filter((r) => r.status === 201).length);
  });
});
