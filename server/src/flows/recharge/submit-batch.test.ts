import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testutil/database.ts';
import { claimJobs } from '../../platform/jobs/job-store.ts';
import { seedRechargeRows } from './recharge-rows.testkit.ts';
import type { Config } from '../../platform/config.ts';
import { recordAccepted, startSubmit, type AcceptedAnswer } from './submit-batch.ts';
import { setBatchLog, type BatchContext } from './batch-log.ts';

// The submit path's two statements applied for many job runs at once (submit-batch.ts), on both databases:
// each run must see exactly what it would see alone — its attempt moved once and only as the machine
// allows, its answer logged, its own run ended (and no other run's) — and a batch the database refuses
// must write nothing and send every one of its runs to record alone.
const N = 40;
const id = (i: number) => `rca_x${i}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
let t: TestDatabase;
let batchContext: BatchContext;
const ctx = () => batchContext;
const warnings: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await seedRechargeRows(t, N, { attemptState: 'created' });
  batchContext = { database: t.database, config: { logLevel: 'silent' } as Config };
  setBatchLog(batchContext, { warn: (fields) => warnings.push(fields) });
});
afterAll(async () => t?.drop());

const attempts = async (ids: string[]) =>
  (await sql<{ id: string; state: string; submits: number; supplier_order_id: string | null; price_fen: number | null; supplier_state: string | null }>`
    SELECT id, state, submits, supplier_order_id, price_fen, supplier_state FROM recharge_attempts WHERE id = ANY(${ids}::text[]) ORDER BY id`.execute(t.database.db)).rows;
const jobOf = async (i: number) =>
  (await sql<{ status: string; run_at: Date; note: string | null; result: unknown; attempts: number }>`SELECT status, run_at, note, result, attempts FROM jobs WHERE id = ${`job_x${i}`}`.execute(t.database.db)).rows[0];
const submitEvents = async (i: number) =>
  (await sql<{ outcome: string; supplier_code: number | null; detail: Record<string, unknown> }>`
    SELECT outcome, supplier_code, detail FROM recharge_events WHERE attempt_id = ${id(i)} AND kind = 'submit' ORDER BY id`.execute(t.database.db)).rows;

const answer = (i: number, run: { id: string; runs: number }, at: Date, over: Partial<AcceptedAnswer> = {}): AcceptedAnswer => ({
  attempt: { id: id(i), order_id: `rco_x${i}`, supplier_id: 'sup_x' },
  supplierOrderId: `SO${i}`,
  priceFen: 900 + i,
  supplierState: 'processing',
  outcome: 'accepted:processing',
  supplierCode: 0,
  detail: { supplier_order_id: `SO${i}` },
  run,
  at,
  note: 'attempt accepted',
  result: { attempt: id(i) },
  ...over,
});

describe('the submit path in batches', () => {
  it('starts: each attempt moves created → submitting once, with its own order\'s account; one named twice in a batch moves once', async () => {
    const twice = range(0, 10).map(id);
    const first = await Promise.all([...range(0, N).map(id), ...twice].map((x) => startSubmit(ctx(), x)));
    for (const i of range(0, N)) {
      const s = first[i]!;
      expect(s.attempt).toMatchObject({ id: id(i), state: 'submitting', submits: 1 });
      expect(s.order.id).toBe(`rco_x${i}`);
      expect(Buffer.from(s.order.account_enc).toString('hex')).toBe(createHash('md5').update(`acct${i}`).digest('hex'));
    }
    expect(first.slice(N)).toEqual(twice.map(() => null));
    // started already: nothing to move, the run takes the careful path (which finds it `submitting`)
    expect(await Promise.all(range(0, 5).map((i) => startSubmit(ctx(), id(i))))).toEqual(range(0, 5).map(() => null));
    expect((await attempts(range(0, N).map(id))).map((a) => [a.state, a.submits])).toEqual(range(0, N).map(() => ['submitting', 1]));
  });

  it('answers: each logged and its own run ended — polled again while live, done when a callback finished it first; a stale run writes no end', async () => {
    const runs = new Map((await claimJobs(t.database.db, ['recharge.attempt'], N, 60, [])).map((j) => [j.id, { id: j.id, runs: j.runs }]));
    expect(runs.size).toBe(N);
    const run = (i: number) => runs.get(`job_x${i}`)!;
    // a callback finished attempts 0–4 before their answers are recorded
    await sql`UPDATE recharge_attempts SET state = 'succeeded', finished_at = now() WHERE id = ANY(${range(0, 5).map(id)}::text[])`.execute(t.database.db);
    const at = new Date(Date.now() + 60_000);
    const out = await Promise.all(
      range(0, 30).map((i) => recordAccepted(ctx(), answer(i, i === 5 ? { id: run(5).id, runs: run(5).runs - 1 } : run(i), at))),
    );
    expect(out).toEqual(range(0, 30).map((i) => (i < 5 ? { state: 'succeeded', moved: false } : { state: 'accepted', moved: true })));

    for (const i of range(0, 30)) {
      expect(await submitEvents(i)).toEqual([{ outcome: 'accepted:processing', supplier_code: 0, detail: { supplier_order_id: `SO${i}` } }]);
      const job = await jobOf(i);
      if (i < 5) expect(job).toMatchObject({ status: 'succeeded', result: { attempt: id(i) }, note: null });
      else if (i === 5) expect(job.status).toBe('running'); // its fence names an older run
      else {
        expect(job).toMatchObject({ status: 'queued', note: 'attempt accepted', attempts: 0 });
        expect(new Date(job.run_at).getTime()).toBe(at.getTime());
      }
    }
    const moved = await attempts(range(5, 30).map(id));
    expect(moved.map((a) => [a.id, a.state, a.supplier_order_id, a.price_fen, a.supplier_state])).toEqual(
      range(5, 30).map(id).sort().map((x) => [x, 'accepted', `SO${x.slice(5)}`, 900 + Number(x.slice(5)), 'processing']),
    );
  });

  it('a batch the database refuses writes nothing, and every run in it is told to record alone', async () => {
    const runs = new Map((await sql<{ id: string; runs: number }>`SELECT id, runs FROM jobs WHERE id = ANY(${range(30, N).map((i) => `job_x${i}`)}::text[])`.execute(t.database.db)).rows.map((j) => [j.id, j]));
    const at = new Date(Date.now() + 60_000);
    // one answer in the batch carries what the database refuses (a NUL byte in text)
    const out = await Promise.all(range(30, N).map((i) => recordAccepted(ctx(), answer(i, runs.get(`job_x${i}`)!, at, i === 33 ? { outcome: 'accepted:\u0000' } : {}))));
    expect(out).toEqual(range(30, N).map(() => null));
    // the operator sees it: one line for the batch, with the SQLSTATE (22021: a byte the encoding refuses)
    expect(warnings).toEqual([{ batch: 'recharge-answers', items: 10, err: { code: '22021', message: expect.stringContaining('invalid byte sequence') } }]);
    for (const i of range(30, N)) expect(await submitEvents(i)).toEqual([]);
    expect((await attempts(range(30, N).map(id))).every((a) => a.state === 'submitting' && a.supplier_order_id === null)).toBe(true);
    expect(new Set(await Promise.all(range(30, N).map(async (i) => (await jobOf(i)).status)))).toEqual(new Set(['running']));
  });
});
