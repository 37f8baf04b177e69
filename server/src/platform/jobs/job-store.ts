import { sql, type RawBuilder, type Selectable } from 'kysely';
import { cteRef, keyedGuard, type Cte } from '../db/ctes.ts';
import type { Executor } from '../db/db.ts';
import { prepared } from '../db/prepared.ts';
import type { JobsTable } from '../db/schema.ts';
import { jobMachine, type JobEvent } from './job.machine.ts';
import { textArray } from '../db/literals.ts';

// Every statement that moves a job. Guards come from the job machine; every write about a run is fenced by its
// run number, so a worker whose lease was taken over cannot overwrite the newer run's outcome.
export type JobRow = Selectable<JobsTable>;

const from = (event: JobEvent) => jobMachine.sourcesOf(event);
const to = (event: JobEvent) => jobMachine.targetOf(event);
const fence = (job: Pick<JobRow, 'id' | 'runs'>, event: JobEvent) =>
  sql`id = ${job.id} AND runs = ${job.runs} AND status = ANY(${textArray(from(event))})`;
const msg = (m: string) => m.slice(0, 2000);

/**
 * Claims up to `limit` ready jobs of the given kinds: queued and due, or running with a lapsed lease (their
 * worker died). SKIP LOCKED: several workers never take the same job. `exclude`: the ids this process is
 * running (on PGlite a long statement can outlive their lease).
 */
export async function claimJobs(db: Executor, kinds: string[], limit: number, leaseSeconds: number, exclude: string[]): Promise<JobRow[]> {
  if (limit <= 0 || kinds.length === 0) return [];
  // prepared: every lane loop runs it, and its text is fixed (the kinds and exclusions are array parameters)
  const res = await prepared(sql<JobRow>`
    UPDATE jobs j SET status = ${to('claim')}, runs = j.runs + 1, attempts = j.attempts + 1, updated_at = now(),
                      locked_until = now() + make_interval(secs => ${leaseSeconds})
      FROM (SELECT id FROM jobs
             WHERE ((status = ANY(${textArray(from('claim'))}) AND run_at <= now())
                    OR (status = ANY(${textArray(from('reclaim'))}) AND locked_until < now()))
               AND kind = ANY(${kinds}::text[])
               AND NOT (id = ANY(${exclude}::text[]))
             ORDER BY run_at
             LIMIT ${limit}
             FOR UPDATE SKIP LOCKED) due
     WHERE j.id = due.id
    RETURNING j.*`).execute(db);
  return res.rows;
}

export async function renewLease(db: Executor, job: JobRow, leaseSeconds: number, progress?: { done: number; total: number | null }) {
  await sql`UPDATE jobs SET locked_until = now() + make_interval(secs => ${leaseSeconds}), updated_at = now(),
                   progress_done = COALESCE(${progress?.done ?? null}, progress_done),
                   progress_total = COALESCE(${progress?.total ?? null}, progress_total)
             WHERE ${fence(job, 'reclaim')}`.execute(db);
}

const succeedSql = (job: JobRow, result: Record<string, unknown>, progress?: { done: number; total: number | null }, when: RawBuilder<unknown> = sql`true`) =>
  sql`UPDATE jobs SET status = ${to('succeed')}, result = ${JSON.stringify(result)}::jsonb, last_error = NULL,
                 locked_until = NULL, finished_at = now(), updated_at = now(), note = NULL,
                 progress_done = COALESCE(${progress?.done ?? null}, progress_done),
                 progress_total = COALESCE(${progress?.total ?? null}, progress_total)
           WHERE ${fence(job, 'succeed')} AND (${when})`;

const checkAgainSql = (job: JobRow, at: Date, note: string | null, when: RawBuilder<unknown> = sql`true`) =>
  sql`UPDATE jobs SET status = ${to('check_again')}, attempts = GREATEST(attempts - 1, 0), run_at = ${at},
                 locked_until = NULL, updated_at = now(), note = ${note}
           WHERE ${fence(job, 'check_again')} AND (${when})`;

export async function succeedJob(db: Executor, job: JobRow, result: Record<string, unknown>, progress?: { done: number; total: number | null }) {
  await succeedSql(job, result, progress).execute(db);
}

/** Not done yet: run again at `at`; this run does not count as an attempt. */
export async function checkJobAgain(db: Executor, job: JobRow, at: Date, note: string | null) {
  await checkAgainSql(job, at, note).execute(db);
}

