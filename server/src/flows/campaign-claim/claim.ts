import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, type ErrorCode } from '../../platform/errors.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { findProduct } from '../../modules/catalog/index.ts';
import { phoneProofFrom } from '../../modules/notify/index.ts';
import { releaseClaim, type DenyCode, type Reservation } from '../../modules/risk/index.ts';
import { riskGate } from './risk-gate.ts';
import { getGrant, grantIssuerFor, issueGrant, voidGrant, type IssuerInput } from '../../modules/grants/index.ts';
import {
  campaignBySlug,
  getCampaign,
  getClaim,
  giveBack,
  insertClaim,
  latestLiveClaim,
  moveClaim,
  takeBudget,
  takeClaimant,
  type CampaignRow,
  type ClaimRow,
} from '../../modules/campaigns/index.ts';

// A visitor of a campaign link with a verified phone claims one grant (issue 7 §2). In order:
//   1. the campaign's state (draft → not found; ended / paused / not started → refused, nothing written);
//   2. risk control (risk-gate.ts): deny → refused; review → held for an operator; allow → on, its counts given
//      back if no grant comes of the claim;
//   3. one transaction: the per-person count (conditional upsert), the budget (conditional UPDATE), the claim
//      row with a deterministic id, and a recovery job — all or nothing;
//   4. the grant, issued with the claim's id as its Idempotency-Key (so issuing twice gives one grant);
//   5. the claim marked issued; or, when the grant cannot be made (out of stock), the counters given back and
//      the claim marked failed — once, guarded by the claim's state machine.
// A crash between 3 and 5 leaves a pending claim: its job (or the visitor coming back) runs 4–5 again.

/** A phone proven by SMS code (what notify's `phoneProofFrom` answers). */
export interface VerifiedPhone {
  phone: string;
  phoneFingerprint: Buffer;
  masked: string;
}

export const CLAIM_JOB = 'campaign.claim.finish';
/** the recovery job waits this long, so the request that made the claim normally finishes it first */
export const CLAIM_RECOVERY_DELAY_MS = 30_000;

export type ClaimRefusal = Extract<
  ErrorCode,
  'campaign_not_found' | 'campaign_not_started' | 'campaign_paused' | 'campaign_sold_out' | 'campaign_ended' | 'campaign_limit_reached' | 'out_of_stock' | DenyCode
>;
export type ClaimResult =
  | { outcome: 'issued'; claim_id: string; grant_id: string; redeem_url: string }
  | { outcome: 'refused'; code: ClaimRefusal; detail: string; redeem_url?: string | null }
  // risk control holds the claim for an operator
  | { outcome: 'review'; detail: string };

// ---- the verified phone of a request -------------------------------------------------------------------
// The phone a visitor proved by SMS code (notify's HttpOnly `quanyi_phone` cookie); any purpose will do: the
// phone is proven either way.
export async function verifiedPhoneOf(ctx: AppContext, req: FastifyRequest): Promise<VerifiedPhone | null> {
  const proof = phoneProofFrom(ctx, req);
  return proof ? { phone: proof.phone, phoneFingerprint: proof.phoneFingerprint, masked: proof.masked } : null;
}

/** Why a campaign refuses claims now (before any write), or null when it takes them. */
export function refusalOf(c: CampaignRow, now = new Date()): { code: ClaimRefusal; detail: string } | null {
  if (c.status === 'draft') return { code: 'campaign_not_found', detail: 'No published campaign has this link.' };
  if (c.status === 'ended' || now >= c.ends_at) return { code: 'campaign_ended', detail: `The campaign "${c.name}" has ended.` };
  if (c.status === 'paused') return { code: 'campaign_paused', detail: `The campaign "${c.name}" is paused.` };
  if (now < c.starts_at) return { code: 'campaign_not_started', detail: `The campaign "${c.name}" starts at ${c.starts_at.toISOString()}.` };
  if (c.used >= c.budget) return { code: 'campaign_sold_out', detail: `The campaign "${c.name}" has given all its grants.` };
  return null;
}

