// Circuit breaker per supplier (DESIGN §11, last paragraph). It counts the calls that tell us the supplier
// itself is sick — timeouts, transport errors, 5xx and code 5000 — and opens when at least `failureRatio` of
// at least `minCalls` calls in the last `windowMs` failed so. While open, new submissions are refused
// (`allows()` is false) so they go to the next supplier; queries and callbacks do not ask and still flow.
// After `openMs` it is half-open: exactly one probe is let through; its outcome closes the circuit (any
// answer from the supplier, including 3001–3004 and 4001) or re-opens it (a counting failure).
//
// Written here rather than taken from `opossum`: opossum wraps the call itself (`breaker.fire(fn)`) and
// classifies thrown errors, while our callers split "may I submit?" from "this is how it went" across a
// job handler whose outcomes are result values; its rolling window runs on per-breaker interval timers with
// no injectable clock, and its half-open state does not limit itself to one probe. What we need is ~100 lines.
//
// State is per process (as the design allows): each API/worker process decides on its own evidence. With
// several workers a sick supplier is detected by each of them within the same minute.

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitOptions {
  /** the rolling window the ratio is measured over */
  windowMs: number;
  /** resolution of the window: calls are counted in buckets of this length */
  bucketMs: number;
  /** fewer calls than this in the window never open the circuit */
  minCalls: number;
  /** open when failures / calls >= this */
  failureRatio: number;
  /** how long the circuit stays open before one probe is let through */
  openMs: number;
  /** a probe whose outcome never came back (its caller crashed) frees the slot after this long */
  probeTimeoutMs: number;
  /** milliseconds since the epoch; tests pass a controllable clock */
  clock: () => number;
}

export const DEFAULT_CIRCUIT_OPTIONS: CircuitOptions = {
  windowMs: 60_000,
  bucketMs: 1_000,
  minCalls: 20,
  failureRatio: 0.5,
  openMs: 30_000,
  probeTimeoutMs: 30_000,
  clock: Date.now,
};

/** How a call to a supplier went: `{ ok: true }`, or a failure that counts (or not) for the circuit. */
export type CallOutcome = { ok: true } | { ok?: false; countsForCircuit: boolean; reason?: string };

export interface CircuitSnapshot {
  state: CircuitState;
  /** when the circuit entered its state */
  since: string;
  window: { calls: number; failures: number; window_seconds: number };
  /** the most recent counting failures, newest first */
  last_reasons: Array<{ at: string; reason: string }>;
  /** how often it opened in this process */
  opened_count: number;
}

interface Bucket {
  start: number;
  calls: number;
  failures: number;
}

const MAX_REASONS = 5;

export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private since: number;
  private buckets: Bucket[] = [];
  private probeAt: number | null = null;
  private reasons: Array<{ at: number; reason: string }> = [];
  private openedCount = 0;

  constructor(private readonly opts: CircuitOptions) {
    this.since = opts.clock();
  }

  /** May a new submission go to this supplier now? In half-open, true once: the caller is the probe. */
  allows(): boolean {
    const now = this.tick();
    if (this.state === 'closed') return true;
    if (this.state === 'open') return false;
    if (this.probeAt !== null && now - this.probeAt < this.opts.probeTimeoutMs) return false;
    this.probeAt = now;
    return true;
  }

  record(outcome: CallOutcome): void {
    const now = this.tick();
    const failed = outcome.ok !== true && outcome.countsForCircuit;
    if (failed) {
      this.reasons.unshift({ at: now, reason: (outcome.reason || 'failure').slice(0, 200) });
      this.reasons.length = Math.min(this.reasons.length, MAX_REASONS);
    }
    if (this.state === 'half_open') {
      // any answer from the supplier decides the probe
      if (failed) this.open(now);
      else this.move('closed', now);
      return;
    }
    this.count(now, failed);
    if (this.state === 'closed' && failed) {
      const { calls, failures } = this.totals(now);
      if (calls >= this.opts.minCalls && failures >= this.opts.failureRatio * calls) this.open(now);
    }
  }

  snapshot(): CircuitSnapshot {
    const now = this.tick();
    const { calls, failures } = this.totals(now);
    return {
      state: this.state,
      since: new Date(this.since).toISOString(),
      window: { calls, failures, window_seconds: Math.round(this.opts.windowMs / 1000) },
      last_reasons: this.reasons.map((r) => ({ at: new Date(r.at).toISOString(), reason: r.reason })),
      opened_count: this.openedCount,
    };
  }

  /** open → half_open once `openMs` has passed; returns now */
  private tick(): number {
    const now = this.opts.clock();
    if (this.state === 'open' && now - this.since >= this.opts.openMs) this.move('half_open', now);
    return now;
  }

  private open(now: number) {
    this.openedCount++;
    this.move('open', now);
  }

  private move(state: CircuitState, now: number) {
    this.state = state;
    this.since = now;
    this.probeAt = null;
    // a closed circuit starts from a clean window: the failures that opened it must not re-open it at once
    if (state === 'closed') this.buckets = [];
  }

  private count(now: number, failed: boolean) {
    const start = now - (now % this.opts.bucketMs);
    let last = this.buckets[this.buckets.length - 1];
    if (!last || last.start !== start) {
      last = { start, calls: 0, failures: 0 };
      this.buckets.push(last);
    }
    last.calls++;
    if (failed) last.failures++;
    this.prune(now);
  }

  private prune(now: number) {
    // a bucket belongs to the window while any part of it is less than windowMs old
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop].start + this.opts.bucketMs <= now - this.opts.windowMs) drop++;
    if (drop) this.buckets.splice(0, drop);
  }

  private totals(now: number) {
    this.prune(now);
    let calls = 0;
    let failures = 0;
    for (const b of this.buckets) {
      calls += b.calls;
      failures += b.failures;
    }
    return { calls, failures };
  }
}

/** One breaker per supplier id, created on first use. */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private opts: CircuitOptions;

  constructor(opts: Partial<CircuitOptions> = {}) {
    this.opts = { ...DEFAULT_CIRCUIT_OPTIONS, ...opts };
  }

  /** Changes the options; when they differ, existing breakers start over (start-up from the configuration, tests). */
  configure(opts: Partial<CircuitOptions>) {
    const next = { ...this.opts, ...opts };
    const same = (Object.keys(next) as Array<keyof CircuitOptions>).every((k) => next[k] === this.opts[k]);
    this.opts = next;
    if (!same) this.breakers.clear();
  }

  get(supplierId: string): CircuitBreaker {
    let b = this.breakers.get(supplierId);
    if (!b) {
      b = new CircuitBreaker(this.opts);
      this.breakers.set(supplierId, b);
    }
    return b;
  }

  allows(supplierId: string) {
    return this.get(supplierId).allows();
  }

  record(supplierId: string, outcome: CallOutcome) {
    this.get(supplierId).record(outcome);
  }

  snapshot(supplierId: string): CircuitSnapshot {
    return this.get(supplierId).snapshot();
  }
}

/** This process's breakers, one per supplier (see the note at the top on "per process"). */
export const supplierCircuits = new CircuitBreakers();
