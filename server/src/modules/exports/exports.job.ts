import { appendAudit } from '../audit/index.ts';
import { AppError } from '../../platform/errors.ts';
import type { AppContext } from '../../platform/context.ts';
import type { JobPolicy, JobRun } from '../../platform/jobs/jobs.ts';
import { appendChunk, deleteChunks, getExport, moveExport, type ExportFormat, type ExportKind } from './exports.repo.ts';
import { EXPORT_SOURCES, type ExportRecord } from './exports.sources.ts';
import { chunkSink, writeRows, type Sink } from './exports.writer.ts';

// The job behind POST /v1/admin/exports: reads the rows page by page through their module's front door and
// writes the file into export_chunks. A retry (after a crash) discards what the interrupted run stored and
// starts over.
export const EXPORT_JOB = 'exports.build';

/** Exports are long and rare: the bulk lane, so they never delay issuance, recharges or webhooks. */
export const EXPORT_JOB_POLICY: JobPolicy = { attempts: 3, backoffSeconds: [10, 60], lane: 'bulk', retentionDays: 30, leaseSeconds: 600 };

/** rows per page read from the database */
export const EXPORT_PAGE_ROWS = 1000;

/** Streams every row of `kind` matching the stored `filter` into `sink`; `onRows` hears the running count. */
export async function buildExport(ctx: AppContext, kind: ExportKind, format: ExportFormat, filter: Record<string, unknown>, sink: Sink, onRows: (rows: number) => void = () => {}): Promise<number> {
  const source = EXPORT_SOURCES[kind];
  let rows = 0;
  async function* pages(): AsyncGenerator<ExportRecord[]> {
    let after: string | null = null;
    for (;;) {
      const page = await source.page(ctx, filter, after, EXPORT_PAGE_ROWS);
      if (page.rows.length) {
        rows += page.rows.length;
        onRows(rows);
        yield page.rows;
      }
      if (!page.next) return;
      after = page.next;
    }
  }
  await writeRows(format, source.columns, pages(), sink);
  return rows;
}

export async function runExportJob(run: JobRun): Promise<Record<string, unknown>> {
  const { ctx } = run;
  const id = String(run.payload.export_id);
  const e = await getExport(ctx.db, id);
  // pruned, or finished by an earlier run whose end was not recorded: nothing to do
  if (!e || e.status === 'succeeded' || e.status === 'failed') return { export_id: id, skipped: e?.status ?? 'missing' };
  await moveExport(ctx.db, id, 'start');
  await deleteChunks(ctx.db, id);
  run.progress(0, null);
  try {
    const sink = chunkSink((seq, data) => appendChunk(ctx.db, id, seq, data));
    const rows = await buildExport(ctx, e.kind, e.format, e.filter, sink, (n) => run.progress(n));
    await ctx.db.transaction().execute(async (tx) => {
      await moveExport(tx, id, 'finish', { rows, size_bytes: sink.size, error: null });
      await appendAudit(tx, { actor: 'system', action: 'export.complete', target: id, details: { kind: e.kind, format: e.format, rows, size_bytes: sink.size, created_by: e.created_by } });
    });
    return { export_id: id, rows, size_bytes: sink.size };
  } catch (err) {
    const permanent = err instanceof AppError && err.status < 500;
    if (permanent || run.lastAttempt) {
      await deleteChunks(ctx.db, id);
      await moveExport(ctx.db, id, 'fail', { error: (err as Error).message.slice(0, 500) });
    }
    throw err;
  }
}
