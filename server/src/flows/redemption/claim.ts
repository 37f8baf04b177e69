import type { AppContext } from '../../platform/context.ts';
import { AppError, conflict, fail, type ErrorCode } from '../../platform/errors.ts';
import type { JobRun } from '../../platform/jobs/jobs.ts';
import { findProduct } from '../../modules/catalog/index.ts';
import { getGrant, grantIssuerFor, issueGrant, voidGrant, type Grant, type IssuerInput } from '../../modules/grants/index.ts';
import {
  claimByRequestKey,
  claimFailed,
  claimSucceeded,
  claimTarget,
  findCode,
  getClaim,
  normalisedOrTypo,
  recipientOf,
  reserveClaim,
  type ClaimRecipient,
  type ClaimRow,
  type FoundCode,
} from '../../modules/redemption/index.ts';
import { releaseClaim, type Reservation } from '../../modules/risk/index.ts';
import { redemptionRiskGate } from './risk-gate.ts';

// Claiming a redemption code (issue 7 §1) spans two modules: `redemption` takes a use of the code and of the
// recipient's count and writes the pending claim (with a recovery job) in one transaction; then the grant is
// issued through the grants module with the claim's id as its Idempotency-Key, so the request and the job
// can both try and there is never a second grant. An expected refusal (out of stock …) gives both counters
// back and answers the refusal.

export interface ClaimInput {
  code: string;
  channel: 'api' | 'h5';
  recipient: ClaimRecipient;
  /** who claims, for the per-user limit: `ext:…`, `phone:…`, `account:…`, `device:…` */
  identity: string;
  /** the signed caller (its own sets only) with its Idempotency-Key and body hash */
  caller?: { clientId: string; idempotencyKey: string; requestHash: string };
  /** called before the lookup (reserve a guess) and once the code was found (give it back) */
  guard?: { beforeLookup(): Promise<void>; found(): Promise<void> };
  /** the claimant's address and device, for risk control (a signed call may leave them out) */
  ip?: string;
  deviceId?: string;
  /** facts the client system vouches for on a signed call (risk thresholds) */
  facts?: Record<string, unknown>;
}

/** risk control holds the claim for an operator: the grant follows once approved */
export interface HeldOutcome {
  held: true;
  review_id: string;
}

export interface ClaimOutcome {
  claim_id: string;
  set_id: string;
  grant: Grant;
  replayed: boolean;
}

const isUnique = (e: unknown) => (e as { code?: string })?.code === '23505';

/** THE entry point: the typo check, the lookup (throttled), a replay, risk control, then the claim. */
export async function claimRedemptionCode(ctx: AppContext, input: ClaimInput): Promise<ClaimOutcome | HeldOutcome> {
  const code = normalisedOrTypo(input.code);
  await input.guard?.beforeLookup();
  const found = await findCode(ctx, code, input.caller?.clientId);
  await input.guard?.found();
  if (input.caller) {
    const earlier = await claimByRequestKey(ctx.db, input.caller.clientId, input.caller.idempotencyKey);
    if (earlier) return replay(ctx, earlier, input.caller.requestHash);
  }
  const gate = await redemptionRiskGate(ctx, found, input);
  if (!gate.pass) return { held: true, review_id: gate.reviewId };
  return claimPastRisk(ctx, found, input, gate.reservation);
}

/** The claim for a claimant risk control let through (now, or an operator approved it); counts back on failure. */
export async function claimPastRisk(ctx: AppContext, found: FoundCode, input: Pick<ClaimInput, 'channel' | 'recipient' | 'identity' | 'caller'>, reservation: Reservation | null): Promise<ClaimOutcome> {
  try {
    return await reserveAndFinish(ctx, found, input);
  } catch (e) {
    if (reservation) await releaseClaim(ctx, reservation);
    throw e;
  }
}

