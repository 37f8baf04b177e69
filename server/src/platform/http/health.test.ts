import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';

// Liveness and readiness on any database; the outage itself is proven on real PostgreSQL in
// platform/db/outage.e2e.test.ts.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('health endpoints', () => {
  it('answers /healthz (liveness) and /readyz (the database answers)', async () => {
    expect((await http(`${h.url}/healthz`, {})).body).toEqual({ ok: true });
    const ready = await http(`${h.url}/readyz`, {});
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ok: true, database: 'up' });
  });
});

describe('which errors mean "database unavailable" (503) rather than a bug (500)', () => {
  it('knows the SQLSTATEs and connection errors of a lost database', () => {
    for (const e of [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
    ]) expect(isDatabaseUnavailable(e), e.message).toBe(true);
    for (const e of [new Error('boom'), Object.assign(new Error('duplicate key'), { code: '23505' }), new TypeError('x is undefined'), null, 'text']) {
      expect(isDatabaseUnavailable(e)).toBe(false);
    }
  });
});
