import type { AppContext } from '../../platform/context.ts';
import { fail } from '../../platform/errors.ts';
import type { JobRun } from '../../platform/jobs/jobs.ts';
import { findCodeByFingerprint, type ClaimRecipient, type FoundCode } from '../../modules/redemption/index.ts';
import { assessClaim, registerHeldClaimReviews, releaseClaim, submitForReview, type Reservation } from '../../modules/risk/index.ts';

// Risk control in front of a redemption-code claim (issue 7 §7): the rules of the set's product and client
// decide before a use of the code is taken. deny → its 4xx; review → the claim waits for an operator (the
// recipient sealed in the review, the code kept only as its fingerprint) and an approval runs it as a job;
// allow → on, its counts given back when no grant comes of the claim.

export const REVIEW_SUBJECT = 'redemption_claim';
export const APPROVED_JOB = 'redemption.claim.approved';

export interface RiskFacts {
  ip?: string;
  deviceId?: string;
  /** what the client system vouches for on a signed call (FACTS: phone_verified, account_age_days …) */
  facts?: Record<string, unknown>;
}

/** What a held claim needs to run later: everything but the code (its fingerprint) and the plaintext recipient. */
export interface HeldRedemptionClaim {
  fingerprint: string;
  channel: 'api' | 'h5';
  recipient_sealed: string;
  identity_sealed: string;
  caller: { clientId: string; idempotencyKey: string; requestHash: string } | null;
  reservation: Reservation;
}

export type RedemptionGate = { pass: true; reservation: Reservation | null } | { pass: false; reviewId: string };

const sealContext = (ref: string) => 'risk-review:' + ref;

export async function redemptionRiskGate(
  ctx: AppContext,
  found: FoundCode,
  input: { channel: 'api' | 'h5'; recipient: ClaimRecipient; identity: string; caller?: NonNullable<HeldRedemptionClaim['caller']> } & RiskFacts,
): Promise<RedemptionGate> {
  // a signed call is assessed on what the client system says of its user (recipient, and the optional
  // `risk` facts: IP, device, thresholds); without an IP, IP rules do not apply to it
  const scope = { productId: found.product_id, clientId: found.client_id };
  const a = await assessClaim(ctx, { scope, ip: input.ip, deviceId: input.deviceId, phone: input.recipient.phone, externalId: input.recipient.external_id, facts: input.facts });
  if (a.outcome === 'allow') return { pass: true, reservation: a.reservation };
  if (a.outcome === 'deny') throw fail(a.code, a.reason);
  const ref = input.caller ? `${input.caller.clientId}:${input.caller.idempotencyKey}` : `${found.code_id}:${ctx.secrets.redemptionUserKey(input.identity).toString('hex').slice(0, 32)}`;
  const held: HeldRedemptionClaim = {
    fingerprint: Buffer.from(found.fingerprint).toString('hex'), // bytea is a Uint8Array on PGlite
    channel: input.channel,
    recipient_sealed: ctx.secrets.sealPii(JSON.stringify(input.recipient), sealContext(ref)).toString('base64'),
    identity_sealed: ctx.secrets.sealPii(input.identity, sealContext(ref) + ':identity').toString('base64'),
    caller: input.caller ?? null,
    reservation: a.reservation,
  };
  const queued = await submitForReview(ctx.db, { subjectType: REVIEW_SUBJECT, subjectRef: ref, payload: held as unknown as Record<string, unknown>, reason: a.reason, scope });
  // the same claim again while it waits: one review, one set of counts
  if (!queued.created) await releaseClaim(ctx, a.reservation);
  return { pass: false, reviewId: queued.id };
}

/** Runs an approved claim past the risk check (the flow's claim with the code found by its fingerprint). */
export type ApprovedRedemptionRunner = (
  ctx: AppContext,
  found: FoundCode,
  input: { channel: 'api' | 'h5'; recipient: ClaimRecipient; identity: string; caller?: NonNullable<HeldRedemptionClaim['caller']> },
  reservation: Reservation,
) => Promise<{ grant: { id: string } }>;

export function registerRedemptionReviews(run: ApprovedRedemptionRunner) {
  registerHeldClaimReviews(REVIEW_SUBJECT, APPROVED_JOB);
  return async function runApproved(job: JobRun) {
    const held = job.payload.held as unknown as HeldRedemptionClaim;
    const ref = String(job.payload.ref);
    const recipient = JSON.parse(job.ctx.secrets.openPii(Buffer.from(held.recipient_sealed, 'base64'), sealContext(ref))) as ClaimRecipient;
    const identity = job.ctx.secrets.openPii(Buffer.from(held.identity_sealed, 'base64'), sealContext(ref) + ':identity');
    const found = await findCodeByFingerprint(job.ctx, Buffer.from(held.fingerprint, 'hex'));
    const out = await run(job.ctx, found, { channel: held.channel, recipient, identity, caller: held.caller ?? undefined }, held.reservation);
    return { grant_id: out.grant.id };
  };
}
