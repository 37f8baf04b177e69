// Latency samples (milliseconds), closed-loop load phases, and the summary every load phase reports.

export class Latencies {
  private buf = new Float64Array(1 << 16);
  n = 0;
  add(ms: number) {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = ms;
  }
  /** nearest-rank percentiles of the recorded samples */
  percentiles(ps: number[]): number[] {
    if (this.n === 0) return ps.map(() => NaN);
    const sorted = this.buf.slice(0, this.n).sort();
    return ps.map((p) => sorted[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))]);
  }
}

export interface LoadResult {
  /** completed successful operations in the measured windows */
  ok: number;
  errors: number;
  /** error kinds → count (HTTP status, pg error code, …) */
  errorKinds: Record<string, number>;
  /** measured seconds (sum over rounds) */
  seconds: number;
  /** successful operations per second, and per round */
  rate: number;
  roundRates: number[];
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * A closed-loop load: `concurrency` workers calling `op` back to back. `run(seconds)` runs one measured
 * round, recording the operations that finish inside it; rounds accumulate,
 * so two loads can be interleaved round by round and see the same machine conditions.
 */
export class ClosedLoop {
  private lat = new Latencies();
  private errors = 0;
  private errorKinds: Record<string, number> = {};
  private seconds = 0;
  private roundRates: number[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly op: (worker: number) => Promise<void>,
    private readonly describeError: (e: unknown) => string,
  ) {}

  /** Drives the load for `seconds` without recording anything (connection set-up, JIT, caches). */
  async warm(seconds: number): Promise<void> {
    if (seconds > 0) await this.drive(seconds, false);
  }

  /** One measured round of `seconds`. */
  async run(seconds: number): Promise<void> {
    const ok = await this.drive(seconds, true);
    this.seconds += seconds;
    this.roundRates.push(ok / seconds);
  }

  private async drive(seconds: number, record: boolean): Promise<number> {
    const end = performance.now() + seconds * 1000;
    let ok = 0;
    const worker = async (w: number) => {
      for (;;) {
        const start = performance.now();
        if (start >= end) return;
        let failed: string | null = null;
        try {
          await this.op(w);
        } catch (e) {
          failed = this.describeError(e);
        }
        const done = performance.now();
        if (!record || done > end) continue;
        if (failed === null) {
          this.lat.add(done - start);
          ok++;
        } else {
          this.errors++;
          this.errorKinds[failed] = (this.errorKinds[failed] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, (_, i) => worker(i)));
    return ok;
  }

  result(): LoadResult {
    const [p50, p90, p99, max] = this.lat.percentiles([50, 90, 99, 100]);
    return {
      ok: this.lat.n,
      errors: this.errors,
      errorKinds: this.errorKinds,
      seconds: this.seconds,
      rate: this.seconds ? this.lat.n / this.seconds : 0,
      roundRates: this.roundRates.map((r) => Math.round(r)),
      p50,
      p90,
      p99,
      max,
    };
  }
}

/**
 * An open-loop load: operations are scheduled at a fixed `rate` for `seconds`, at most `maxInFlight` at a
 * time (a scheduled operation that finds them all busy waits for one). Latency counts from the scheduled
 * start, so a stalled server is charged for the requests it kept waiting (no coordinated omission).
 */
export async function openLoop(
  rate: number,
  seconds: number,
  maxInFlight: number,
  op: () => Promise<void>,
  describeError: (e: unknown) => string,
): Promise<LoadResult> {
  const lat = new Latencies();
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  const total = Math.max(1, Math.round(rate * seconds));
  const t0 = performance.now();
  let next = 0; // index of the next operation to schedule
  let inFlight = 0;
  const backlog: number[] = []; // scheduled start times waiting for a free slot
  let finished = 0;
  return new Promise((resolve) => {
    const start = (scheduled: number) => {
      inFlight++;
      op().then(
        () => lat.add(performance.now() - scheduled),
        (e) => {
          errors++;
          const k = describeError(e);
          errorKinds[k] = (errorKinds[k] ?? 0) + 1;
        },
      ).finally(() => {
        inFlight--;
        finished++;
        const waiting = backlog.shift();
        if (waiting !== undefined) start(waiting);
        if (finished === total) {
          const [p50, p90, p99, max] = lat.percentiles([50, 90, 99, 100]);
          const wall = (performance.now() - t0) / 1000;
          resolve({ ok: lat.n, errors, errorKinds, seconds: wall, rate: lat.n / wall, roundRates: [], p50, p90, p99, max });
        }
      });
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + (next * 1000) / rate <= now) {
        const scheduled = t0 + (next * 1000) / rate;
        next++;
        if (inFlight < maxInFlight) start(scheduled);
        else backlog.push(scheduled);
      }
      if (next < total) setTimeout(tick, 1);
    };
    tick();
  });
}

/**
 * A fixed amount of work: `n` operations by `concurrency` workers back to back (closed loop); the rate is
 * n over the wall time from the first start to the last answer. For loads that consume a finite fixture
 * (one accepted attempt per callback) or are judged as a batch (10,000 recharges).
 */
export async function countLoad(n: number, concurrency: number, op: (i: number) => Promise<void>, describeError: (e: unknown) => string): Promise<LoadResult> {
  const lat = new Latencies();
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        const start = performance.now();
        try {
          await op(i);
          lat.add(performance.now() - start);
        } catch (e) {
          errors++;
          const k = describeError(e);
          errorKinds[k] = (errorKinds[k] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const [p50, p90, p99, max] = lat.percentiles([50, 90, 99, 100]);
  return { ok: lat.n, errors, errorKinds, seconds, rate: lat.n / seconds, roundRates: [], p50, p90, p99, max };
}
