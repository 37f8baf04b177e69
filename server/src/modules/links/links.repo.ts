import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import type { LinkBatchesTable, LinkTables } from '../../platform/db/schema.ts';
import { linkBatchMachine, type LinkBatchEvent } from './links.machine.ts';

// SQL for this module's tables only (link_batches, link_batch_items; migration 025). Status changes go
// through `moveBatch`, guarded by the machine's sources; `issued` moves only with the item it counts.
export type LinkBatchRow = Selectable<LinkBatchesTable>;

const ldb = (db: Executor) => (db as unknown as Kysely<object>).withTables<LinkTables>() as Kysely<LinkTables> | Transaction<LinkTables>;

export async function insertBatch(db: Executor, row: { id: string; client_id: string; product_id: string; label: string; count: number; expires_at: Date | null; job_id: string; created_by: string }) {
  await ldb(db).insertInto('link_batches').values(row).execute();
}

export async function getBatch(db: Executor, id: string): Promise<LinkBatchRow | undefined> {
  return ldb(db).selectFrom('link_batches').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listBatches(db: Executor, q: { limit: number; cursor?: string }): Promise<LinkBatchRow[]> {
  let query = ldb(db).selectFrom('link_batches').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.execute();
}

/**
 * Records the grant issued for (batch, idx) and counts it, in one statement: a repeat (a restarted job
 * replaying the same grant) inserts nothing and counts nothing; the count never passes the batch's size.
 */
export async function recordItem(db: Executor, item: { batchId: string; idx: number; grantId: string; expiresAt: Date | null }): Promise<void> {
  await sql`WITH i AS (
              INSERT INTO link_batch_items (batch_id, idx, grant_id, expires_at)
              VALUES (${item.batchId}, ${item.idx}, ${item.grantId}, ${item.expiresAt}::timestamptz)
              ON CONFLICT DO NOTHING RETURNING 1)
            UPDATE link_batches SET issued = issued + (SELECT count(*) FROM i)::int
             WHERE id = ${item.batchId} AND issued + (SELECT count(*) FROM i)::int <= count`.execute(db);
}

/** Moves a batch by `event` when its status allows; false when it did not move. */
export async function moveBatch(db: Executor, id: string, event: LinkBatchEvent, error: string | null = null): Promise<boolean> {
  const r = await ldb(db)
    .updateTable('link_batches')
    .set({ status: linkBatchMachine.targetOf(event), error, finished_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', linkBatchMachine.sourcesOf(event))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The batch's links in index order, a page at a time (keyset on idx). */
export async function itemsPage(db: Executor, batchId: string, afterIdx: number, limit: number) {
  return ldb(db)
    .selectFrom('link_batch_items')
    .select(['idx', 'grant_id', 'expires_at'])
    .where('batch_id', '=', batchId)
    .where('idx', '>', afterIdx)
    .orderBy('idx')
    .limit(limit)
    .execute();
}
