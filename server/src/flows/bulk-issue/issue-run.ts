import type { AppContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import type { JobPolicy, JobRun } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../../modules/audit/index.ts';
import { findProduct } from '../../modules/catalog/index.ts';
import { getRun, moveRun, pendingRows, recordResults, rowPiiContext, runStatus, type BulkRowRow, type BulkRunRow, type RowResult } from '../../modules/bulk/index.ts';
import { grantIssuerFor, issueCardGrantsBatch, issueGrant, type IssueGrantBody, type IssuerInput } from '../../modules/grants/index.ts';
import { onRowIssued } from './notify-hook.ts';

// Issuing a bulk run (the job `bulk.issue`, bulk lane): the pending rows a batch at a time. Card-code rows of
// one product go a set per statement (grants' issueCardGrantsBatch); the others one by one through the same
// issuer as POST /v1/grants (a direct recharge writes a pending grant and queues its recharge in the fast
// lane, so it never slows the card-code rows). Each row's Idempotency-Key
// is derived from (run, row) under the run's client: a row issued before a crash, but not yet recorded, is
// answered by a replay of its first grant, never issued twice. Between batches the job looks at the run's
// status, so pause and cancel take effect after the batch in flight.
export const BULK_JOB_POLICY: JobPolicy = { attempts: 20, backoffSeconds: [5, 15, 60], lane: 'bulk', retentionDays: 30, leaseSeconds: 20 };

/** rows read (and recorded) per batch */
export const BATCH_ROWS = 1000;
/** statements at once: a handful of pooled connections, not the whole pool (the API needs some) */
export const PARALLEL = 4;
/** card-code rows of one product issued by one statement */
export const SET_ROWS = 250;

export const rowIdempotencyKey = (runId: string, rowNo: number) => `bulk:${runId}:${rowNo}`;

const kinds = new Map<string, string>();
async function kindOf(ctx: AppContext, productId: string): Promise<string | null> {
  if (!kinds.has(productId)) {
    const p = await findProduct(ctx.db, productId);
    if (!p) return null;
    kinds.set(productId, p.kind);
  }
  return kinds.get(productId)!;
}

/** The row as a POST /v1/grants request under the run's client. */
function rowInput(ctx: AppContext, run: BulkRunRow, row: BulkRowRow): IssuerInput {
  const recipient: IssueGrantBody['recipient'] = {};
  if (row.external_id) recipient.external_id = row.external_id;
  if (row.phone_enc) recipient.phone = ctx.secrets.openPii(Buffer.from(row.phone_enc), rowPiiContext('phone', run.id, row.row_no));
  if (row.email) recipient.email = row.email;
  if (row.account_enc) recipient.account = ctx.secrets.openPii(Buffer.from(row.account_enc), rowPiiContext('account', run.id, row.row_no));
  const key = rowIdempotencyKey(run.id, row.row_no);
  return {
    clientId: run.client_id,
    issuedBy: run.created_by,
    body: { product: row.product_id!, recipient, ...(row.out_order_no ? { out_order_no: row.out_order_no } : {}), metadata: { bulk_run: run.id, bulk_row: row.row_no } },
    idempotencyKey: key,
    // the "body" of a row's request is the row itself: stable across retries
    requestHash: ctx.secrets.requestHash(key),
  };
}

/** One row through the issuer of its kind; null when nobody in this process issues that kind. */
async function issueRow(ctx: AppContext, run: BulkRunRow, row: BulkRowRow): Promise<RowResult | null> {
  const kind = await kindOf(ctx, row.product_id!);
  const issuer = kind ? grantIssuerFor(kind) : undefined;
  // a process without the flows' issuers (the CLI) leaves other kinds to the server's job
  if (!issuer && kind !== 'card_code' && kind !== 'link') return null;
  const input = rowInput(ctx, run, row);
  try {
    const out = issuer ? await issuer(ctx, input) : await issueGrant(ctx, input);
    return { row_no: row.row_no, status: 'issued', grant_id: out.grant.id, error_code: null, error: null };
  } catch (e) {
    // expected refusals (out of stock, product inactive, duplicate out_order_no …) fail the row; faults retry the job
    if (e instanceof AppError && e.status < 500) return { row_no: row.row_no, status: 'failed', grant_id: null, error_code: e.code, error: (e.detail ?? e.message).slice(0, 500) };
    throw e;
  }
}

/** Card-code rows of one product in one statement; the rows it leaves (null) go one by one. */
async function issueSet(ctx: AppContext, run: BulkRunRow, productId: string, rows: BulkRowRow[]): Promise<RowResult[] | null> {
  const inputs = rows.map((r) => rowInput(ctx, run, r));
  const out = await issueCardGrantsBatch(ctx, {
    clientId: run.client_id,
    issuedBy: run.created_by,
    productId,
    rows: inputs.map((i) => ({ idempotencyKey: i.idempotencyKey, requestHash: i.requestHash, recipient: i.body.recipient, metadata: i.body.metadata ?? {} })),
  });
  if (!out) return null;
  return rows.map((r, i) => {
    const o = out.get(inputs[i].idempotencyKey)!;
    return 'grantId' in o
      ? { row_no: r.row_no, status: 'issued' as const, grant_id: o.grantId, error_code: null, error: null }
      : { row_no: r.row_no, status: 'failed' as const, grant_id: null, error_code: o.code, error: o.message };
  });
}

/**
 * A batch of rows: card-code rows without an out_order_no in sets of SET_ROWS per product (one statement
 * each), everything else one by one through its issuer; PARALLEL at once.
 */
async function issueBatch(ctx: AppContext, run: BulkRunRow, rows: BulkRowRow[]): Promise<RowResult[]> {
  const results: RowResult[] = [];
  const tasks: (() => Promise<void>)[] = [];
  const single = (r: BulkRowRow) => tasks.push(async () => {
    const x = await issueRow(ctx, run, r);
    if (x) results.push(x);
  });
  const sets = new Map<string, BulkRowRow[]>();
  for (const r of rows) {
    const kind = await kindOf(ctx, r.product_id!);
    if ((kind === 'card_code' || kind === 'link') && !r.out_order_no) sets.set(r.product_id!, [...(sets.get(r.product_id!) ?? []), r]);
    else single(r);
  }
  for (const [productId, list] of sets) {
    for (let i = 0; i < list.length; i += SET_ROWS) {
      const part = list.slice(i, i + SET_ROWS);
      tasks.push(async () => {
        const x = await issueSet(ctx, run, productId, part);
        if (x) results.push(...x);
        else for (const r of part) {
          const y = await issueRow(ctx, run, r);
          if (y) results.push(y);
        }
      });
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, tasks.length) }, worker));
  return results;
}

