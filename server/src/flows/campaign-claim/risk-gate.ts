import type { AppContext } from '../../platform/context.ts';
import type { JobRun } from '../../platform/jobs/jobs.ts';
import { getCampaign, type CampaignRow } from '../../modules/campaigns/index.ts';
import { assessClaim, registerHeldClaimReviews, releaseClaim, submitForReview, type Reservation } from '../../modules/risk/index.ts';
import type { ClaimResult, VerifiedPhone } from './claim.ts';

// Risk control in front of a campaign claim (issue 7 §7): the rules of the campaign, its product and its
// client decide before any counter moves. A deny refuses with the rule's code; a review holds the claim for an
// operator (the phone sealed in the review's payload) and an approval finishes it as a job; an allow keeps the
// risk counts, which are given back when the claim does not happen (limit reached, sold out, out of stock).

export const REVIEW_SUBJECT = 'campaign_claim';
export const APPROVED_JOB = 'campaign.claim.approved';

export type RiskGate = { pass: true; reservation: Reservation } | { pass: false; result: ClaimResult };

interface HeldClaim {
  campaign_id: string;
  phone_sealed: string;
  phone_masked: string;
  ip: string;
  device_id: string | null;
  reservation: Reservation;
}

const sealContext = (ref: string) => 'risk-review:' + ref;

export async function riskGate(ctx: AppContext, campaign: CampaignRow, input: { phone: VerifiedPhone; ip: string; deviceId?: string }): Promise<RiskGate> {
  const scope = { campaignId: campaign.id, productId: campaign.product_id, clientId: campaign.client_id };
  const a = await assessClaim(ctx, { scope, ip: input.ip, deviceId: input.deviceId, phone: input.phone.phone, facts: { phone_verified: true } });
  if (a.outcome === 'allow') return { pass: true, reservation: a.reservation };
  if (a.outcome === 'deny') return { pass: false, result: { outcome: 'refused', code: a.code, detail: a.reason } };
  const ref = `${campaign.id}:${input.phone.phoneFingerprint.toString('hex').slice(0, 32)}`;
  const held: HeldClaim = {
    campaign_id: campaign.id,
    phone_sealed: ctx.secrets.sealPii(input.phone.phone, sealContext(ref)).toString('base64'),
    phone_masked: input.phone.masked,
    ip: input.ip,
    device_id: input.deviceId ?? null,
    reservation: a.reservation,
  };
  const queued = await submitForReview(ctx.db, { subjectType: REVIEW_SUBJECT, subjectRef: ref, payload: held as unknown as Record<string, unknown>, reason: a.reason, scope });
  // one review per campaign and phone: a second attempt while one waits keeps no second set of counts
  if (!queued.created) await releaseClaim(ctx, a.reservation);
  return { pass: false, result: { outcome: 'review', detail: 'The claim is waiting for a review by the issuer; the grant follows once approved.' } };
}

/** What an approval runs (a job, so the decision's transaction stays short): the claim, past the risk check. */
export type ApprovedClaimRunner = (ctx: AppContext, campaign: CampaignRow, input: { phone: VerifiedPhone; ip: string; deviceId?: string }, reservation: Reservation) => Promise<ClaimResult>;

export function registerCampaignReviews(run: ApprovedClaimRunner) {
  registerHeldClaimReviews(REVIEW_SUBJECT, APPROVED_JOB);
  return async function runApproved(job: JobRun) {
    const held = job.payload.held as unknown as HeldClaim;
    const ref = String(job.payload.ref);
    const campaign = await getCampaign(job.ctx.db, held.campaign_id);
    if (!campaign) return { outcome: 'refused', code: 'campaign_not_found' };
    const phone = job.ctx.secrets.openPii(Buffer.from(held.phone_sealed, 'base64'), sealContext(ref));
    const verified: VerifiedPhone = { phone, phoneFingerprint: job.ctx.secrets.phoneFingerprint(phone), masked: held.phone_masked };
    const r = await run(job.ctx, campaign, { phone: verified, ip: held.ip, deviceId: held.device_id ?? undefined }, held.reservation);
    return r.outcome === 'issued' ? { outcome: 'issued', grant_id: r.grant_id } : { outcome: r.outcome, code: 'code' in r ? r.code : null };
  };
}
