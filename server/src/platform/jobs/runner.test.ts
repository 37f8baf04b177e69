import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { onRealPostgres } from '../../testutil/database.ts';
import { enqueue, getJob, type JobHandler } from './jobs.ts';
import { backoffMs, startJobRunner } from './runner.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

async function until(id: string, statuses: string[], ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const j = await getJob(h.ctx.db, id);
    if (statuses.includes(j.status)) return j;
    if (Date.now() > end) throw new Error(`job ${id} still ${j.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const enq = (kind: string, payload: Record<string, unknown> = {}, maxAttempts?: number) =>
  h.ctx.db.transaction().execute((tx) => enqueue(tx, kind, payload, { createdBy: 'usr_test', maxAttempts }));

describe('job runner', () => {
  it('runs a job, records its result and progress', async () => {
    const handlers: Record<string, JobHandler> = {
      'test.ok': async (run) => {
        run.progress(5, 10);
        run.progress(10);
        return { echoed: run.payload.n, attempt: run.attempt };
      },
    };
    const job = await enq('test.ok', { n: 42 });
    expect(job.status).toBe('queued');
    const runner = startJobRunner(h.ctx, { pollMs: 10, handlers });
    try {
      const done = await until(job.id, ['succeeded']);
      expect(done).toMatchObject({ result: { echoed: 42, attempt: 1 }, progress_done: 10, progress_total: 10, attempts: 1, created_by: 'usr_test', last_error: null });
      expect(done.finished_at).not.toBeNull();
    } finally {
      await runner.stop();
    }
  });

  it('retries with backoff, then marks the job dead after max_attempts', async () => {
    let calls = 0;
    const handlers: Record<string, JobHandler> = {
      'test.flaky': async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
    };
    const job = await enq('test.flaky', {}, 3);
    const runner = startJobRunner(h.ctx, { pollMs: 10, handlers, backoffBaseMs: 50 });
    try {
      const dead = await until(job.id, ['dead']);
      expect(dead).toMatchObject({ attempts: 3, last_error: 'boom 3' });
      expect(calls).toBe(3);
    } finally {
      await runner.stop();
    }
  });

  it('a 4xx AppError fails the job at once, without retries', async () => {
    const handlers: Record<string, JobHandler> = {
      'test.bad': async () => {
        throw new AppError(404, 'not_found', 'Not found', 'Product X does not exist.');
      },
    };
    const job = await enq('test.bad');
    const runner = startJobRunner(h.ctx, { pollMs: 10, handlers });
    try {
      expect(await until(job.id, ['failed'])).toMatchObject({ attempts: 1, last_error: 'not_found: Product X does not exist.' });
    } finally {
      await runner.stop();
    }
  });

  it("retries a job whose worker died holding it once the lease lapses, and never past max_attempts", async () => {
    const handlers: Record<string, JobHandler> = { 'test.crash': async (run) => ({ attempt: run.attempt }) };
    // as a crashed worker leaves them: running, lease expired
    const a = await enq('test.crash', {}, 3);
    const b = await enq('test.crash', {}, 2);
    await sql`UPDATE jobs SET status = 'running', attempts = 1, locked_until = now() - interval '1 second' WHERE id = ${a.id}`.execute(h.ctx.db);
    await sql`UPDATE jobs SET status = 'running', attempts = 2, locked_until = now() - interval '1 second', last_error = 'worker lost' WHERE id = ${b.id}`.execute(h.ctx.db);
    const runner = startJobRunner(h.ctx, { pollMs: 10, handlers });
    try {
      expect(await until(a.id, ['succeeded'])).toMatchObject({ attempts: 2, result: { attempt: 2 } });
      expect(await until(b.id, ['dead'])).toMatchObject({ attempts: 3, last_error: 'worker lost' });
    } finally {
      await runner.stop();
    }
  });

  it('does not run a job before its time, nor one another worker holds', async () => {
    const handlers: Record<string, JobHandler> = { 'test.later': async () => ({}) };
    const later = await h.ctx.db.transaction().execute((tx) => enqueue(tx, 'test.later', {}, { runAt: new Date(Date.now() + 60_000) }));
    const held = await enq('test.later');
    await sql`UPDATE jobs SET status = 'running', attempts = 1, locked_until = now() + interval '1 minute' WHERE id = ${held.id}`.execute(h.ctx.db);
    const runner = startJobRunner(h.ctx, { pollMs: 10, handlers });
    await new Promise((r) => setTimeout(r, 300));
    await runner.stop();
    expect((await getJob(h.ctx.db, later.id)).status).toBe('queued');
    expect((await getJob(h.ctx.db, held.id)).attempts).toBe(1);
  });

  it('backoff grows exponentially up to the cap', () => {
    const mid = (a: number) => backoffMs(a, 1000, 60_000);
    expect(mid(1)).toBeGreaterThanOrEqual(800);
    expect(mid(1)).toBeLessThanOrEqual(1200);
    expect(mid(4)).toBeGreaterThanOrEqual(6400);
    expect(mid(4)).toBeLessThanOrEqual(9600);
    expect(mid(20)).toBeLessThanOrEqual(72_000);
  });

  it('shows progress while the job runs (in the row itself on PostgreSQL)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handlers: Record<string, JobHandler> = {
      'test.slow': async (run) => {
        run.progress(3, 7);
        await gate;
        return {};
      },
    };
    const job = await enq('test.slow');
    const runner = startJobRunner(h.ctx, { pollMs: 10, handlers, leaseSeconds: 3 });
    try {
      const end = Date.now() + 10_000;
      let view;
      do {
        await new Promise((r) => setTimeout(r, 50));
        view = await getJob(h.ctx.db, job.id);
      } while (view.progress_done !== 3 && Date.now() < end);
      expect(view).toMatchObject({ status: 'running', progress_done: 3, progress_total: 7 });
      if (onRealPostgres) {
        // other processes (another API node) read the row: it must carry the progress too
        let row;
        do {
          row = await h.ctx.db.selectFrom('jobs').select(['status', 'progress_done', 'progress_total']).where('id', '=', job.id).executeTakeFirstOrThrow();
          if (row.progress_done !== 3) await new Promise((r) => setTimeout(r, 50));
        } while (row.progress_done !== 3 && Date.now() < end);
        expect(row).toEqual({ status: 'running', progress_done: 3, progress_total: 7 });
      }
    } finally {
      release();
      await runner.stop();
    }
    expect((await getJob(h.ctx.db, job.id)).status).toBe('succeeded');
  });

  it('an admin can read a running job while it holds the database (an import on the embedded database)', async () => {
    const admin = await h.admin('operator');
    expect((await admin.request('GET', '/v1/admin/me')).status).toBe(200); // signed in before the job starts
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const handlers: Record<string, JobHandler> = {
      'test.holds-db': async (run) => {
        // like an import: one long transaction (on PGlite it owns the only connection until it ends)
        await run.ctx.db.transaction().execute(async (tx) => {
          await sql`SELECT 1`.execute(tx);
          run.progress(3, 7);
          holding();
          await gate;
        });
        return { ok: true };
      },
    };
    const job = await enq('test.holds-db');
    const runner = startJobRunner(h.ctx, { pollMs: 10, handlers });
    try {
      await held;
      const r = await http(`${h.url}/v1/admin/jobs/${job.id}`, { headers: admin.headers, signal: AbortSignal.timeout(5000) });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: job.id, status: 'running', progress_done: 3, progress_total: 7 });
    } finally {
      release();
      await runner.stop();
    }
    expect((await getJob(h.ctx.db, job.id)).status).toBe('succeeded');
  });

  it('two runners never run the same job twice', async () => {
    const seen: string[] = [];
    const handlers: Record<string, JobHandler> = {
      'test.once': async (run) => {
        seen.push(run.id);
        await new Promise((r) => setTimeout(r, 5));
        return {};
      },
    };
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push((await enq('test.once')).id);
    const runners = [startJobRunner(h.ctx, { pollMs: 5, handlers, concurrency: 3 }), startJobRunner(h.ctx, { pollMs: 5, handlers, concurrency: 3 })];
    try {
      for (const id of ids) await until(id, ['succeeded']);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });
});