/** The claim's id: the same campaign, phone and claim number always give the same id (and Idempotency-Key). */
export function claimIdOf(campaignId: string, phoneFingerprint: Buffer, seq: number): string {
  const h = createHash('sha256').update(campaignId).update('\0').update(phoneFingerprint).update('\0' + seq).digest('hex');
  return `ccl_${h.slice(0, 32)}`;
}

class Refused extends Error {
  constructor(readonly code: ClaimRefusal) {
    super(code);
  }
}

/**
 * Steps 1–3: takes the counters and records the claim with its recovery job, or refuses with nothing
 * written. Exported for the crash test: a process that dies after this has a pending claim and a job.
 */
export async function reserveClaim(ctx: AppContext, campaign: CampaignRow, input: { phone: VerifiedPhone; ip: string; deviceId?: string }): Promise<{ claimId: string } | { refused: ClaimRefusal }> {
  const fp = input.phone.phoneFingerprint;
  try {
    return await ctx.db.transaction().execute(async (tx) => {
      // per person first: it is the cheap row; the campaign's row (hot: every claim takes it) is locked last
      // and so held the shortest
      const claimant = await takeClaimant(tx, campaign.id, fp);
      if (!claimant) throw new Refused('campaign_limit_reached');
      if (!(await takeBudget(tx, campaign.id))) throw new Refused('campaign_sold_out');
      const claimId = claimIdOf(campaign.id, fp, claimant.attempts);
      await insertClaim(tx, {
        id: claimId,
        campaign_id: campaign.id,
        phone_fingerprint: fp,
        seq: claimant.attempts,
        phone_sealed: ctx.secrets.sealPii(input.phone.phone, 'phone:' + claimId),
        phone_masked: input.phone.masked,
        ip: input.ip.slice(0, 64),
        device_id: input.deviceId?.slice(0, 128) ?? null,
      });
      await enqueue(tx, CLAIM_JOB, { claim_id: claimId }, { runAt: new Date(Date.now() + CLAIM_RECOVERY_DELAY_MS), dedupeKey: claimId });
      return { claimId };
    });
  } catch (e) {
    if (e instanceof Refused) return { refused: e.code };
    throw e;
  }
}

export async function claimCampaign(ctx: AppContext, input: { slug: string; phone: VerifiedPhone; ip: string; deviceId?: string }): Promise<ClaimResult> {
  const campaign = await campaignBySlug(ctx.db, input.slug);
  if (!campaign) return { outcome: 'refused', code: 'campaign_not_found', detail: 'No published campaign has this link.' };
  const early = refusalOf(campaign);
  // a visitor who claimed already is sent back to their grant, even once the campaign is sold out
  if (early && early.code !== 'campaign_sold_out') return { outcome: 'refused', ...early };

  const gate = await riskGate(ctx, campaign, input);
  if (!gate.pass) return gate.result;
  return claimPastRisk(ctx, campaign, input, gate.reservation);
}

/**
 * Steps 3–5 for a claim risk control let through (now, or an operator approved it): the counters, the claim
 * and the grant. When no grant comes of it, the risk counts are given back.
 */
export async function claimPastRisk(ctx: AppContext, campaign: CampaignRow, input: { phone: VerifiedPhone; ip: string; deviceId?: string }, reservation: Reservation): Promise<ClaimResult> {
  const result = await countAndIssue(ctx, campaign, input);
  if (result.outcome !== 'issued') await releaseClaim(ctx, reservation);
  return result;
}

async function countAndIssue(ctx: AppContext, campaign: CampaignRow, input: { phone: VerifiedPhone; ip: string; deviceId?: string }): Promise<ClaimResult> {
  const r = await reserveClaim(ctx, campaign, input);
  if ('refused' in r) {
    if (r.refused === 'campaign_limit_reached') return limitReached(ctx, campaign, input.phone.phoneFingerprint);
    const now = (await getCampaign(ctx.db, campaign.id))!;
    return { outcome: 'refused', ...(refusalOf(now) ?? { code: 'campaign_sold_out', detail: `The campaign "${campaign.name}" has given all its grants.` }) };
  }
  return finishClaim(ctx, r.claimId);
}