/**
 * Issues the pending rows of run `runId` until none is left or the run leaves `running`. Returns what
 * happened; `onProgress` hears rows done / valid.
 */
export async function issueRun(
  ctx: AppContext,
  runId: string,
  onProgress: (done: number, total: number) => void | Promise<void> = () => {},
  opts: { batchRows?: number } = {},
): Promise<Record<string, unknown>> {
  const run = await getRun(ctx.db, runId);
  if (!run) return { run_id: runId, skipped: 'missing' };
  // ready → running; running → running is the job again after a crash or a resume: it continues
  if (!(await moveRun(ctx.db, runId, 'start', { started: true }))) return { run_id: runId, skipped: run.status };
  const valid = Number(run.valid);
  let done = Number(run.issued) + Number(run.failed);
  await onProgress(done, valid);
  let after = 0;
  let skipped = 0;
  for (;;) {
    const status = await runStatus(ctx.db, runId);
    if (status !== 'running') return { run_id: runId, stopped: status, done };
    const rows = await pendingRows(ctx.db, runId, after, opts.batchRows ?? BATCH_ROWS);
    if (!rows.length) break;
    after = rows[rows.length - 1].row_no;
    const results = await issueBatch(ctx, run, rows);
    skipped += rows.length - results.length;
    const moved = await ctx.db.transaction().execute(async (tx) => {
      const m = await recordResults(tx, runId, results);
      if (run.notify) {
        const issued = m.filter((x) => x.status === 'issued' && x.grant_id);
        await onRowIssued(tx, ctx, issued.map((x) => ({ runId, rowNo: x.row_no, clientId: run.client_id, grantId: x.grant_id!, channel: run.notify! })));
      }
      return m;
    });
    done += moved.length;
    await onProgress(done, valid);
  }
  if (skipped) return { run_id: runId, left_for_server: skipped, done };
  await ctx.db.transaction().execute(async (tx) => {
    if (await moveRun(tx, runId, 'complete')) {
      const r = (await getRun(tx, runId))!;
      await appendAudit(tx, { actor: 'system', action: 'bulk.complete', target: runId, details: { issued: Number(r.issued), failed: Number(r.failed), rejected: Number(r.rejected), duplicates: Number(r.duplicates) } });
    }
  });
  return { run_id: runId, completed: true, done };
}

export async function runBulkJob(run: JobRun): Promise<Record<string, unknown>> {
  try {
    return await issueRun(run.ctx, String(run.payload.run_id), (done, total) => run.progress(done, total));
  } catch (e) {
    if (run.lastAttempt) await moveRun(run.ctx.db, String(run.payload.run_id), 'fail', { error: (e as Error).message.slice(0, 500) }).catch(() => undefined);
    throw e;
  }
}
