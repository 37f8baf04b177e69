import type { Selectable } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/db.ts';
import type { JobsTable, JobStatus } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { cteRef, isRawBuilder, keyedGuard, type Cte } from '../db/ctes.ts';
import { sql, type RawBuilder } from 'kysely';
import { DEFAULT_POLICY, jobDefinition } from './registry.ts';
import { jobMachine } from './job.machine.ts';
import { textArray } from '../db/literals.ts';

// Durable jobs (DESIGN §4): a row in `jobs`, written in the same transaction as the business change that
// asks for the work, so the work is never lost and never happens for a change that rolled back.
export interface EnqueueOptions {
  createdBy?: string | null;
  maxAttempts?: number;
  /** run no earlier than this */
  runAt?: Date;
  /** a caller-chosen id (e.g. to return it before the transaction commits) */
  id?: string;
  /** at most one queued or running job of this kind per dedupe key: a second enqueue is a no-op */
  dedupeKey?: string;
}

export async function enqueue(tx: Executor, kind: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}): Promise<{ id: string; status: JobStatus; deduplicated: boolean }> {
  const id = opts.id ?? newId('job');
  const policy = jobDefinition(kind)?.policy;
  const values = {
    id,
    kind,
    payload: JSON.stringify(payload),
    created_by: opts.createdBy ?? null,
    max_attempts: opts.maxAttempts ?? policy?.attempts ?? DEFAULT_POLICY.attempts,
    dedupe_key: opts.dedupeKey ?? null,
    ...(opts.runAt ? { run_at: opts.runAt } : {}),
  };
  if (!opts.dedupeKey) {
    await tx.insertInto('jobs').values(values).execute();
    return { id, status: 'queued', deduplicated: false };
  }
  // at most one live job per (kind, dedupe key): a second enqueue returns the live one
  const inserted = await sql<{ id: string }>`
    INSERT INTO jobs (id, kind, payload, created_by, max_attempts, dedupe_key, run_at)
    VALUES (${id}, ${kind}, ${values.payload}::jsonb, ${values.created_by}, ${values.max_attempts}, ${opts.dedupeKey},
            COALESCE(${opts.runAt ?? null}::timestamptz, now()))
    -- the predicate names jobs_live_dedupe_idx's own (migration 005): index inference needs it literally
    ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running') DO NOTHING
    RETURNING id`.execute(tx);
  if (inserted.rows[0]) return { id, status: 'queued', deduplicated: false };
  const live = await tx
    .selectFrom('jobs')
    .select(['id', 'status'])
    .where('kind', '=', kind)
    .where('dedupe_key', '=', opts.dedupeKey)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return { id: live?.id ?? id, status: live?.status ?? 'queued', deduplicated: true };
}

/**
 * `enqueue` as a step of a composed statement (platform/db/ctes.ts): the job is written only when the CTE
 * `after` produced a row (the payload may be an SQL expression over that row), in the same statement as the change that asks for it. With a dedupe key a live
 * job of the same kind and key makes it a no-op, as with `enqueue`.
 */
export function enqueueCte(name: string, kind: string, payload: Record<string, unknown> | RawBuilder<unknown>, opts: { after: string; dedupeKey?: string; id?: string }): Cte {
  const policy = jobDefinition(kind)?.policy;
  const maxAttempts = policy?.attempts ?? DEFAULT_POLICY.attempts;
  return {
    name,
    sql: sql`INSERT INTO jobs (id, kind, payload, max_attempts, dedupe_key)
             SELECT ${opts.id ?? newId('job')}, ${kind}, ${isRawBuilder(payload) ? payload : sql`${JSON.stringify(payload)}::jsonb`}, ${maxAttempts}, ${opts.dedupeKey ?? null}
               FROM ${cteRef(opts.after)} LIMIT 1
             ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running') DO NOTHING
             RETURNING id`,
  };
}

/**
 * A step of a composed statement that ends the waiting (queued) job of `kind` and `dedupeKey` as succeeded,
 * when the step `after` produced a row: its work was done elsewhere. A running job is not touched.
 */
export function settleWaitingJobCte(name: string, kind: string, dedupeKey: string | RawBuilder<unknown>, opts: { after: string; result: Record<string, unknown> }): Cte {
  return {
    name,
    sql: sql`UPDATE jobs SET ${settleSet(opts.result)}
              WHERE kind = ${kind} AND dedupe_key = (${typeof dedupeKey === 'string' ? sql`${dedupeKey}` : dedupeKey}) AND status = ANY(${textArray(jobMachine.sourcesOf('settle'))})
                AND EXISTS (SELECT 1 FROM ${cteRef(opts.after)})
             RETURNING id`,
  };
}

/**
 * `settleWaitingJobCte` for every job of `kind` whose dedupe key is in the column `key` of the step `from`.
 * Each key is looked up on its own (a lateral probe of the live-job index): written as one join, the planner
 * — which guesses one row for any earlier step — read every live job of the kind per statement instead.
 */
export function settleWaitingJobsCte(name: string, kind: string, from: { step: string; key: string }, result: Record<string, unknown>): Cte {
  const live = textArray(jobMachine.sourcesOf('settle'));
  return {
    name,
    sql: sql`UPDATE jobs SET ${settleSet(result)}
              WHERE ${keyedGuard(
                sql`SELECT j.id FROM ${cteRef(from.step)} f
                      CROSS JOIN LATERAL (SELECT id FROM jobs WHERE kind = ${kind} AND dedupe_key = f.${sql.ref(from.key)} AND status = ANY(${live}) LIMIT 1) j`,
                sql`status = ANY(${live})`,
                { many: true },
              )}
             RETURNING id`,
  };
}

