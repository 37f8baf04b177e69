import type { AppContext } from '../../platform/context.ts';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../audit/index.ts';
import { releaseClaim } from './risk.assess.ts';
import type { Reservation } from './risk.counters.ts';
import type { ReviewEvent } from './risk.machine.ts';
import { getReview, moveReview, rdb, type ReviewRow, type Scope } from './risk.repo.ts';

// The review queue. A module that holds a suspicious claim submits it here (in its own transaction) and
// registers a handler for its subject type at start-up (as registerGrantIssuer): an operator's decision
// calls onApprove or onReject inside the deciding transaction, after the conditional UPDATE that moved the
// item. Two operators deciding at once: the second waits on the row, finds it decided, and gets 409; the
// handler runs exactly once, and if it throws, the decision is rolled back and the item stays pending.

export interface ReviewItem {
  id: string;
  subjectType: string;
  subjectRef: string;
  payload: Record<string, unknown>;
  reason: string;
  scope: Record<string, unknown>;
  status: ReviewRow['status'];
  decidedBy: string | null;
  decisionReason: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export interface ReviewHandler {
  /** finishes the held claim; `tx` is the deciding transaction (enqueue slow work as a job in it) */
  onApprove(ctx: AppContext, item: ReviewItem, tx: Tx): Promise<void>;
  /** refuses it (release its reservation, tell the claimant) */
  onReject(ctx: AppContext, item: ReviewItem, tx: Tx): Promise<void>;
}

const handlers = new Map<string, ReviewHandler>();

export function registerReviewHandler(subjectType: string, handler: ReviewHandler): void {
  handlers.set(subjectType, handler);
}

/**
 * The usual handler: an approval enqueues `approvedJob` (payload `{review_id, ref, held}`: the held claim's
 * payload) in the deciding transaction, so the claim runs outside it; a rejection gives back the risk counts
 * kept in the payload's `reservation`.
 */
export function registerHeldClaimReviews(subjectType: string, approvedJob: string): void {
  registerReviewHandler(subjectType, {
    async onApprove(_ctx, item, tx) {
      await enqueue(tx, approvedJob, { review_id: item.id, ref: item.subjectRef, held: item.payload }, { dedupeKey: item.id });
    },
    async onReject(ctx, item) {
      await releaseClaim(ctx, item.payload.reservation as Reservation);
    },
  });
}

export const toReviewItem = (r: ReviewRow): ReviewItem => ({
  id: r.id,
  subjectType: r.subject_type,
  subjectRef: r.subject_ref,
  payload: r.payload,
  reason: r.reason,
  scope: r.scope,
  status: r.status,
  decidedBy: r.decided_by,
  decisionReason: r.decision_reason,
  decidedAt: r.decided_at,
  createdAt: r.created_at,
});

export interface ReviewInput {
  /** whose handler decides it: 'redemption_claim', 'campaign_claim' … */
  subjectType: string;
  /** the caller's id of the held claim; one review per (subjectType, subjectRef) */
  subjectRef: string;
  /**
   * what the handler needs to finish the claim (a reservation, product id …). Stored as JSON and shown to
   * operators: never a plaintext phone, code or token — seal those (ctx.secrets.sealPii) or keep them in
   * the caller's own tables and refer to them.
   */
  payload: Record<string, unknown>;
  reason: string;
  scope: Scope;
}

/** Queues a held claim for review, in the caller's transaction. Submitting the same subject again returns the first item. */
export async function submitForReview(tx: Executor, input: ReviewInput): Promise<{ id: string; created: boolean }> {
  const id = newId('rvw');
  const scope = { product_id: input.scope.productId, campaign_id: input.scope.campaignId, client_id: input.scope.clientId };
  const ins = await rdb(tx)
    .insertInto('risk_reviews')
    .values({ id, subject_type: input.subjectType, subject_ref: input.subjectRef, payload: JSON.stringify(input.payload), reason: input.reason.slice(0, 2000), scope: JSON.stringify(scope) })
    .onConflict((oc) => oc.columns(['subject_type', 'subject_ref']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (ins) return { id, created: true };
  const first = await rdb(tx).selectFrom('risk_reviews').select('id').where('subject_type', '=', input.subjectType).where('subject_ref', '=', input.subjectRef).executeTakeFirstOrThrow();
  return { id: first.id, created: false };
}

/** An operator's decision (audited); 409 when the item was decided already or nobody handles its subject type. */
export async function decideReview(ctx: AppContext, id: string, event: ReviewEvent, by: { actor: string; reason: string }): Promise<ReviewItem> {
  const existing = await getReview(ctx.db, id);
  if (!existing) throw notFound('Review', id);
  const handler = handlers.get(existing.subject_type);
  if (!handler) throw conflict('review_handler_missing', `No module handles reviews of ${existing.subject_type}; it cannot be decided yet.`);
  return ctx.db.transaction().execute(async (tx) => {
    const moved = await moveReview(tx, id, event, by);
    if (!moved) {
      const now = await getReview(tx, id);
      throw conflict('review_decided', `Review ${id} was ${now?.status} already${now?.decided_by ? ` by ${now.decided_by}` : ''}.`, { review_status: now?.status });
    }
    const item = toReviewItem(moved);
    await (event === 'approve' ? handler.onApprove(ctx, item, tx) : handler.onReject(ctx, item, tx));
    await appendAudit(tx, { actor: by.actor, action: `risk.review.${event}`, target: id, details: { subject_type: item.subjectType, subject_ref: item.subjectRef, reason: by.reason } });
    return item;
  });
}