/** Over the limit: the grant this phone already has (finishing its claim first if a crash left it pending). */
async function limitReached(ctx: AppContext, campaign: CampaignRow, fp: Buffer): Promise<ClaimResult> {
  const detail = `This phone has claimed ${campaign.per_person_limit === 1 ? 'this campaign' : `${campaign.per_person_limit} times`} already.`;
  const last = await latestLiveClaim(ctx.db, campaign.id, fp);
  if (!last) return { outcome: 'refused', code: 'campaign_limit_reached', detail, redeem_url: null };
  const finished = await finishClaim(ctx, last.id);
  return { outcome: 'refused', code: 'campaign_limit_reached', detail, redeem_url: finished.outcome === 'issued' ? finished.redeem_url : null };
}

// Issuing failures that mean "this grant cannot be made now" (expected, compensated); any other error is a
// fault, the claim stays pending and its job tries again.
const CANNOT_ISSUE = new Set<string>(['out_of_stock', 'product_inactive', 'product_not_stocked', 'product_not_found', 'recharge_no_supplier']);

/** Steps 4–5, idempotent: what the request, the recovery job and a returning visitor all run. */
export async function finishClaim(ctx: AppContext, claimId: string): Promise<ClaimResult> {
  const claim = await getClaim(ctx.db, claimId);
  if (!claim) throw new Error(`campaign claim ${claimId} does not exist`);
  const campaign = (await getCampaign(ctx.db, claim.campaign_id))!;
  if (claim.status === 'issued') return issuedResult(ctx, claim, campaign);
  if (claim.status === 'failed') return { outcome: 'refused', code: 'out_of_stock', detail: claim.failure ?? 'The grant could not be issued.' };
  const phone = ctx.secrets.openPii(claim.phone_sealed, 'phone:' + claim.id);
  const body = { product: campaign.product_id, recipient: { phone }, metadata: { campaign: campaign.id, campaign_claim: claim.id } };
  const issuerInput: IssuerInput = {
    clientId: campaign.client_id,
    issuedBy: `campaign:${campaign.id}`,
    body,
    idempotencyKey: claim.id,
    // the body is rebuilt the same from the claim every time, so a retry is a replay, never a "reused key"
    requestHash: ctx.secrets.requestHash(JSON.stringify(body)),
  };
  let grant;
  try {
    const product = await findProduct(ctx.db, campaign.product_id);
    const issuer = product ? grantIssuerFor(product.kind) : undefined;
    grant = issuer ? (await issuer(ctx, issuerInput)).grant : (await issueGrant(ctx, issuerInput)).grant;
  } catch (e) {
    if (!(e instanceof AppError) || !CANNOT_ISSUE.has(e.code)) throw e;
    await ctx.db.transaction().execute(async (tx) => {
      // only the run that moves the claim to failed gives the counters back: once, whoever else tries
      if (await moveClaim(tx, claim.id, 'fail', { failure: e.code })) await giveBack(tx, claim.campaign_id, claim.phone_fingerprint);
    });
    const now = await getClaim(ctx.db, claim.id);
    if (now?.status === 'issued') return issuedResult(ctx, now, campaign);
    return { outcome: 'refused', code: 'out_of_stock', detail: `The campaign "${campaign.name}" cannot give this grant now (${e.code}).` };
  }
  if (!(await moveClaim(ctx.db, claim.id, 'issue', { grant_id: grant.id }))) {
    const now = (await getClaim(ctx.db, claim.id))!;
    if (now.status === 'failed') {
      // another run of this claim found no stock and gave the counters back first, and this grant was made
      // after a restock: a failed claim keeps no grant (its code returns to stock); nobody saw its link
      await voidGrant(ctx, { id: grant.id, clientId: campaign.client_id, actor: `campaign:${campaign.id}`, reason: 'campaign claim failed' });
      return { outcome: 'refused', code: 'out_of_stock', detail: now.failure ?? 'The grant could not be issued.' };
    }
  }
  return { outcome: 'issued', claim_id: claim.id, grant_id: grant.id, redeem_url: grant.redeem_url! };
}

async function issuedResult(ctx: AppContext, claim: ClaimRow, campaign: CampaignRow): Promise<ClaimResult> {
  const grant = await getGrant(ctx, claim.grant_id!, campaign.client_id);
  return { outcome: 'issued', claim_id: claim.id, grant_id: grant.id, redeem_url: grant.redeem_url! };
}
