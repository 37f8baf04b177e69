import { sql, type Selectable } from 'kysely';
import type { AppContext } from '../context.ts';
import type { JobsTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { jobHandlers } from './handlers.ts';
import { liveProgress, runningHere, type JobHandler } from './jobs.ts';

// The job worker: claims ready jobs with FOR UPDATE SKIP LOCKED (several workers never take the same
// one), holds a lease (locked_until) that a crashed worker lets lapse so another retries the job, retries
// failures with exponential backoff up to max_attempts, then marks the job dead.
export interface RunnerOptions {
  pollMs?: number;
  leaseSeconds?: number;
  /** jobs run at once; PGlite is one connection, so there it is always 1 */
  concurrency?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  handlers?: Record<string, JobHandler>;
  /** a fault outside any handler (database unavailable while claiming or recording a run): logged, never fatal */
  onError?: (err: unknown) => void;
}

type JobRow = Selectable<JobsTable>;

export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.4)); // jitter: retries of many jobs do not line up
}

export function startJobRunner(ctx: AppContext, opts: RunnerOptions = {}): { stop(): Promise<void> } {
  const handlers = opts.handlers ?? jobHandlers;
  const kinds = Object.keys(handlers);
  const pollMs = opts.pollMs ?? 500;
  const lease = opts.leaseSeconds ?? 60;
  const onPg = ctx.database.kind === 'pg';
  const concurrency = onPg ? (opts.concurrency ?? 2) : 1;
  const baseMs = opts.backoffBaseMs ?? 5_000;
  const maxMs = opts.backoffMaxMs ?? 3_600_000;
  const inflight = new Map<string, Promise<void>>();
  let stopping = false;
  let wake: (() => void) | null = null;

  async function claim(): Promise<JobRow | undefined> {
    // the ids this process is running are excluded: their lease may lapse while PGlite is busy with them
    const res = await sql<JobRow>`
      UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = now(),
                      locked_until = now() + make_interval(secs => ${lease})
       WHERE id = (SELECT id FROM jobs
                    WHERE ((status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
                      AND kind = ANY(${kinds}::text[])
                      AND NOT (id = ANY(${[...inflight.keys()]}::text[]))
                    ORDER BY run_at
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED)
      RETURNING *`.execute(ctx.db);
    return res.rows[0];
  }

  // every write about a run is fenced by its attempt number: a worker whose lease was taken over cannot
  // overwrite the newer run's outcome
  const fence = (job: JobRow) => sql`id = ${job.id} AND attempts = ${job.attempts} AND status = 'running'`;

  async function finish(job: JobRow, result: Record<string, unknown>) {
    const p = liveProgress.get(job.id);
    await sql`UPDATE jobs SET status = 'succeeded', result = ${JSON.stringify(result)}::jsonb, last_error = NULL,
                     locked_until = NULL, finished_at = now(), updated_at = now(),
                     progress_done = ${p?.done ?? 0}, progress_total = ${p?.total ?? null}
               WHERE ${fence(job)}`.execute(ctx.db);
  }

  async function fail(job: JobRow, err: unknown) {
    const permanent = err instanceof AppError && err.status < 500;
    const message = err instanceof AppError ? `${err.code}: ${err.detail ?? err.title}` : err instanceof Error ? err.message : String(err);
    if (permanent || job.attempts >= job.max_attempts) {
      await sql`UPDATE jobs SET status = ${permanent ? 'failed' : 'dead'}, last_error = ${message.slice(0, 2000)},
                       locked_until = NULL, finished_at = now(), updated_at = now()
                 WHERE ${fence(job)}`.execute(ctx.db);
      return;
    }
    const delay = backoffMs(job.attempts, baseMs, maxMs);
    await sql`UPDATE jobs SET status = 'queued', last_error = ${message.slice(0, 2000)}, locked_until = NULL,
                     run_at = now() + make_interval(secs => ${delay / 1000}), updated_at = now()
               WHERE ${fence(job)}`.execute(ctx.db);
  }

  async function run(job: JobRow) {
    if (job.attempts > job.max_attempts) {
      // its last worker died holding it: no attempts are left
      return fail(job, new Error(job.last_error ?? 'the worker running this job stopped before it finished'));
    }
    const handler = handlers[job.kind];
    liveProgress.set(job.id, { done: Number(job.progress_done), total: job.progress_total === null ? null : Number(job.progress_total) });
    runningHere.set(job.id, job);
    // on PostgreSQL a heartbeat extends the lease and publishes progress from another pooled connection
    const beat = onPg
      ? setInterval(() => {
          const p = liveProgress.get(job.id);
          void sql`UPDATE jobs SET locked_until = now() + make_interval(secs => ${lease}), updated_at = now(),
                          progress_done = ${p?.done ?? 0}, progress_total = ${p?.total ?? null}
                    WHERE ${fence(job)}`.execute(ctx.db).catch(() => undefined);
        }, Math.min(1000, (lease * 1000) / 3))
      : undefined;
    try {
      const result = await handler({
        id: job.id,
        kind: job.kind,
        payload: job.payload as Record<string, unknown>,
        attempt: job.attempts,
        lastAttempt: job.attempts >= job.max_attempts,
        ctx,
        progress(done, total) {
          const cur = liveProgress.get(job.id);
          liveProgress.set(job.id, { done, total: total === undefined ? (cur?.total ?? null) : total });
        },
      });
      if (beat) clearInterval(beat);
      await finish(job, (result as Record<string, unknown> | undefined) ?? {});
    } catch (e) {
      if (beat) clearInterval(beat);
      await fail(job, e).catch(() => undefined);
    } finally {
      runningHere.delete(job.id);
      liveProgress.delete(job.id);
    }
  }

  async function loop() {
    while (!stopping) {
      let job: JobRow | undefined;
      if (inflight.size < concurrency) {
        job = await claim().catch((e) => void opts.onError?.(e)); // database briefly unavailable: try again next poll
      }
      if (job) {
        const id = job.id;
        // a lost database can fail even the bookkeeping of a run: the lease lapses and the job is retried;
        // a rejection here must never become an unhandled one that ends the process
        inflight.set(id, run(job).catch((e) => opts.onError?.(e)).finally(() => {
          inflight.delete(id);
          wake?.();
        }));
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
  }

  const looping = loop();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await looping;
      await Promise.allSettled([...inflight.values()]);
    },
  };
}
