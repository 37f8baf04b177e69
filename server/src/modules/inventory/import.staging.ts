import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db, Executor } from '../../platform/db/db.ts';
import { sourcesOf, targetOf } from './code.machine.ts';
import { IMPORTING } from './batch.machine.ts';
import { textArray } from '../../platform/db/literals.ts';

// The staged side of a chunked import (embedded database): codes are inserted 'staged' in many short
// transactions, then published (→ available) by id range, or discarded when the import fails. Bounded
// statements, each its own transaction, so other work gets the only connection between them.
const STAGED = sourcesOf('publish');
const RANGE = 2_000;

async function idRange(db: Executor, batchId: string): Promise<{ lo: number; hi: number } | null> {
  const r = await sql<{ lo: number | null; hi: number | null }>`
    SELECT min(id) AS lo, max(id) AS hi FROM codes WHERE batch_id = ${batchId} AND status = ANY(${textArray(STAGED)})`.execute(db);
  const { lo, hi } = r.rows[0] ?? {};
  return lo === null || lo === undefined || hi === null || hi === undefined ? null : { lo: Number(lo), hi: Number(hi) };
}

/** Makes a batch's staged codes available, RANGE ids per transaction. Safe to repeat (a retry rolls forward). */
export async function publishStaged(db: Db, batchId: string): Promise<void> {
  const range = await idRange(db, batchId);
  if (!range) return;
  for (let lo = range.lo; lo <= range.hi; lo += RANGE) {
    await sql`UPDATE codes SET status = ${targetOf('publish')}, updated_at = now()
               WHERE id >= ${lo} AND id < ${lo + RANGE} AND batch_id = ${batchId} AND status = ANY(${textArray(STAGED)})`.execute(db);
    await yieldToEventLoop(); // queued work takes the connection between ranges
  }
}

/** Deletes a batch's staged codes, RANGE ids per transaction, then the batch row if it is still importing. */
export async function discardStaged(db: Db, batchId: string): Promise<void> {
  const range = await idRange(db, batchId);
  if (range) {
    for (let lo = range.lo; lo <= range.hi; lo += RANGE) {
      await sql`DELETE FROM codes WHERE id >= ${lo} AND id < ${lo + RANGE} AND batch_id = ${batchId} AND status = ANY(${textArray(STAGED)})`.execute(db);
      await yieldToEventLoop();
    }
  }
  await db.deleteFrom('batches').where('id', '=', batchId).where('status', '=', IMPORTING).execute();
}

// One chunked import at a time in this process (the embedded database has one process): two imports of
// overlapping files would otherwise see each other's staged codes as "already imported".
let tail: Promise<unknown> = Promise.resolve();
export function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const run = tail.then(fn, fn);
  tail = run.catch(() => undefined);
  return run;
}
