import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { getCampaign } from '../../modules/campaigns/index.ts';
import { claimCampaign, finishClaim, reserveClaim, CLAIM_JOB } from './index.ts';
import { jobDefinition } from '../../platform/jobs/registry.ts';
import { countersOf, makeCampaign, provenPhoneHeaders, verified } from './claim.testkit.ts';

// A campaign link end to end: the page's data, a claim with a verified phone that answers the redeem URL
// (which reveals the code), a second claim by the same phone sent back to the same grant, out of stock
// compensated, and a crash between the counters and the grant finished exactly once.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

const claimHttp = (slug: string, phone?: string) =>
  http(`${h.url}/v1/public/campaigns/${slug}/claim`, { method: 'POST', headers: { 'content-type': 'application/json', ...(phone ? provenPhoneHeaders(h.ctx, phone) : {}) }, body: '{}' });

describe('campaign links', () => {
  it('shows the campaign, claims with a verified phone, and the redeem URL reveals the code', async () => {
    const { campaign, product } = await makeCampaign(h, { budget: 3 });
    expect(campaign.public_url).toBe(`${h.url}/c/${campaign.slug}`);
    expect(campaign.slug).toMatch(/^[2-9a-z]{10}$/);

    const page = await http(`${h.url}/v1/public/campaigns/${campaign.slug}`, {});
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ campaign_id: campaign.id, name: '追剧宅家礼包', state: 'open', available: true, product: { name: product.name, kind: 'card_code' } });
    expect(JSON.stringify(page.body)).not.toMatch(/budget|used/);

    const r = await claimHttp(campaign.slug, '13812345678');
    expect(r.status).toBe(201);
    expect(r.body.redeem_url).toMatch(new RegExp(`^${h.url}/r/`));
    const reveal = await http(r.body.redeem_url.replace('/r/', '/v1/redeem/') + '/reveal', { method: 'POST' });
    expect(reveal.status).toBe(200);

    // the same phone again: refused, and sent back to the grant it has
    const again = await claimHttp(campaign.slug, '+86 138-1234-5678'.replace(/[^0-9]/g, '').slice(2));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'campaign_limit_reached', redeem_url: r.body.redeem_url });
    const c = await countersOf(h, campaign.id);
    expect(c).toMatchObject({ used: 1, grants: 1, claims: ['issued'] });

    // the phone is stored fingerprinted and sealed, never in plain text
    const claimRow = await h.ctx.db.selectFrom('campaign_claims').selectAll().where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(claimRow)).not.toContain('13812345678');
    expect(claimRow.phone_masked).toBe('138****5678');
  });

  it('without a verified phone the claim answers 401 phone_not_verified and changes nothing', async () => {
    const { campaign } = await makeCampaign(h, { budget: 2 });
    const r = await claimHttp(campaign.slug);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('phone_not_verified');
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 0, grants: 0, claims: [] });
  });

  it('a per-person limit of 2 gives two grants to one phone, then the latest one back', async () => {
    const { campaign } = await makeCampaign(h, { budget: 5, perPerson: 2 });
    const phone = verified(h.ctx, '13900000001');
    const a = await claimCampaign(h.ctx, { slug: campaign.slug, phone, ip: '10.0.0.1' });
    const b = await claimCampaign(h.ctx, { slug: campaign.slug, phone, ip: '10.0.0.1' });
    const c = await claimCampaign(h.ctx, { slug: campaign.slug, phone, ip: '10.0.0.1' });
    expect([a.outcome, b.outcome]).toEqual(['issued', 'issued']);
    expect(a.outcome === 'issued' && b.outcome === 'issued' && a.grant_id !== b.grant_id).toBe(true);
    expect(c).toMatchObject({ outcome: 'refused', code: 'campaign_limit_reached', redeem_url: b.outcome === 'issued' ? b.redeem_url : 'x' });
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 2, grants: 2 });
  });

  it('sold out: the budget ends the claims (and the page says not available)', async () => {
    const { campaign } = await makeCampaign(h, { budget: 2 });
    for (const p of ['13900000011', '13900000012']) expect((await claimCampaign(h.ctx, { slug: campaign.slug, phone: verified(h.ctx, p), ip: '10.0.0.2' })).outcome).toBe('issued');
    const r = await claimHttp(campaign.slug, '13900000013');
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('campaign_sold_out');
    expect((await http(`${h.url}/v1/public/campaigns/${campaign.slug}`, {})).body).toMatchObject({ available: false, state: 'sold_out' });
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 2, grants: 2, claimants: [{ n: 1, attempts: 1 }, { n: 1, attempts: 1 }] });
  });

  it('out of stock: 409 out_of_stock, the budget and the per-person count given back, the claim failed', async () => {
    const { campaign, product } = await makeCampaign(h, { budget: 5, stock: 1 });
    expect((await claimCampaign(h.ctx, { slug: campaign.slug, phone: verified(h.ctx, '13900000021'), ip: '10.0.0.3' })).outcome).toBe('issued');
    const r = await claimHttp(campaign.slug, '13900000022');
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('out_of_stock');
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 1, grants: 1, claims: ['failed', 'issued'] });
    // restocked, the same phone can claim again (a new claim number, so a new Idempotency-Key)
    await h.stock(product.id, 1);
    const again = await claimHttp(campaign.slug, '13900000022');
    expect(again.status).toBe(201);
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 2, grants: 2, claims: ['failed', 'issued', 'issued'] });
  });

  it('a crash between the counters and the grant is finished by the job exactly once', async () => {
    const { campaign } = await makeCampaign(h, { budget: 3 });
    const row = (await getCampaign(h.ctx.db, campaign.id))!;
    const phone = verified(h.ctx, '13900000031');
    // the process "dies" right after the counters' transaction: a pending claim and its job
    const reserved = await reserveClaim(h.ctx, row, { phone, ip: '10.0.0.4' });
    if (!('claimId' in reserved)) throw new Error('not reserved');
    const job = await h.ctx.db.selectFrom('jobs').select(['kind', 'payload', 'run_at']).where('kind', '=', CLAIM_JOB).where('dedupe_key', '=', reserved.claimId).executeTakeFirstOrThrow();
    expect(job.payload).toEqual({ claim_id: reserved.claimId });
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 1, grants: 0, claims: ['pending'] });

    // the job, a retry of it and the visitor coming back, all at once: one grant
    const handler = jobDefinition(CLAIM_JOB)!.handler;
    const run = () => handler({ id: 'job_x', kind: CLAIM_JOB, payload: { claim_id: reserved.claimId }, attempt: 1, runs: 1, lastAttempt: false, ctx: h.ctx, progress() {}, endSteps: () => [] });
    const [j1, j2, visitor] = await Promise.all([run(), run(), claimCampaign(h.ctx, { slug: campaign.slug, phone, ip: '10.0.0.4' })]);
    expect(j1).toMatchObject({ outcome: 'issued' });
    expect(j2).toEqual(j1);
    expect(visitor).toMatchObject({ outcome: 'refused', code: 'campaign_limit_reached' });
    expect((visitor as { redeem_url: string }).redeem_url).toMatch(/\/r\//);
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 1, grants: 1, claims: ['issued'] });
    // and running it once more changes nothing
    expect(await finishClaim(h.ctx, reserved.claimId)).toMatchObject({ outcome: 'issued', grant_id: (j1 as { grant_id: string }).grant_id });
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 1, grants: 1 });
  });

  it('on the embedded database, 40 claims by distinct phones for a budget of 10 give exactly 10 grants', async () => {
    const { campaign } = await makeCampaign(h, { budget: 10, stock: 20 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => claimCampaign(h.ctx, { slug: campaign.slug, phone: verified(h.ctx, `1370000${String(i).padStart(4, '0')}`), ip: '10.0.0.5' })));
    expect(results.filter((r) => r.outcome === 'issued')).toHaveLength(10);
    expect(new Set(results.filter((r) => r.outcome === 'refused').map((r) => (r as { code: string }).code))).toEqual(new Set(['campaign_sold_out']));
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 10, grants: 10 });
  });
});