async function reserveAndFinish(ctx: AppContext, found: FoundCode, input: Pick<ClaimInput, 'channel' | 'recipient' | 'identity' | 'caller'>): Promise<ClaimOutcome> {
  let claim: ClaimRow;
  try {
    claim = await reserveClaim(ctx, { found, channel: input.channel, recipient: input.recipient, identity: input.identity, requestKey: input.caller?.idempotencyKey, requestHash: input.caller?.requestHash });
  } catch (e) {
    // the same Idempotency-Key in two requests at once: the other one holds the claim
    if (input.caller && isUnique(e)) {
      const earlier = await claimByRequestKey(ctx.db, input.caller.clientId, input.caller.idempotencyKey);
      if (earlier) return replay(ctx, earlier, input.caller.requestHash);
    }
    throw e;
  }
  return { claim_id: claim.id, set_id: claim.set_id, grant: await finishClaim(ctx, claim), replayed: false };
}

async function replay(ctx: AppContext, claim: ClaimRow, requestHash: string): Promise<ClaimOutcome> {
  if (claim.request_hash !== requestHash) throw conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { claim_id: claim.id });
  if (claim.status === 'failed') throw fail((claim.failure_code ?? 'internal_error') as ErrorCode, undefined, { claim_id: claim.id });
  const grant = claim.status === 'succeeded' ? await getGrant(ctx, claim.grant_id!) : await finishClaim(ctx, claim);
  return { claim_id: claim.id, set_id: claim.set_id, grant, replayed: true };
}

/**
 * Issues the claim's grant (idempotent by the claim id) and ends the claim. A refusal with an expected
 * outcome (4xx) fails the claim and gives its counters back (once) and is rethrown; a fault leaves the claim
 * pending for the recovery job.
 */
export async function finishClaim(ctx: AppContext, claim: ClaimRow): Promise<Grant> {
  const target = await claimTarget(ctx, claim);
  const product = await findProduct(ctx.db, target.productId);
  const input: IssuerInput = {
    clientId: target.clientId,
    issuedBy: claim.set_id,
    body: { product: target.productId, recipient: recipientOf(ctx, claim), metadata: { redemption_set: claim.set_id, redemption_claim: claim.id } },
    idempotencyKey: claim.id,
    requestHash: ctx.secrets.requestHash(claim.id),
  };
  try {
    const issuer = product ? grantIssuerFor(product.kind) : undefined;
    const out = issuer ? await issuer(ctx, input) : await issueGrant(ctx, input);
    if (!(await claimSucceeded(ctx, claim.id, out.grant.id))) {
      // the other runner (request or recovery job) was refused and gave the counters back just before stock
      // came in: the claim stays failed, and the grant it no longer backs is voided (its code returns to stock)
      await voidGrant(ctx, { id: out.grant.id, actor: 'system', reason: `redemption claim ${claim.id} was given back` }).catch(() => undefined);
      const failed = await getClaim(ctx.db, claim.id);
      throw fail((failed?.failure_code ?? 'internal_error') as ErrorCode, undefined, { claim_id: claim.id });
    }
    return out.grant;
  } catch (e) {
    if (e instanceof AppError && e.status >= 400 && e.status < 500 && e.status !== 429) {
      await claimFailed(ctx, claim, e.code);
    }
    throw e;
  }
}

/** The recovery job: a claim still pending (the request crashed or failed after the counters) is finished. */
export async function runFinishClaimJob(run: JobRun): Promise<Record<string, unknown>> {
  const claim = await getClaim(run.ctx.db, String(run.payload.claim_id));
  if (!claim || claim.status !== 'pending') return { claim_id: run.payload.claim_id, skipped: claim?.status ?? 'missing' };
  try {
    const grant = await finishClaim(run.ctx, claim);
    return { claim_id: claim.id, grant_id: grant.id };
  } catch (e) {
    if (e instanceof AppError && e.status < 500) return { claim_id: claim.id, failed: e.code };
    throw e;
  }
}
