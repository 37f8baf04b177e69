import type { AppContext } from '../../platform/context.ts';
import { fail, type ErrorCode } from '../../platform/errors.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { checkCode } from './redemption.code.ts';
import { claimByRequestKey, codeByFingerprint, getClaim, getSet, giveBack, insertClaim, moveClaim, takeUse, takeUserCount, type ClaimRow } from './redemption.repo.ts';

// The redemption module's half of a claim: the code lookup, the two counters and the claim row (with its
// recovery job) in one transaction. Issuing the grant is the flow's half (flows/redemption-claim.ts); it
// ends the claim with `claimSucceeded` or gives the counters back with `claimFailed`.
export const FINISH_CLAIM_JOB = 'redemption.finish-claim';
/** the recovery job waits this long: the request normally finishes the claim first */
export const FINISH_CLAIM_DELAY_MS = 30_000;

export interface ClaimRecipient {
  external_id?: string;
  phone?: string;
  email?: string;
  account?: string;
}

export type FoundCode = NonNullable<Awaited<ReturnType<typeof codeByFingerprint>>>;

/** The typo check, before any lookup: 400 `redemption_code_typo` (not a guess). */
export function normalisedOrTypo(raw: string): string {
  const c = checkCode(raw);
  if (!c.ok) {
    const why = { length: 'has the wrong length', charset: 'holds a character that no code has (codes never use 0, O, 1, I or L)', check: 'has a typo (its check character does not match)' }[c.reason];
    throw fail('redemption_code_typo', `The code ${why}.`, { reason: c.reason }, [{ field: 'code', message: why }]);
  }
  return c.code;
}

/** The code by its fingerprint; a code of another client's set is "not found" to a signed caller. */
export async function findCode(ctx: AppContext, code: string, callerClientId?: string): Promise<FoundCode> {
  const found = await codeByFingerprint(ctx.db, ctx.secrets.redemptionFingerprint(code));
  if (!found || (callerClientId !== undefined && found.client_id !== callerClientId)) {
    throw fail('redemption_code_not_found', 'No redemption code matches.');
  }
  return found;
}

/** The code by its stored fingerprint (a claim held for review keeps only that, never the code). */
export async function findCodeByFingerprint(ctx: AppContext, fingerprint: Buffer): Promise<FoundCode> {
  const found = await codeByFingerprint(ctx.db, fingerprint);
  if (!found) throw fail('redemption_code_not_found', 'No redemption code matches.');
  return found;
}

/** Why a use could not be taken, from what the lookup saw. */
function refusal(found: FoundCode): ErrorCode {
  const now = Date.now();
  if (found.status === 'voided') return 'redemption_code_voided';
  if (found.status === 'paused') return 'redemption_code_paused';
  if (now < found.starts_at.getTime()) return 'redemption_code_not_started';
  if (now >= found.ends_at.getTime()) return 'redemption_code_expired';
  return 'redemption_code_exhausted';
}

export interface ReserveInput {
  found: FoundCode;
  channel: 'api' | 'h5';
  recipient: ClaimRecipient;
  /** who claims, for the per-user limit: `ext:<id>`, `phone:<digits>`, `device:<id>` … (fingerprinted) */
  identity: string;
  /** the signed caller's Idempotency-Key and body hash */
  requestKey?: string;
  requestHash?: string;
}

/**
 * Takes one use of the code (conditional UPDATE) and one of the recipient's count (conditional upsert), and
 * writes the pending claim and its recovery job, in one transaction: a refusal changes nothing.
 */
export async function reserveClaim(ctx: AppContext, input: ReserveInput): Promise<ClaimRow> {
  const { found } = input;
  const userKey = ctx.secrets.redemptionUserKey(input.identity);
  const id = await ctx.db.transaction().execute(async (tx) => {
    if (!(await takeUse(tx, found.code_id))) throw fail(refusal(found), undefined, { set_id: found.set_id });
    const counts = await takeUserCount(tx, found.set_id, userKey, found.per_user_limit);
    if (!counts) throw fail('redemption_limit_reached', `This recipient has claimed ${found.per_user_limit} time(s) already.`, { set_id: found.set_id });
    const seed = input.requestKey ? `api\0${found.client_id}\0${input.requestKey}` : `h5\0${found.set_id}\0${userKey.toString('hex')}\0${counts.used}\0${counts.failed}`;
    const claimId = ctx.secrets.redemptionClaimId(seed);
    await insertClaim(tx, {
      id: claimId,
      set_id: found.set_id,
      code_id: found.code_id,
      user_key: userKey,
      client_id: found.client_id,
      channel: input.channel,
      request_key: input.requestKey ?? null,
      request_hash: input.requestHash ?? null,
      recipient: ctx.secrets.sealPii(JSON.stringify(input.recipient), 'redemption-claim:' + claimId),
    });
    await enqueue(tx, FINISH_CLAIM_JOB, { claim_id: claimId }, { dedupeKey: claimId, runAt: new Date(Date.now() + FINISH_CLAIM_DELAY_MS) });
    return claimId;
  });
  return (await getClaim(ctx.db, id))!;
}

export { getClaim, claimByRequestKey };

export function recipientOf(ctx: AppContext, claim: ClaimRow): ClaimRecipient {
  return JSON.parse(ctx.secrets.openPii(Buffer.from(claim.recipient), 'redemption-claim:' + claim.id)) as ClaimRecipient;
}

/** What a claim issues: the set's product in its client's name. */
export async function claimTarget(ctx: AppContext, claim: ClaimRow): Promise<{ clientId: string; productId: string }> {
  const set = (await getSet(ctx.db, claim.set_id))!;
  return { clientId: set.client_id, productId: set.product_id };
}

/** The claim's grant exists: false when the claim had already been given back (failed) meanwhile. */
export async function claimSucceeded(ctx: AppContext, claimId: string, grantId: string): Promise<boolean> {
  if (await moveClaim(ctx.db, claimId, 'succeed', { grant_id: grantId })) return true;
  return (await getClaim(ctx.db, claimId))?.status === 'succeeded';
}

/** The grant was refused (an expected outcome): the claim fails and gives its use and count back, once. */
export async function claimFailed(ctx: AppContext, claim: ClaimRow, code: string): Promise<boolean> {
  return ctx.db.transaction().execute(async (tx) => {
    if (!(await moveClaim(tx, claim.id, 'fail', { failure_code: code }))) return false;
    await giveBack(tx, claim);
    return true;
  });
}
