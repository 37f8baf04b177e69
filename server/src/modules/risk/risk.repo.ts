import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import type { RiskBlacklistTable, RiskDecisionsTable, RiskReviewsTable, RiskRulesTable, RiskTables } from '../../platform/db/schema.ts';
import { reviewMachine, type ReviewEvent } from './risk.machine.ts';

// SQL for this module's tables only (migration 023). Review statuses move through `moveReview`, guarded by
// the review machine's sources.
export const rdb = (db: Executor) => (db as unknown as Kysely<object>).withTables<RiskTables>() as Kysely<RiskTables> | Transaction<RiskTables>;

export type RuleRow = Selectable<RiskRulesTable>;
export type BlacklistRow = Selectable<RiskBlacklistTable>;
export type ReviewRow = Selectable<RiskReviewsTable>;
export type DecisionRow = Selectable<RiskDecisionsTable>;

export interface Scope {
  productId?: string;
  campaignId?: string;
  clientId?: string;
}

/** The active rules that apply to a claim in `scope`: global ones and those of its product, campaign, client. */
export async function activeRulesFor(db: Executor, scope: Scope): Promise<RuleRow[]> {
  return rdb(db)
    .selectFrom('risk_rules')
    .selectAll()
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('scope_type', '=', 'global'),
        ...(scope.productId ? [eb.and([eb('scope_type', '=', 'product'), eb('scope_id', '=', scope.productId)])] : []),
        ...(scope.campaignId ? [eb.and([eb('scope_type', '=', 'campaign'), eb('scope_id', '=', scope.campaignId)])] : []),
        ...(scope.clientId ? [eb.and([eb('scope_type', '=', 'client'), eb('scope_id', '=', scope.clientId)])] : []),
      ]),
    )
    .orderBy('id')
    .execute();
}

/** The first blacklist entry matching the IP (inside a range) or the phone fingerprint. */
export async function blacklisted(db: Executor, ip: string | null, phoneFp: Buffer | null): Promise<BlacklistRow | undefined> {
  if (!ip && !phoneFp) return undefined;
  return rdb(db)
    .selectFrom('risk_blacklist')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(ip ? [eb.and([eb('kind', '=', 'ip'), sql<boolean>`${ip}::inet <<= ip_range`])] : []),
        ...(phoneFp ? [eb.and([eb('kind', '=', 'phone'), eb('phone_fp', '=', phoneFp)])] : []),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
}

export async function listBlacklist(db: Executor, q: { kind?: 'ip' | 'phone'; limit: number; cursor?: string }): Promise<BlacklistRow[]> {
  let query = rdb(db).selectFrom('risk_blacklist').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.execute();
}

export async function listRules(db: Executor, q: { scopeType?: string; scopeId?: string; status?: 'active' | 'disabled' }): Promise<RuleRow[]> {
  let query = rdb(db).selectFrom('risk_rules').selectAll().orderBy('scope_type').orderBy('scope_id').orderBy('id');
  if (q.scopeType) query = query.where('scope_type', '=', q.scopeType as RuleRow['scope_type']);
  if (q.scopeId !== undefined) query = query.where('scope_id', '=', q.scopeId);
  if (q.status) query = query.where('status', '=', q.status);
  return query.limit(1000).execute();
}

export async function getRule(db: Executor, id: string): Promise<RuleRow | undefined> {
  return rdb(db).selectFrom('risk_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getReview(db: Executor, id: string): Promise<ReviewRow | undefined> {
  return rdb(db).selectFrom('risk_reviews').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listReviews(db: Executor, q: { status?: ReviewRow['status']; subjectType?: string; limit: number; cursor?: string }): Promise<ReviewRow[]> {
  let query = rdb(db).selectFrom('risk_reviews').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.subjectType) query = query.where('subject_type', '=', q.subjectType);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.execute();
}

/** Moves a review by `event` when it is still in a source state; the moved row, or undefined (decided already). */
export async function moveReview(db: Executor, id: string, event: ReviewEvent, by: { actor: string; reason: string }): Promise<ReviewRow | undefined> {
  return rdb(db)
    .updateTable('risk_reviews')
    .set({ status: reviewMachine.targetOf(event), decided_by: by.actor, decision_reason: by.reason, decided_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', reviewMachine.sourcesOf(event))
    .returningAll()
    .executeTakeFirst();
}

export async function insertDecision(db: Executor, d: Omit<RiskDecisionsTable, 'created_at' | 'scope'> & { scope: Record<string, unknown> }): Promise<void> {
  await rdb(db).insertInto('risk_decisions').values({ ...d, scope: JSON.stringify(d.scope) }).execute();
}

export async function listDecisions(db: Executor, q: { outcome?: 'deny' | 'review'; limit: number; cursor?: string }): Promise<DecisionRow[]> {
  let query = rdb(db).selectFrom('risk_decisions').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.outcome) query = query.where('outcome', '=', q.outcome);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.execute();
}

/** Deletes decisions older than `days` (the pruner), at most `limit`. */
export async function pruneDecisions(db: Executor, days: number, limit = 1000): Promise<number> {
  const due = rdb(db).selectFrom('risk_decisions').select('id').where('created_at', '<', new Date(Date.now() - days * 86_400_000)).limit(limit);
  const r = await rdb(db).deleteFrom('risk_decisions').where('id', 'in', due).executeTakeFirst();
  return Number(r.numDeletedRows);
}
