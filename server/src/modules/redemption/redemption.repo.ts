import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import type { RedemptionClaimsTable, RedemptionGenerationsTable, RedemptionSetsTable } from '../../platform/db/schema.ts';
import {
  redemptionClaimMachine,
  redemptionGenerationMachine,
  redemptionSetMachine,
  type ClaimEvent,
  type GenerationEvent,
  type SetEvent,
} from './redemption.machine.ts';
import { textArray } from '../../platform/db/literals.ts';

// SQL for this module's tables only (migration 020). Counters move only by conditional statements; statuses
// only through the machines' sources.
export type SetRow = Selectable<RedemptionSetsTable>;
export type ClaimRow = Selectable<RedemptionClaimsTable>;
export type GenerationRow = Selectable<RedemptionGenerationsTable>;

export async function getSet(db: Executor, id: string): Promise<SetRow | undefined> {
  return db.selectFrom('redemption_sets').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listSets(db: Executor, q: { limit: number; cursor?: string; client_id?: string; status?: string }): Promise<SetRow[]> {
  let query = db.selectFrom('redemption_sets').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  if (q.client_id) query = query.where('client_id', '=', q.client_id);
  if (q.status) query = query.where('status', '=', q.status as SetRow['status']);
  return query.execute();
}

export async function moveSet(db: Executor, id: string, event: SetEvent): Promise<boolean> {
  const r = await db
    .updateTable('redemption_sets')
    .set({ status: redemptionSetMachine.targetOf(event), updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', redemptionSetMachine.sourcesOf(event))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Inserts codes by fingerprint; a collision is skipped and reported (the caller draws new ones). */
export async function insertCodes(db: Executor, setId: string, source: 'generated' | 'imported', maxRedemptions: number, codes: { fingerprint: Buffer; hint: string }[]): Promise<Set<string>> {
  if (!codes.length) return new Set();
  const rows = await db
    .insertInto('redemption_codes')
    .values(codes.map((c) => ({ set_id: setId, fingerprint: c.fingerprint, hint: c.hint, max_redemptions: maxRedemptions, source })))
    .onConflict((oc) => oc.column('fingerprint').doNothing())
    .returning('fingerprint')
    .execute();
  await db.updateTable('redemption_sets').set((eb) => ({ code_count: eb('code_count', '+', rows.length) })).where('id', '=', setId).execute();
  return new Set(rows.map((r) => Buffer.from(r.fingerprint).toString('hex')));
}

export async function listCodes(db: Executor, setId: string, q: { limit: number; cursor?: number }) {
  let query = db.selectFrom('redemption_codes').select(['id', 'hint', 'redeemed', 'max_redemptions', 'source', 'created_at']).where('set_id', '=', setId).orderBy('id').limit(q.limit);
  if (q.cursor !== undefined) query = query.where('id', '>', q.cursor);
  return query.execute();
}

export async function codeByFingerprint(db: Executor, fingerprint: Buffer) {
  return db
    .selectFrom('redemption_codes as c')
    .innerJoin('redemption_sets as s', 's.id', 'c.set_id')
    .select(['c.id as code_id', 'c.fingerprint', 'c.redeemed', 'c.max_redemptions', 's.id as set_id', 's.client_id', 's.product_id', 's.status', 's.starts_at', 's.ends_at', 's.per_user_limit'])
    .where('c.fingerprint', '=', fingerprint)
    .executeTakeFirst();
}

/** One use of the code, when it has one left and its set is active and in its window. */
export async function takeUse(db: Executor, codeId: number): Promise<boolean> {
  const r = await sql<{ id: number }>`
    UPDATE redemption_codes c SET redeemed = c.redeemed + 1
      FROM redemption_sets s
     WHERE c.id = ${codeId} AND s.id = c.set_id AND c.redeemed < c.max_redemptions
       AND s.status = ANY(${textArray(redemptionSetMachine.sourcesOf('claim'))}) AND now() >= s.starts_at AND now() < s.ends_at
     RETURNING c.id`.execute(db);
  return r.rows.length === 1;
}

/** One more claim by this user in this set, when under the limit: the counts after it, or null at the limit. */
export async function takeUserCount(db: Executor, setId: string, userKey: Buffer, limit: number): Promise<{ used: number; failed: number } | null> {
  const r = await sql<{ used: number; failed: number }>`
    INSERT INTO redemption_user_counts AS u (set_id, user_key, used) VALUES (${setId}, ${userKey}, 1)
    ON CONFLICT (set_id, user_key) DO UPDATE SET used = u.used + 1 WHERE u.used < ${limit}
    RETURNING used, failed`.execute(db);
  return r.rows[0] ? { used: Number(r.rows[0].used), failed: Number(r.rows[0].failed) } : null;
}

/** Gives back one use and one user count (a claim whose grant could not be issued). */
export async function giveBack(db: Executor, claim: Pick<ClaimRow, 'code_id' | 'set_id' | 'user_key'>): Promise<void> {
  await sql`UPDATE redemption_codes SET redeemed = redeemed - 1 WHERE id = ${claim.code_id} AND redeemed > 0`.execute(db);
  await sql`UPDATE redemption_user_counts SET used = used - 1, failed = failed + 1 WHERE set_id = ${claim.set_id} AND user_key = ${claim.user_key} AND used > 0`.execute(db);
}

export async function insertClaim(db: Executor, row: Omit<ClaimRow, 'status' | 'grant_id' | 'failure_code' | 'created_at' | 'updated_at'>): Promise<void> {
  await db.insertInto('redemption_claims').values(row).execute();
}

export async function getClaim(db: Executor, id: string): Promise<ClaimRow | undefined> {
  return db.selectFrom('redemption_claims').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function claimByRequestKey(db: Executor, clientId: string, requestKey: string): Promise<ClaimRow | undefined> {
  return db.selectFrom('redemption_claims').selectAll().where('client_id', '=', clientId).where('request_key', '=', requestKey).executeTakeFirst();
}

export async function moveClaim(db: Executor, id: string, event: ClaimEvent, patch: { grant_id?: string; failure_code?: string }): Promise<boolean> {
  const r = await db
    .updateTable('redemption_claims')
    .set({ status: redemptionClaimMachine.targetOf(event), updated_at: new Date(), ...patch })
    .where('id', '=', id)
    .where('status', 'in', redemptionClaimMachine.sourcesOf(event))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function getGeneration(db: Executor, id: string): Promise<GenerationRow | undefined> {
  return db.selectFrom('redemption_generations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listGenerations(db: Executor, setId: string): Promise<GenerationRow[]> {
  return db.selectFrom('redemption_generations').selectAll().where('set_id', '=', setId).orderBy('id', 'desc').limit(100).execute();
}

export async function moveGeneration(db: Executor, id: string, event: GenerationEvent, patch: Partial<Pick<GenerationRow, 'generated' | 'error'>> = {}): Promise<boolean> {
  const to = redemptionGenerationMachine.targetOf(event);
  const r = await db
    .updateTable('redemption_generations')
    .set({
      status: to,
      ...patch,
      ...(to === 'succeeded' || to === 'failed' ? { finished_at: new Date() } : {}),
      ...(to === 'downloaded' ? { downloaded_at: new Date() } : {}),
    })
    .where('id', '=', id)
    .where('status', 'in', redemptionGenerationMachine.sourcesOf(event))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function lastChunkSeq(db: Executor, generationId: string): Promise<number> {
  const r = await db.selectFrom('redemption_generation_chunks').select((eb) => eb.fn.max('seq').as('seq')).where('generation_id', '=', generationId).executeTakeFirst();
  return r?.seq === null || r?.seq === undefined ? -1 : Number(r.seq);
}

export async function appendChunk(db: Executor, generationId: string, seq: number, sealed: Buffer): Promise<void> {
  await db.insertInto('redemption_generation_chunks').values({ generation_id: generationId, seq, sealed }).execute();
}

export async function chunksOf(db: Executor, generationId: string) {
  return db.selectFrom('redemption_generation_chunks').select(['seq', 'sealed']).where('generation_id', '=', generationId).orderBy('seq').execute();
}

export async function deleteChunks(db: Executor, generationId: string): Promise<void> {
  await db.deleteFrom('redemption_generation_chunks').where('generation_id', '=', generationId).execute();
}

/** Generations whose plaintext list is past its 24 h (downloaded or not), at most `limit`. */
export async function dueForPurge(db: Executor, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('redemption_generations')
    .select('id')
    .where('expires_at', '<', new Date())
    .where('status', 'in', redemptionGenerationMachine.sourcesOf('purge'))
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
