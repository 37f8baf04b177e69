import { sql } from 'kysely';
import type { Database } from '../../platform/db/db.ts';
import { withCtes } from '../../platform/db/ctes.ts';
import { batchExecutor, groupCommit } from '../../platform/db/group-commit.ts';
import { textArray } from '../../platform/db/literals.ts';
import { endRunsCtes } from '../../platform/jobs/job-store.ts';
import { logRefusedBatch, type BatchContext } from './batch-log.ts';
import { attemptMachine, attemptsAcceptedCtes, moveAttemptsWithAccount, type AttemptRow, type AttemptState, type OrderRow } from '../../modules/recharges/index.ts';

// The two statements of the common submit path, each applied for many job runs at once (a group commit,
// platform/db/group-commit.ts, as callbacks are): the attempt moved created → submitting before its request
// leaves, and the supplier's answer "accepted, still processing" recorded with the end of the job's run.
// Under load the job runner starts and finishes dozens of attempts in the same moment, and a statement with
// its commit and round trip costs the machine more than the rows it writes.
//
// A batch changes nothing of what each run sees: every move keeps its machine guard, every job write its
// run fence. When a batch's statement fails (a deadlock with a callback batch, a lost connection) it wrote
// nothing, and each of its runs takes the careful path alone, as it always could.

const MAX_BATCH = 64;
/** each running batch holds a connection of its pool; two let one batch fill while the other commits */
const MAX_IN_FLIGHT = 2;

export type Started = { attempt: AttemptRow; order: Pick<OrderRow, 'id' | 'account_enc'> };

const starters = new WeakMap<Database, (attemptId: string) => Promise<Started | null>>();

/**
 * The attempt moved created → submitting and committed (with its order's sealed account), in a batch with
 * others; null when it could not move or its batch failed — the caller reads it and takes the careful path.
 */
export function startSubmit(ctx: BatchContext, attemptId: string): Promise<Started | null> {
  let start = starters.get(ctx.database);
  if (!start) {
    start = groupCommit<string, Started | null>((ids) => startBatch(ctx, ids), { maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT });
    starters.set(ctx.database, start);
  }
  return start(attemptId);
}

async function startBatch(ctx: BatchContext, ids: readonly string[]): Promise<Array<Started | null>> {
  let moved: Map<string, Started>;
  try {
    // sorted: concurrent batches lock their rows in one order
    const rows = await moveAttemptsWithAccount(batchExecutor(ctx.database, 'recharge-starts', MAX_IN_FLIGHT), [...new Set(ids)].sort(), 'submit', { submitted: true });
    moved = new Map(rows.map((r) => [r.attempt.id, r]));
  } catch (e) {
    logRefusedBatch(ctx, 'recharge-starts', ids.length, e);
    return ids.map(() => null);
  }
  // a run named twice in one batch (it cannot be: one live job per attempt) gets the move once
  return ids.map((id, i) => (ids.indexOf(id) === i ? (moved.get(id) ?? null) : null));
}

/** A supplier's answer "accepted, still processing" and the end of the job run that got it. */
export interface AcceptedAnswer {
  attempt: Pick<AttemptRow, 'id' | 'order_id' | 'supplier_id'>;
  supplierOrderId: string;
  priceFen: number | null;
  supplierState: string;
  /** the event log's outcome and supplier code */
  outcome: string;
  supplierCode: number;
  detail: Record<string, unknown>;
  run: { id: string; runs: number };
  /** when the run's job polls next if the attempt is still live after the statement */
  at: Date;
  note: string;
  result: Record<string, unknown>;
}

const recorders = new WeakMap<Database, (item: AcceptedAnswer) => Promise<{ state: AttemptState; moved: boolean } | null>>();

/**
 * Records the answer and ends the job's run (succeeded when the attempt is final after the statement — a
 * callback finished it first — else run again at `at`), in a batch with others; the attempt's state after.
 * Null when its batch failed: nothing of it was written, and the caller records it alone.
 */
export function recordAccepted(ctx: BatchContext, item: AcceptedAnswer): Promise<{ state: AttemptState; moved: boolean } | null> {
  let record = recorders.get(ctx.database);
  if (!record) {
    record = groupCommit((items: readonly AcceptedAnswer[]) => acceptedBatch(ctx, items), { maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT });
    recorders.set(ctx.database, record);
  }
  return record(item);
}

async function acceptedBatch(ctx: BatchContext, items: readonly AcceptedAnswer[]) {
  const { database } = ctx;
  // one row per attempt (a run is never in two batches), in one lock order
  const first = new Map<string, AcceptedAnswer>();
  for (const it of items) if (!first.has(it.attempt.id)) first.set(it.attempt.id, it);
  const unique = [...first.values()].sort((a, b) => (a.attempt.id < b.attempt.id ? -1 : 1));
  let after: Map<string, { state: AttemptState; moved: boolean }>;
  try {
    // prepared on PostgreSQL (see callback-batch.ts); the embedded database plans it at every run
    const r = await acceptedAnswersStatement(unique, { prepared: database.kind === 'pg' }).execute(batchExecutor(database, 'recharge-answers', MAX_IN_FLIGHT));
    after = new Map(r.rows.map((x) => [x.id, { state: x.state, moved: x.moved }]));
  } catch (e) {
    logRefusedBatch(ctx, 'recharge-answers', items.length, e);
    return items.map(() => null);
  }
  return items.map((it) => (first.get(it.attempt.id) === it ? (after.get(it.attempt.id) ?? null) : null));
}

/** The one statement of a batch of accepted answers (exported for its plan test). */
export function acceptedAnswersStatement(items: readonly AcceptedAnswer[], opts: { prepared?: boolean } = {}) {
  const col = <T>(f: (x: AcceptedAnswer) => T) => items.map(f);
  return withCtes<{ id: string; state: AttemptState; moved: boolean }>(
    [
      {
        name: 'rc_answers',
        sql: sql`SELECT id, order_id, supplier_id, supplier_order_id, price_fen, supplier_state, outcome, supplier_code,
                        detail::jsonb AS detail, job_id, job_runs, run_at, note, result::jsonb AS result
                   FROM unnest(${col((x) => x.attempt.id)}::text[], ${col((x) => x.attempt.order_id)}::text[], ${col((x) => x.attempt.supplier_id)}::text[],
                               ${col((x) => x.supplierOrderId)}::text[], ${col((x) => x.priceFen)}::bigint[], ${col((x) => x.supplierState)}::text[],
                               ${col((x) => x.outcome)}::text[], ${col((x) => x.supplierCode)}::int[], ${col((x) => JSON.stringify(x.detail))}::text[],
                               ${col((x) => x.run.id)}::text[], ${col((x) => x.run.runs)}::int[], ${col((x) => x.at.toISOString())}::timestamptz[],
                               ${col((x) => x.note)}::text[], ${col((x) => JSON.stringify(x.result))}::text[])
                        AS i(id, order_id, supplier_id, supplier_order_id, price_fen, supplier_state, outcome, supplier_code, detail,
                             job_id, job_runs, run_at, note, result)`,
      },
      ...attemptsAcceptedCtes('rc_answers'),
      {
        name: 'rc_runs_end',
        sql: sql`SELECT i.job_id, i.job_runs, n.state = ANY(${textArray(attemptMachine.finalStates())}) AS done, i.run_at, i.note, i.result
                   FROM rc_answers i JOIN rc_accept_now n ON n.id = i.id`,
      },
      ...endRunsCtes('rc_runs_end'),
    ],
    sql`SELECT id, state, moved FROM rc_accept_now`,
    { prepared: opts.prepared ?? false },
  );
}
