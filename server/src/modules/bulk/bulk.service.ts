import type { AppContext } from '../../platform/context.ts';
import { AppError, conflict, fail, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../audit/index.ts';
import { findProduct } from '../catalog/index.ts';
import { listClients } from '../clients/index.ts';
import { intakeRows, type IntakeResult, type ListRow } from './bulk.intake.ts';
import { bulkRunMachine, type BulkRunEvent } from './bulk.machine.ts';
import { cancelPendingRows, getRun, insertRun, listRuns, moveRun, runByIdempotencyKey, setRunCounts, type BulkRunRow } from './bulk.repo.ts';
import type { BulkRun } from './bulk.schemas.ts';

// Bulk runs: created from a list in one transaction (nothing is stored when no row can be issued), then
// issued by the job `bulk.issue` (flows/bulk-issue); paused, resumed and cancelled by an operator. Every
// change an operator makes is audited here.
export const BULK_JOB = 'bulk.issue';

export interface CreateRunInput {
  clientId: string;
  product: string | null;
  notify: 'sms' | 'email' | null;
  source: 'upload' | 'api';
  sourceName: string | null;
  createdBy: string;
  idempotencyKey?: string | null;
  requestHash?: string | null;
}

/** The client an admin names (id or name); 404 when there is none. */
export async function resolveClient(ctx: AppContext, ref: string): Promise<string> {
  const c = (await listClients(ctx.db)).find((x) => x.id === ref || x.name === ref);
  if (!c) throw notFound('Client', ref);
  if (c.status !== 'active') throw conflict('client_inactive', `Client ${ref} is disabled.`);
  return c.id;
}

export async function createRun(ctx: AppContext, input: CreateRunInput, rows: AsyncIterable<ListRow> | Iterable<ListRow>): Promise<{ run: BulkRun; replayed: boolean }> {
  if (input.idempotencyKey) {
    const prior = await runByIdempotencyKey(ctx.db, input.clientId, input.idempotencyKey);
    if (prior) return { run: toRunView(replayOf(prior, input.requestHash ?? null)), replayed: true };
  }
  let productId: string | null = null;
  if (input.product) {
    const p = await findProduct(ctx.db, input.product);
    if (!p) throw new AppError(404, 'product_not_found', 'Not found', `No product with sku or id ${input.product}.`);
    productId = p.id;
  }
  const id = newId('blk');
  let intake: IntakeResult | undefined;
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await insertRun(tx, {
        id, client_id: input.clientId, product_id: productId, status: 'validating', notify: input.notify, source: input.source,
        source_name: input.sourceName, created_by: input.createdBy, idempotency_key: input.idempotencyKey ?? null, request_hash: input.requestHash ?? null,
      });
      intake = await intakeRows(ctx, tx, id, productId, rows);
      if (intake.total === 0) throw fail('empty_file', 'The list has no rows.');
      if (intake.valid === 0) {
        // nothing to issue: the transaction rolls back, so no run and no row is stored
        throw new AppError(400, 'bulk_nothing_to_issue', 'Bad request', `None of the ${intake.total} rows can be issued; the first problems are listed.`, {}, intake.firstProblems.map((p) => ({ field: `row ${p.row}`, message: `${p.code}: ${p.message}` })));
      }
      const job = await enqueue(tx, BULK_JOB, { run_id: id }, { createdBy: input.createdBy, dedupeKey: id });
      await setRunCounts(tx, id, { total: intake.total, valid: intake.valid, rejected: intake.rejected, duplicates: intake.duplicates, job_id: job.id });
      await moveRun(tx, id, 'validate');
      await appendAudit(tx, {
        actor: input.createdBy, action: 'bulk.create', target: id,
        details: { client_id: input.clientId, product_id: productId, notify: input.notify, source: input.source, source_name: input.sourceName, total: intake.total, valid: intake.valid, rejected: intake.rejected, duplicates: intake.duplicates },
      });
    });
  } catch (e) {
    // two requests with the same Idempotency-Key at once: the second answers the first's run
    if (input.idempotencyKey && (e as { code?: string }).code === '23505') {
      const prior = await runByIdempotencyKey(ctx.db, input.clientId, input.idempotencyKey);
      if (prior) return { run: toRunView(replayOf(prior, input.requestHash ?? null)), replayed: true };
    }
    throw e;
  }
  return { run: toRunView((await getRun(ctx.db, id))!), replayed: false };
}

function replayOf(prior: BulkRunRow, requestHash: string | null): BulkRunRow {
  if (prior.request_hash !== requestHash) throw conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { existing_run_id: prior.id });
  return prior;
}

export async function getRunView(ctx: AppContext, id: string, clientId?: string): Promise<BulkRun> {
  const r = await getRun(ctx.db, id, clientId);
  if (!r) throw notFound('Bulk run', id);
  return toRunView(r);
}

export async function listRunViews(ctx: AppContext, q: { limit?: number; cursor?: string; clientId?: string; status?: string }) {
  const limit = q.limit ?? 50;
  const rows = await listRuns(ctx.db, { ...q, limit: limit + 1 });
  const data = rows.slice(0, limit).map(toRunView);
  return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
}

/** pause | resume | cancel by an operator (or the client that owns the run); audited. */
export async function changeRun(ctx: AppContext, id: string, event: Extract<BulkRunEvent, 'pause' | 'resume' | 'cancel'>, actor: string, clientId?: string): Promise<BulkRun> {
  await ctx.db.transaction().execute(async (tx) => {
    const r = await getRun(tx, id, clientId);
    if (!r) throw notFound('Bulk run', id);
    if (!(await moveRun(tx, id, event))) {
      throw conflict('bulk_run_state', `Run ${id} is ${r.status}; it cannot ${event} (${bulkRunMachine.sourcesOf(event).join(', ')} only).`, { run_status: r.status });
    }
    let details: Record<string, unknown> = { from: r.status };
    if (event === 'resume') {
      // a new job continues with the rows still pending (the paused one has ended or ends after its chunk)
      const job = await enqueue(tx, BULK_JOB, { run_id: id }, { createdBy: actor, dedupeKey: id });
      await setRunCounts(tx, id, { job_id: job.id });
      details = { ...details, job_id: job.id };
    }
    if (event === 'cancel') details = { ...details, rows_cancelled: await cancelPendingRows(tx, id) };
    await appendAudit(tx, { actor, action: `bulk.${event}`, target: id, details });
  });
  return getRunView(ctx, id, clientId);
}

export function toRunView(r: BulkRunRow): BulkRun {
  const issued = Number(r.issued);
  const failed = Number(r.failed);
  const valid = Number(r.valid);
  return {
    id: r.id,
    client_id: r.client_id,
    product_id: r.product_id,
    status: r.status,
    notify: r.notify,
    source: r.source,
    source_name: r.source_name,
    progress: {
      total: Number(r.total),
      valid,
      rejected: Number(r.rejected),
      duplicates: Number(r.duplicates),
      issued,
      failed,
      done: issued + failed,
      remaining: r.status === 'cancelled' ? 0 : valid - issued - failed,
    },
    job_id: r.job_id,
    error: r.error,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    started_at: r.started_at?.toISOString() ?? null,
    finished_at: r.finished_at?.toISOString() ?? null,
  };
}
