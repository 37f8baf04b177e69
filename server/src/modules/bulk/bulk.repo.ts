import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import type { BulkRowsTable, BulkRunsTable, BulkTables } from '../../platform/db/schema.ts';
import { bulkRowMachine, bulkRunMachine, type BulkRunEvent } from './bulk.machine.ts';
import { textArray } from '../../platform/db/literals.ts';

// SQL for this module's tables only (bulk_runs, bulk_rows; migration 021). Status changes are guarded by
// the machines' sources; the run's counters move only by `col = col + n` in the statement that moves rows.
export type BulkRunRow = Selectable<BulkRunsTable>;
export type BulkRowRow = Selectable<BulkRowsTable>;

export const bdb = (db: Executor) => (db as unknown as Kysely<object>).withTables<BulkTables>() as Kysely<BulkTables> | Transaction<BulkTables>;

export async function insertRun(db: Executor, row: Insertable<BulkRunsTable>) {
  await bdb(db).insertInto('bulk_runs').values(row).execute();
}

export async function insertRows(db: Executor, rows: Insertable<BulkRowsTable>[]) {
  if (rows.length) await bdb(db).insertInto('bulk_rows').values(rows).execute();
}

export async function getRun(db: Executor, id: string, clientId?: string): Promise<BulkRunRow | undefined> {
  let q = bdb(db).selectFrom('bulk_runs').selectAll().where('id', '=', id);
  if (clientId) q = q.where('client_id', '=', clientId);
  return q.executeTakeFirst();
}

export async function runByIdempotencyKey(db: Executor, clientId: string, key: string): Promise<BulkRunRow | undefined> {
  return bdb(db).selectFrom('bulk_runs').selectAll().where('client_id', '=', clientId).where('idempotency_key', '=', key).executeTakeFirst();
}

export async function listRuns(db: Executor, q: { limit: number; cursor?: string; clientId?: string; status?: string }): Promise<BulkRunRow[]> {
  let query = bdb(db).selectFrom('bulk_runs').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  if (q.clientId) query = query.where('client_id', '=', q.clientId);
  if (q.status) query = query.where('status', '=', q.status as never);
  return query.execute();
}

/** What the intake counted, and the run's current job: set once, while the run is not yet issuing. */
export async function setRunCounts(db: Executor, id: string, set: { total?: number; valid?: number; rejected?: number; duplicates?: number; job_id?: string }) {
  await bdb(db).updateTable('bulk_runs').set(set).where('id', '=', id).execute();
}

/** Moves a run by `event` when its status allows; false when it did not move. */
export async function moveRun(db: Executor, id: string, event: BulkRunEvent, patch: Partial<Pick<BulkRunsTable, 'job_id' | 'error'>> & { started?: boolean } = {}): Promise<boolean> {
  const to = bulkRunMachine.targetOf(event);
  const { started, ...rest } = patch;
  const r = await bdb(db)
    .updateTable('bulk_runs')
    .set({
      status: to,
      ...rest,
      updated_at: new Date(),
      ...(bulkRunMachine.isFinal(to) ? { finished_at: new Date() } : {}),
      ...(started ? { started_at: sql<Date>`COALESCE(started_at, now())` } : {}),
    })
    .where('id', '=', id)
    .where('status', 'in', bulkRunMachine.sourcesOf(event))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function runStatus(db: Executor, id: string) {
  return (await bdb(db).selectFrom('bulk_runs').select('status').where('id', '=', id).executeTakeFirst())?.status ?? null;
}

/** Pending rows after `afterRowNo`, in order (the partial index bulk_rows_pending). */
export async function pendingRows(db: Executor, runId: string, afterRowNo: number, limit: number): Promise<BulkRowRow[]> {
  return bdb(db)
    .selectFrom('bulk_rows')
    .selectAll()
    .where('run_id', '=', runId)
    .where('status', '=', 'pending')
    .where('row_no', '>', afterRowNo)
    .orderBy('row_no')
    .limit(limit)
    .execute();
}

export interface RowResult {
  row_no: number;
  status: 'issued' | 'failed';
  grant_id: string | null;
  error_code: string | null;
  error: string | null;
}

/**
 * Records the outcome of rows in one statement: only rows the row machine lets move do (a chunk recorded
 * twice changes nothing the second time), and the run's counters grow by exactly the rows that moved.
 * Returns the rows that moved.
 */
export async function recordResults(db: Executor, runId: string, results: RowResult[]): Promise<{ row_no: number; status: string; grant_id: string | null }[]> {
  if (!results.length) return [];
  const r = await sql<{ row_no: number; status: string; grant_id: string | null }>`
    WITH r AS (
      SELECT * FROM unnest(${results.map((x) => x.row_no)}::int[], ${results.map((x) => x.status)}::text[],
                           ${results.map((x) => x.grant_id)}::text[], ${results.map((x) => x.error_code)}::text[],
                           ${results.map((x) => x.error)}::text[]) AS t(row_no, status, grant_id, error_code, error)
    ), moved AS (
      UPDATE bulk_rows b SET status = r.status, grant_id = r.grant_id, error_code = r.error_code, error = r.error
        FROM r
       WHERE b.run_id = ${runId} AND b.row_no = r.row_no
         AND ((r.status = ${bulkRowMachine.targetOf('issue')} AND b.status = ANY(${textArray(bulkRowMachine.sourcesOf('issue'))}))
              OR (r.status = ${bulkRowMachine.targetOf('fail')} AND b.status = ANY(${textArray(bulkRowMachine.sourcesOf('fail'))})))
      RETURNING b.row_no, b.status, b.grant_id
    ), counted AS (
      UPDATE bulk_runs SET issued = issued + (SELECT count(*) FROM moved WHERE status = 'issued'),
                           failed = failed + (SELECT count(*) FROM moved WHERE status = 'failed'),
                           updated_at = now()
       WHERE id = ${runId}
      RETURNING id
    )
    SELECT moved.* FROM moved, counted`.execute(db);
  return r.rows;
}

/** A cancelled run's pending rows: they will never be issued. */
export async function cancelPendingRows(db: Executor, runId: string): Promise<number> {
  const r = await bdb(db)
    .updateTable('bulk_rows')
    .set({ status: bulkRowMachine.targetOf('cancel') })
    .where('run_id', '=', runId)
    .where('status', 'in', bulkRowMachine.sourcesOf('cancel'))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Rows for the report, in order, a page at a time. */
export async function rowsPage(db: Executor, runId: string, afterRowNo: number, limit: number): Promise<BulkRowRow[]> {
  return bdb(db).selectFrom('bulk_rows').selectAll().where('run_id', '=', runId).where('row_no', '>', afterRowNo).orderBy('row_no').limit(limit).execute();
}

/** Rows by status (what the run view shows beside the counters: pending and cancelled are not counted on the run). */
export async function rowCounts(db: Executor, runId: string): Promise<Record<string, number>> {
  const rows = await bdb(db).selectFrom('bulk_rows').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('run_id', '=', runId).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
