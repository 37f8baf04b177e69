import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Harness } from '../../testutil/harness.ts';
import { PHONE_PROOF_COOKIE, sealPhoneProof } from '../../modules/notify/index.ts';
import type { VerifiedPhone } from './claim.ts';

// Test helpers for campaign links: a verified phone as notify will give it, a campaign made through the
// admin API, and a stand-in phone proof (a header) until notify's cookie is wired.
export function verified(ctx: AppContext, phone: string): VerifiedPhone {
  return { phone, phoneFingerprint: ctx.secrets.phoneFingerprint(phone), masked: `${phone.slice(0, 3)}****${phone.slice(-4)}` };
}

/**
 * The headers of a visitor whose phone is proven: notify's own proof cookie, sealed as the verify endpoint
 * seals it (the SMS round trip itself is tested in notify and in the H5 browser test).
 */
export function provenPhoneHeaders(ctx: AppContext, phone: string): Record<string, string> {
  return { cookie: `${PHONE_PROOF_COOKIE}=${sealPhoneProof(ctx, phone, 'campaign')}` };
}

export async function makeCampaign(h: Harness, opts: { budget?: number; stock?: number; perPerson?: number; activate?: boolean; startsAt?: Date; endsAt?: Date } = {}) {
  const admin = await h.admin('operator');
  const client = await h.client();
  const product = await h.product();
  if (opts.stock !== 0) await h.stock(product.id, opts.stock ?? opts.budget ?? 10);
  const r = await admin.request('POST', '/v1/admin/campaigns', {
    name: '追剧宅家礼包',
    client: client.id,
    product: product.sku,
    budget: opts.budget ?? 10,
    per_person_limit: opts.perPerson ?? 1,
    starts_at: (opts.startsAt ?? new Date(Date.now() - 60_000)).toISOString(),
    ends_at: (opts.endsAt ?? new Date(Date.now() + 86_400_000)).toISOString(),
    instructions: '打开爱奇艺 App，在“我的”中兑换',
    activate: opts.activate ?? true,
  });
  if (r.status !== 201) throw new Error(`campaign create: ${r.status} ${JSON.stringify(r.body)}`);
  return { admin, client, product, campaign: r.body as { id: string; slug: string; public_url: string; used: number; budget: number; status: string } };
}

export async function countersOf(h: Harness, campaignId: string) {
  const c = await h.ctx.db.selectFrom('campaigns').select(['used', 'status']).where('id', '=', campaignId).executeTakeFirstOrThrow();
  const claimants = await h.ctx.db.selectFrom('campaign_claimants').select(['n', 'attempts']).where('campaign_id', '=', campaignId).execute();
  const claims = await h.ctx.db.selectFrom('campaign_claims').select(['status']).where('campaign_id', '=', campaignId).execute();
  const grants = await sql<{ n: string }>`SELECT count(*) AS n FROM grants WHERE metadata @> ${JSON.stringify({ campaign: campaignId })}::jsonb`.execute(h.ctx.db);
  return { used: c.used, status: c.status, claimants, claims: claims.map((x) => x.status).sort(), grants: Number(grants.rows[0].n) };
}
