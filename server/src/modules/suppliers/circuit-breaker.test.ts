import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, DEFAULT_CIRCUIT_OPTIONS, type CallOutcome, type CircuitOptions } from './circuit-breaker.ts';

// The breaker on a controllable clock: the design's numbers (20 calls, 50 %, 60 s window, 30 s open).
function setup(overrides: Partial<CircuitOptions> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const b = new CircuitBreaker({ ...DEFAULT_CIRCUIT_OPTIONS, clock: () => clock.now, ...overrides });
  return { b, clock, advance: (ms: number) => (clock.now += ms) };
}
const OK: CallOutcome = { ok: true };
const TIMEOUT: CallOutcome = { countsForCircuit: true, reason: 'timeout after 10000 ms' };
const BUSY: CallOutcome = { countsForCircuit: true, reason: 'code 5000' };
const UNAVAILABLE: CallOutcome = { countsForCircuit: false, reason: 'code 3001' };
const repeat = (b: CircuitBreaker, o: CallOutcome, n: number) => {
  for (let i = 0; i < n; i++) b.record(o);
};

describe('circuit breaker', () => {
  it('stays closed below 20 calls, opens when half of at least 20 calls failed', () => {
    const { b } = setup();
    repeat(b, TIMEOUT, 19);
    expect(b.snapshot().state).toBe('closed');
    expect(b.allows()).toBe(true);
    b.record(BUSY);
    const s = b.snapshot();
    expect(s.state).toBe('open');
    expect(s.window).toEqual({ calls: 20, failures: 20, window_seconds: 60 });
    expect(s.last_reasons[0].reason).toBe('code 5000');
    expect(s.last_reasons).toHaveLength(5);
    expect(b.allows()).toBe(false);
  });

  it('counts the ratio: 9 of 20 keeps it closed, 10 of 20 opens it', () => {
    const a = setup().b;
    repeat(a, OK, 11);
    repeat(a, TIMEOUT, 9);
    expect(a.snapshot().state).toBe('closed');
    const c = setup().b;
    repeat(c, OK, 10);
    repeat(c, TIMEOUT, 10);
    expect(c.snapshot().state).toBe('open');
  });

  it('does not count declines (3001–3004, 4001) or failed orders', () => {
    const { b } = setup();
    repeat(b, UNAVAILABLE, 100);
    repeat(b, TIMEOUT, 60);
    expect(b.snapshot()).toMatchObject({ state: 'closed', window: { calls: 160, failures: 60 } });
  });

  it('forgets failures older than the 60 s window', () => {
    const { b, advance } = setup();
    repeat(b, TIMEOUT, 15);
    advance(61_000);
    repeat(b, TIMEOUT, 15);
    expect(b.snapshot()).toMatchObject({ state: 'closed', window: { calls: 15, failures: 15 } });
  });

  it('half-opens after 30 s with one probe; a good probe closes it with a clean window', () => {
    const { b, advance } = setup();
    repeat(b, TIMEOUT, 20);
    advance(29_999);
    expect(b.allows()).toBe(false);
    advance(1);
    expect(b.snapshot().state).toBe('half_open');
    expect(b.allows()).toBe(true); // the probe
    expect(b.allows()).toBe(false); // everyone else waits for it
    b.record(UNAVAILABLE); // the supplier answered (it declined): it is alive
    expect(b.snapshot()).toMatchObject({ state: 'closed', window: { calls: 0, failures: 0 }, opened_count: 1 });
    expect(b.allows()).toBe(true);
    b.record(TIMEOUT); // one failure after closing does not re-open it
    expect(b.snapshot().state).toBe('closed');
  });

  it('a failed probe re-opens it for another 30 s; a lost probe frees the slot after the probe timeout', () => {
    const { b, advance } = setup();
    repeat(b, TIMEOUT, 20);
    advance(30_000);
    expect(b.allows()).toBe(true);
    b.record(TIMEOUT);
    expect(b.snapshot()).toMatchObject({ state: 'open', opened_count: 2 });
    advance(29_000);
    expect(b.allows()).toBe(false);
    advance(1_000);
    expect(b.allows()).toBe(true); // probe sent… and its caller never reports
    advance(29_000);
    expect(b.allows()).toBe(false);
    advance(1_000);
    expect(b.allows()).toBe(true);
    b.record(OK);
    expect(b.snapshot().state).toBe('closed');
  });

  it('while open, calls that still flow (queries) are counted but do not close it', () => {
    const { b, advance } = setup();
    repeat(b, TIMEOUT, 20);
    advance(5_000);
    repeat(b, OK, 50);
    expect(b.snapshot()).toMatchObject({ state: 'open', window: { calls: 70, failures: 20 } });
  });

  // A reference model written differently (a plain list of timed calls instead of buckets), walked with
  // random sequences of time steps, submissions and outcomes: both must agree on every answer.
  it('agrees with a reference model on random call sequences (property)', () => {
    type Step = { kind: 'advance'; ms: number } | { kind: 'allows' } | { kind: 'record'; outcome: 'ok' | 'fail' | 'decline' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
      fc.constant({ kind: 'allows' as const }),
      fc.record({ kind: fc.constant('record' as const), outcome: fc.constantFrom('ok' as const, 'fail' as const, 'fail' as const, 'decline' as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), fc.integer({ min: 1, max: 10 }), (steps, minCalls) => {
        const opts = { minCalls, bucketMs: 1, windowMs: 60_000, openMs: 30_000, probeTimeoutMs: 30_000, failureRatio: 0.5 };
        const { b, advance, clock } = setup(opts);
        // the model
        let state = 'closed' as 'closed' | 'open' | 'half_open';
        let since = clock.now;
        let probeAt: number | null = null;
        let calls: Array<{ at: number; failed: boolean }> = [];
        const tick = () => {
          if (state === 'open' && clock.now - since >= opts.openMs) [state, since, probeAt] = ['half_open', clock.now, null];
        };
        const inWindow = () => calls.filter((c) => c.at >= clock.now - opts.windowMs);
        for (const s of steps) {
          if (s.kind === 'advance') {
            advance(s.ms);
            continue;
          }
          tick();
          if (s.kind === 'allows') {
            let expected: boolean;
            if (state === 'closed') expected = true;
            else if (state === 'open') expected = false;
            else if (probeAt !== null && clock.now - probeAt < opts.probeTimeoutMs) expected = false;
            else [expected, probeAt] = [true, clock.now];
            expect(b.allows()).toBe(expected);
          } else {
            const failed = s.outcome === 'fail';
            b.record(failed ? TIMEOUT : s.outcome === 'ok' ? OK : UNAVAILABLE);
            if (state === 'half_open') {
              [state, since, probeAt] = [failed ? 'open' : 'closed', clock.now, null];
              if (!failed) calls = [];
            } else {
              calls.push({ at: clock.now, failed });
              const w = inWindow();
              const f = w.filter((c) => c.failed).length;
              if (state === 'closed' && failed && w.length >= minCalls && f >= 0.5 * w.length) [state, since] = ['open', clock.now];
            }
          }
          const snap = b.snapshot();
          expect(snap.state).toBe(state);
          expect(snap.window.calls).toBe(inWindow().length);
          expect(snap.window.failures).toBe(inWindow().filter((c) => c.failed).length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
