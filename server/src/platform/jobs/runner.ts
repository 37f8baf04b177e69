import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { claimJobs, checkJobAgain, endJob, endRunCtes, renewLease, retryJob, succeedJob, type JobRow } from './job-store.ts';
import { liveProgress, runningHere, isCheckAgain, isEndedInStatement, type JobDefinition, type JobHandler, type JobLane } from './jobs.ts';
import { DEFAULT_POLICY, registeredJobs } from './registry.ts';

// The job worker. One loop per lane, each with its own concurrency, so long work in `bulk` (imports) never
// delays short work in `fast` (recharges, webhooks). Each loop claims ready jobs in batches with
// FOR UPDATE SKIP LOCKED (several workers never take the same one), holds a lease that a crashed worker lets
// lapse so another retries the job, follows the kind's policy on failure (backoff schedule, attempts, then
// dead) and re-queues a job whose handler answered "check again at T" without using up an attempt.
export interface RunnerOptions {
  pollMs?: number;
  leaseSeconds?: number;
  /** jobs run at once per lane */
  concurrency?: Partial<Record<JobLane, number>> | number;
  /** the kinds to run (default: every registered kind) */
  definitions?: Record<string, JobDefinition>;
  /** plain handlers (tests): the default policy with an exponential backoff from backoffBaseMs */
  handlers?: Record<string, JobHandler>;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** called when a job throws (logging) */
  onError?: (job: { id: string; kind: string }, err: unknown) => void;
}

export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return jitter(exp);
}

/** The delay before retry `attempt` (1 = after the first failure) on a schedule; the last value repeats. */
export function scheduleMs(attempt: number, backoffSeconds: readonly number[]): number {
  const s = backoffSeconds[Math.min(Math.max(attempt, 1), backoffSeconds.length) - 1] ?? 60;
  return jitter(s * 1000);
}

// retries of many jobs that failed together do not line up
const jitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

const DEFAULT_CONCURRENCY = { pg: { fast: 32, bulk: 1, notify: 8 }, pglite: { fast: 8, bulk: 1, notify: 4 } } as const;

export function startJobRunner(ctx: AppContext, opts: RunnerOptions = {}): { stop(): Promise<void> } {
  const legacy = opts.handlers;
  const baseMs = opts.backoffBaseMs ?? 5_000;
  const maxMs = opts.backoffMaxMs ?? 3_600_000;
  const definitions: Record<string, JobDefinition> = legacy
    ? Object.fromEntries(Object.entries(legacy).map(([k, handler]) => [k, { handler, policy: { ...DEFAULT_POLICY } }]))
    : (opts.definitions ?? registeredJobs());
  const delayMs = (kind: string, attempt: number) =>
    legacy ? backoffMs(attempt, baseMs, maxMs) : scheduleMs(attempt, definitions[kind].policy.backoffSeconds);
  const pollMs = opts.pollMs ?? 500;
  const defaults = DEFAULT_CONCURRENCY[ctx.database.kind];
  const onPg = ctx.database.kind === 'pg';
  const inflight = new Map<string, Promise<void>>();
  let stopping = false;
  const wakers = new Set<() => void>();

  const leaseOf = (kind: string) => opts.leaseSeconds ?? definitions[kind]?.policy.leaseSeconds ?? 60;

  async function run(job: JobRow) {
    const def = definitions[job.kind];
    const lease = leaseOf(job.kind);
    if (job.attempts > job.max_attempts) {
      // its last worker died holding it: no attempts are left
      await endJob(ctx.db, job, 'die', job.last_error ?? 'the worker running this job stopped before it finished').catch(() => undefined);
      return;
    }
    liveProgress.set(job.id, { done: Number(job.progress_done), total: job.progress_total === null ? null : Number(job.progress_total) });
    runningHere.set(job.id, job);
    // on PostgreSQL a heartbeat extends the lease and publishes progress from another pooled connection
    const beat = onPg
      ? setInterval(() => void renewLease(ctx.db, job, lease, liveProgress.get(job.id)).catch(() => undefined), Math.min(1000, (lease * 1000) / 3))
      : undefined;
    try {
      const out = await def.handler({
        id: job.id,
        kind: job.kind,
        payload: job.payload as Record<string, unknown>,
        attempt: job.attempts,
        runs: job.runs,
        lastAttempt: job.attempts >= job.max_attempts,
        ctx,
        progress(done, total) {
          const cur = liveProgress.get(job.id);
          liveProgress.set(job.id, { done, total: total === undefined ? (cur?.total ?? null) : total });
        },
        endSteps: (end) => endRunCtes(job, end),
      });
      if (beat) clearInterval(beat);
      if (isEndedInStatement(out)) {
        // the handler's statement wrote the end of the run
      } else if (isCheckAgain(out)) await checkJobAgain(ctx.db, job, out.checkAgainAt, out.note ?? null);
      else await succeedJob(ctx.db, job, (out as Record<string, unknown> | undefined) ?? {}, liveProgress.get(job.id));
    } catch (e) {
      if (beat) clearInterval(beat);
      opts.onError?.({ id: job.id, kind: job.kind }, e);
      const message = e instanceof AppError ? `${e.code}: ${e.detail ?? e.title}` : e instanceof Error ? e.message : String(e);
      const permanent = e instanceof AppError && e.status < 500;
      const outcome = permanent
        ? endJob(ctx.db, job, 'fail', message)
        : job.attempts >= job.max_attempts
          ? endJob(ctx.db, job, 'die', message)
          : retryJob(ctx.db, job, message, delayMs(job.kind, job.attempts) / 1000);
      await outcome.catch(() => undefined); // the database is away: the lease lapses and the job runs again
    } finally {
      runningHere.delete(job.id);
      liveProgress.delete(job.id);
    }
  }

  async function laneLoop(lane: JobLane, kinds: string[], concurrency: number) {
    const mine = new Set<string>();
    let wake: (() => void) | null = null;
    const waker = () => wake?.();
    wakers.add(waker);
    while (!stopping) {
      const free = concurrency - mine.size;
      let jobs: JobRow[] = [];
      if (free > 0) {
        // the database briefly unavailable: try again next poll
        jobs = await claimJobs(ctx.db, kinds, free, Math.min(...kinds.map(leaseOf)), [...inflight.keys()]).catch(() => []);
      }
      for (const job of jobs) {
        mine.add(job.id);
        inflight.set(
          job.id,
          run(job).finally(() => {
            mine.delete(job.id);
            inflight.delete(job.id);
            wake?.();
          }),
        );
      }
      if (jobs.length > 0 && jobs.length === free) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
    wakers.delete(waker);
  }

  const byLane = new Map<JobLane, string[]>();
  for (const [kind, def] of Object.entries(definitions)) byLane.set(def.policy.lane, [...(byLane.get(def.policy.lane) ?? []), kind]);
  const concurrencyOf = (lane: JobLane) =>
    typeof opts.concurrency === 'number' ? opts.concurrency : (opts.concurrency?.[lane] ?? defaults[lane]);
  const loops = [...byLane].map(([lane, kinds]) => laneLoop(lane, kinds, concurrencyOf(lane)));

  return {
    async stop() {
      stopping = true;
      for (const w of wakers) w();
      await Promise.all(loops);
      await Promise.allSettled([...inflight.values()]);
    },
  };
}