/**
 * The end of a run as steps of the handler's own statement (one round trip fewer): `job_succeeded` when
 * `done` holds, else `job_checked_again` (run again at `at`) — exactly what `succeedJob` / `checkJobAgain`
 * write, fenced alike. `done` is an SQL condition over the statement's other steps.
 */
export function endRunCtes(job: JobRow, end: { done: RawBuilder<unknown>; result: Record<string, unknown>; at: Date; note: string | null }): Cte[] {
  return [
    { name: 'job_succeeded', sql: sql`${succeedSql(job, end.result, undefined, end.done)} RETURNING id` },
    { name: 'job_checked_again', sql: sql`${checkAgainSql(job, end.at, end.note, sql`NOT (${end.done})`)} RETURNING id` },
  ];
}

/**
 * `endRunCtes` for many runs at once, in one statement of a batch of handlers (a group commit): the step
 * `step` has one row per run with the columns job_id, job_runs (the run number that fences the write),
 * done (boolean), run_at, note and result (jsonb). `jobs_succeeded` where done, `jobs_checked_again`
 * (run again at run_at) where not — the same moves as `endRunCtes`, fenced alike.
 */
export function endRunsCtes(step: string): Cte[] {
  const f = cteRef(step);
  // keyed: the jobs by their primary key, whatever the planner guesses of the step (platform/db/ctes.ts);
  // the join on the key `IS TRUE` is no index condition either: as one, a tiny table's generic plan took the
  // status index (status, id) for it — a whole-index read per run once the table is large
  const fenced = (event: JobEvent, done: boolean) =>
    sql`(j.id = f.job_id) IS TRUE AND f.done IS ${sql.raw(done ? 'TRUE' : 'FALSE')}
        AND ${keyedGuard(sql`SELECT job_id FROM ${f}`, sql`j.runs = f.job_runs AND j.status = ANY(${textArray(from(event))})`, { many: true, column: 'j.id' })}`;
  return [
    {
      name: 'jobs_succeeded',
      sql: sql`UPDATE jobs j SET status = ${to('succeed')}, result = f.result, last_error = NULL, locked_until = NULL,
                      finished_at = now(), updated_at = now(), note = NULL
                 FROM ${f} f WHERE ${fenced('succeed', true)}
               RETURNING j.id`,
    },
    {
      name: 'jobs_checked_again',
      sql: sql`UPDATE jobs j SET status = ${to('check_again')}, attempts = GREATEST(j.attempts - 1, 0), run_at = f.run_at,
                      locked_until = NULL, updated_at = now(), note = f.note
                 FROM ${f} f WHERE ${fenced('check_again', false)}
               RETURNING j.id`,
    },
  ];
}

export async function retryJob(db: Executor, job: JobRow, error: string, delaySeconds: number) {
  await sql`UPDATE jobs SET status = ${to('retry')}, last_error = ${msg(error)}, locked_until = NULL,
                   run_at = now() + make_interval(secs => ${delaySeconds}), updated_at = now()
             WHERE ${fence(job, 'retry')}`.execute(db);
}

/** `fail`: a permanent error (bad input), `die`: attempts exhausted — both end the job. */
export async function endJob(db: Executor, job: JobRow, event: 'fail' | 'die', error: string) {
  await sql`UPDATE jobs SET status = ${to(event)}, last_error = ${msg(error)}, locked_until = NULL,
                   finished_at = now(), updated_at = now()
             WHERE ${fence(job, event)}`.execute(db);
}

/** Puts a dead or failed job back in the queue with its attempts reset; false when it is not dead or failed. */
export async function requeueJob(db: Executor, id: string): Promise<JobRow | undefined> {
  const res = await sql<JobRow>`
    UPDATE jobs SET status = ${to('requeue')}, attempts = 0, run_at = now(), finished_at = NULL, locked_until = NULL,
                    updated_at = now()
     WHERE id = ${id} AND status = ANY(${textArray(from('requeue'))})
    RETURNING *`.execute(db);
  return res.rows[0];
}

/** Deletes finished jobs of `kind` older than `days`, at most `limit` at a time. */
export async function pruneJobs(db: Executor, kind: string, days: number, limit = 5000): Promise<number> {
  const res = await sql`
    DELETE FROM jobs WHERE id IN (
      SELECT id FROM jobs WHERE kind = ${kind} AND finished_at IS NOT NULL
         AND finished_at < now() - make_interval(days => ${days}) LIMIT ${limit})`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