const settleSet = (result: Record<string, unknown>) =>
  sql`status = ${jobMachine.targetOf('settle')}, result = ${JSON.stringify(result)}::jsonb, locked_until = NULL, finished_at = now(), updated_at = now(), note = NULL`;

/** What one run of a job sees. */
export interface JobRun {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  /** 1 on the first run */
  attempt: number;
  /** this run's number: every write about the run is fenced by it (see job-store `endRunsCtes`) */
  runs: number;
  /** true when a failure now makes the job dead: the handler should clean up what it owns */
  lastAttempt: boolean;
  ctx: AppContext;
  /** reports progress; kept in memory, and written to the row on PostgreSQL */
  progress(done: number, total?: number | null): void;
  /**
   * The end of this run as steps of the handler's own last statement (see job-store `endRunCtes`): succeeded
   * when `done` holds, else run again at `at`. A handler that runs them answers `endedInStatement(...)`, and
   * the runner writes nothing more.
   */
  endSteps(end: { done: RawBuilder<unknown>; result: Record<string, unknown>; at: Date; note: string | null }): Cte[];
}

/**
 * What a handler may answer: nothing or a result object (done: `succeeded`, result stored as jsonb), or
 * `checkAgain(at)` — the job is not done, run it again at `at` (polling a supplier); that does not count as a
 * failed attempt. Throwing an AppError with a 4xx status fails the job for good; any other throw is retried
 * on the policy's backoff schedule, then the job is dead.
 */
export type JobHandler = (run: JobRun) => Promise<Record<string, unknown> | CheckAgain | EndedInStatement | void>;

const ENDED = Symbol('ended in the handler statement');
export interface EndedInStatement {
  [ENDED]: true;
  /** what happened, for the caller's logs and tests */
  outcome: Record<string, unknown> | CheckAgain;
}
/** The handler's own statement ran `run.endSteps(...)`: the job's row is written already. */
export const endedInStatement = (outcome: Record<string, unknown> | CheckAgain): EndedInStatement => ({ [ENDED]: true, outcome });
export const isEndedInStatement = (v: unknown): v is EndedInStatement => typeof v === 'object' && v !== null && ENDED in v;

export interface CheckAgain {
  checkAgainAt: Date;
  /** kept on the row for the console (e.g. "order still processing at the supplier") */
  note?: string;
}
export const checkAgain = (at: Date | number, note?: string): CheckAgain => ({ checkAgainAt: typeof at === 'number' ? new Date(Date.now() + at) : at, ...(note ? { note } : {}) });
export const isCheckAgain = (v: unknown): v is CheckAgain => typeof v === 'object' && v !== null && (v as CheckAgain).checkAgainAt instanceof Date;

/**
 * Lanes keep long work from delaying short work: each lane has its own workers (and on PostgreSQL its own
 * connections), so an import in `bulk` never holds up a recharge or a webhook in `fast`; `notify` keeps a
 * burst of messages (a bulk issuance with a notification per row) from delaying recharges and webhooks.
 */
export type JobLane = 'fast' | 'bulk' | 'notify';

export interface JobPolicy {
  /** runs before the job is dead (checkAgain answers do not count) */
  attempts: number;
  /** delay before retry n (seconds; the last value repeats) — e.g. webhooks [30, 120, 600, 1800, 3600, …] */
  backoffSeconds: readonly number[];
  lane: JobLane;
  /** finished jobs of this kind are deleted after this many days */
  retentionDays?: number;
  /** a run that outlives this lease is presumed dead and re-run by another worker */
  leaseSeconds?: number;
}

export interface JobDefinition {
  handler: JobHandler;
  policy: JobPolicy;
}

// Progress of jobs running in this process. On PGlite it is the only place progress lives until the job
// ends (writing it from another connection is impossible there: the database is one connection).
export const liveProgress = new Map<string, { done: number; total: number | null }>();

// The rows of jobs running in this process, as claimed. This process is the authority on them while they
// run, so reading one needs no database: on PGlite an import holds the only connection until it ends.
export const runningHere = new Map<string, Selectable<JobsTable>>();

export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  progress_done: number;
  progress_total: number | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  /** what a polling job is waiting for */
  note: string | null;
  dedupe_key: string | null;
  result: Record<string, unknown> | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  run_at: string;
  finished_at: string | null;
}

export function toJobView(r: Selectable<JobsTable>): JobView {
  const live = r.status === 'running' ? liveProgress.get(r.id) : undefined;
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    progress_done: Math.max(Number(r.progress_done), live?.done ?? 0),
    progress_total: live?.total ?? (r.progress_total === null ? null : Number(r.progress_total)),
    attempts: r.attempts,
    max_attempts: r.max_attempts,
    last_error: r.last_error,
    note: r.note,
    dedupe_key: r.dedupe_key,
    result: r.result,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    run_at: r.run_at.toISOString(),
    finished_at: r.finished_at?.toISOString() ?? null,
  };
}

export async function getJob(db: Executor, id: string): Promise<JobView> {
  const here = runningHere.get(id);
  if (here) return toJobView(here);
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Job', id);
  return toJobView(row);
}
