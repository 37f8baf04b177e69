import { sql } from 'kysely';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { AppError } from '../../platform/errors.ts';
import { openCode, unwrapBatchKey, type BatchKey, type CodeSecret } from './code-secret.ts';
import { codeMachine, sourcesOf, targetOf } from './code.machine.ts';
import { textArray } from '../../platform/db/literals.ts';

// The code lifecycle after the claim: release, deliver, expire. Every guard comes from code.machine.ts.
// Each function takes the caller's transaction, so a grant and its code always move together.

/** A released code is reserved; it may go back to stock, or to expired / voided (all three apply there). */
const RELEASABLE = sourcesOf('release').filter((s) => codeMachine.can(s, 'expire') && codeMachine.can(s, 'void'));

/**
 * Where a released code goes (the codes row is `c`, its batch `b`): expired if the code has expired, voided if
 * its batch was voided while the code was out, otherwise back in stock.
 */
const releasedStatus = () => sql`CASE WHEN c.expires_at IS NOT NULL AND c.expires_at <= now() THEN ${targetOf('expire')}::text
                                      WHEN b.status = 'voided' THEN ${targetOf('void')}::text
                                      ELSE ${targetOf('release')}::text END`;

/** Puts a reserved code back in stock (or marks it expired or voided); returns its masked hint. */
export async function releaseCode(tx: Tx, codeId: number): Promise<string | null> {
  const r = await releaseCodes(tx, [codeId]);
  return r[0]?.hint ?? null;
}

/** releaseCode for many codes in one statement (the grant expiry sweep). */
export async function releaseCodes(tx: Executor, codeIds: readonly number[]): Promise<{ id: number; hint: string }[]> {
  if (codeIds.length === 0) return [];
  const r = await sql<{ id: number; hint: string }>`
    UPDATE codes c SET status = ${releasedStatus()}, grant_id = NULL, updated_at = now()
      FROM batches b
     WHERE c.id = ANY(${codeIds as number[]}::bigint[]) AND c.status = ANY(${textArray(RELEASABLE)}) AND b.id = c.batch_id
    RETURNING c.id, c.hint`.execute(tx);
  return r.rows;
}

// Unwrapped batch keys, kept briefly: a reveal should not unwrap the same key again and again.
const batchKeys = new Map<string, { key: BatchKey; at: number }>();
const BATCH_KEY_TTL_MS = 300_000;

function batchKey(keyring: Keyring, batch: { id: string; dek_wrapped: Uint8Array; master_key_id: string }): BatchKey {
  const cacheKey = batch.id + ':' + batch.master_key_id;
  const hit = batchKeys.get(cacheKey);
  if (hit && Date.now() - hit.at < BATCH_KEY_TTL_MS) return hit.key;
  const key = unwrapBatchKey(keyring, batch);
  if (batchKeys.size > 1000) batchKeys.clear();
  batchKeys.set(cacheKey, { key, at: Date.now() });
  return key;
}

/** A re-reveal delivers the same code again (people lose it): already delivered is a repeat, not a move. */
const DELIVERABLE = [...sourcesOf('deliver'), targetOf('deliver')];

/**
 * Marks a grant's code delivered and opens it. Delivering a delivered code again returns the same secret.
 * A code in any other state is a fault (a grant that points at a code it does not hold).
 */
export async function deliverCode(tx: Tx, codeId: number, keyring: Keyring): Promise<{ secret: CodeSecret; hint: string; expiresAt: Date | null }> {
  const c = await sql<{ ciphertext: Uint8Array; hint: string; batch_id: string; dek_wrapped: Uint8Array; master_key_id: string; expires_at: Date | null }>`
    UPDATE codes c SET status = ${targetOf('deliver')}, updated_at = now()
      FROM batches b
     WHERE c.id = ${codeId} AND b.id = c.batch_id AND c.status = ANY(${textArray(DELIVERABLE)})
    RETURNING c.ciphertext, c.hint, c.batch_id, b.dek_wrapped, b.master_key_id, c.expires_at`.execute(tx);
  const code = c.rows[0];
  if (!code) throw new AppError(500, 'code_unavailable', 'Internal error', 'The code of this grant is not available.');
  const secret = openCode(batchKey(keyring, { id: code.batch_id, dek_wrapped: code.dek_wrapped, master_key_id: code.master_key_id }), code.ciphertext);
  return { secret, hint: code.hint, expiresAt: code.expires_at ? new Date(code.expires_at) : null };
}

/** The masked hint of a code (what a redeemed grant's page shows). */
export async function codeHint(db: Executor, codeId: number): Promise<string | null> {
  const r = await db.selectFrom('codes').select('hint').where('id', '=', codeId).executeTakeFirst();
  return r?.hint ?? null;
}

/**
 * The state the sweep expires: expirable and claimable, i.e. in stock and held by no grant. One state, as a
 * plain value, so the planner matches the partial index codes_expiry_idx (migration 002).
 */
const UNHELD_EXPIRABLE = (() => {
  const s = sourcesOf('expire').filter((x) => codeMachine.can(x, 'claim'));
  if (s.length !== 1) throw new Error('code machine: expected one claimable expirable state');
  return s[0];
})();

/**
 * Marks available codes past their expiry as expired, at most `limit` per call (one bounded UPDATE that
 * skips rows being claimed right now). Returns how many changed; call again while it returns `limit`.
 * Codes held by a grant are left to the grant (its expiry or void releases them).
 */
export async function expireCodes(db: Executor, opts: { limit?: number } = {}): Promise<number> {
  const limit = opts.limit ?? 10_000;
  // a materialized CTE: `id IN (SELECT … LIMIT n)` may be re-run by the planner and touch more than n rows
  const res = await sql`
    WITH due AS MATERIALIZED (
      SELECT id FROM codes
       WHERE status = ${UNHELD_EXPIRABLE} AND expires_at <= now()
       ORDER BY expires_at
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED)
    UPDATE codes SET status = ${targetOf('expire')}, updated_at = now()
      FROM due
     WHERE codes.id = due.id AND codes.status = ${UNHELD_EXPIRABLE}`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
