import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import { exportMachine, type ExportEvent, type ExportStatus } from './exports.machine.ts';

// SQL for this module's tables only (exports, export_chunks; migration 017). Status changes go through
// `moveExport`, guarded by the machine's sources.
export type ExportKind = 'grants' | 'recharges' | 'audit';
export type ExportFormat = 'csv' | 'xlsx';

export interface ExportsTable {
  id: string;
  kind: ExportKind;
  format: ExportFormat;
  filter: Record<string, unknown>;
  status: Generated<ExportStatus>;
  job_id: string;
  rows: Generated<number>;
  size_bytes: Generated<number>;
  error: string | null;
  created_by: string;
  created_at: Generated<Date>;
  finished_at: Date | null;
  expires_at: Date;
}

export interface ExportChunksTable {
  export_id: string;
  seq: number;
  data: Uint8Array;
}

type ExportTables = {
  exports: ExportsTable;
  export_chunks: ExportChunksTable;
};
export type ExportRow = Selectable<ExportsTable>;

const edb = (db: Executor) => (db as unknown as Kysely<object>).withTables<ExportTables>() as Kysely<ExportTables> | Transaction<ExportTables>;

export async function insertExport(db: Executor, row: { id: string; kind: ExportKind; format: ExportFormat; filter: Record<string, unknown>; job_id: string; created_by: string; expires_at: Date }) {
  await edb(db).insertInto('exports').values({ ...row, filter: JSON.stringify(row.filter) as never }).execute();
}

export async function getExport(db: Executor, id: string): Promise<ExportRow | undefined> {
  return edb(db).selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listExports(db: Executor, q: { kinds: ExportKind[]; limit: number; cursor?: string }): Promise<ExportRow[]> {
  if (!q.kinds.length) return [];
  let query = edb(db).selectFrom('exports').selectAll().where('kind', 'in', q.kinds).orderBy('id', 'desc').limit(q.limit);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.execute();
}

/** Moves an export by `event` when its status allows; false when it did not move. */
export async function moveExport(db: Executor, id: string, event: ExportEvent, patch: { rows?: number; size_bytes?: number; error?: string | null } = {}): Promise<boolean> {
  const final = exportMachine.isFinal(exportMachine.targetOf(event));
  const r = await edb(db)
    .updateTable('exports')
    .set({ status: exportMachine.targetOf(event), ...patch, ...(final ? { finished_at: new Date() } : {}) })
    .where('id', '=', id)
    .where('status', 'in', exportMachine.sourcesOf(event))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteChunks(db: Executor, id: string) {
  await edb(db).deleteFrom('export_chunks').where('export_id', '=', id).execute();
}

export async function appendChunk(db: Executor, id: string, seq: number, data: Buffer) {
  await edb(db).insertInto('export_chunks').values({ export_id: id, seq, data }).execute();
}

/**
 * The file's chunks in order, one query per chunk: a download holds one chunk in memory at a time. The last
 * chunk's number is read first, so the stream ends with the last byte: with a query after it, the client
 * (which stops at Content-Length) was done while the server still had the request open, and a server shutting
 * down then waited for the keep-alive timeout.
 */
export async function* chunksOf(db: Executor, id: string): AsyncGenerator<Buffer> {
  const last = await edb(db).selectFrom('export_chunks').select((eb) => eb.fn.max('seq').as('seq')).where('export_id', '=', id).executeTakeFirst();
  const lastSeq = last?.seq ?? null;
  if (lastSeq === null) return;
  for (let seq = 0; seq <= Number(lastSeq); seq++) {
    const c = await edb(db).selectFrom('export_chunks').select('data').where('export_id', '=', id).where('seq', '=', seq).executeTakeFirstOrThrow();
    yield Buffer.from(c.data);
  }
}

/** Deletes exports past their expiry with their chunks (ON DELETE CASCADE), at most `limit`. */
export async function pruneExports(db: Executor, limit = 100): Promise<number> {
  const due = edb(db).selectFrom('exports').select('id').where('expires_at', '<', new Date()).limit(limit);
  const r = await edb(db).deleteFrom('exports').where('id', 'in', due).executeTakeFirst();
  return Number(r.numDeletedRows);
}
