import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testutil/database.ts';
import type { JobStatus } from '../db/schema.ts';
import { jobMachine, type JobEvent } from './job.machine.ts';
import { checkJobAgain, claimJobs, endJob, endRunCtes, endRunsCtes, requeueJob, retryJob, succeedJob, type JobRow } from './job-store.ts';
import { enqueue, settleWaitingJobCte } from './jobs.ts';
import { withCtes } from '../db/ctes.ts';

// Model-based: random sequences of job operations against the real database. After every step the row's
// status equals the machine's answer, a write fenced to an older run changes nothing, and attempts count
// only runs that did not answer "check again".
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

type Op = 'claim' | 'reclaim' | 'succeed' | 'check_again' | 'retry' | 'fail' | 'die' | 'requeue' | 'stale_succeed' | 'settle' | 'end_done' | 'end_later' | 'stale_end' | 'batch_end_done' | 'batch_end_later' | 'stale_batch_end';
const op = fc.constantFrom<Op>('claim', 'reclaim', 'succeed', 'check_again', 'retry', 'fail', 'die', 'requeue', 'stale_succeed', 'settle', 'end_done', 'end_later', 'stale_end', 'batch_end_done', 'batch_end_later', 'stale_batch_end');

describe('job state machine (model-based, real database)', () => {
  it('every move the database makes is one the machine allows, and fenced writes from old runs change nothing', async () => {
    const db = t.database.db;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 16 }), async (ops) => {
        const kind = 'test.model.' + Math.random().toString(36).slice(2);
        const dedupeKey = 'k-' + Math.random().toString(36).slice(2);
        const { id } = await db.transaction().execute((tx) => enqueue(tx, kind, {}, { maxAttempts: 100, dedupeKey }));
        let status: JobStatus = 'queued';
        let attempts = 0;
        let row: JobRow | undefined;
        let stale: JobRow | undefined;
        for (const o of ops) {
          const expectMove = (event: JobEvent) => jobMachine.next(status, event);
          if (o === 'claim' || o === 'reclaim') {
            if (o === 'reclaim') await sql`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = ${id}`.execute(db);
            const claimed = await claimJobs(db, [kind], 1, 60, []);
            const event: JobEvent = status === 'running' ? 'reclaim' : 'claim';
            const next: JobStatus | null = o === 'claim' && (status as JobStatus) === 'running' ? null : expectMove(event);
            if (next) {
              expect(claimed.map((j) => j.id)).toEqual([id]);
              stale = row;
              row = claimed[0];
              status = next;
              attempts++;
            } else {
              expect(claimed).toEqual([]);
            }
          } else if (o === 'settle') {
            // ended from outside by a composed statement (the work was done elsewhere); only a waiting job moves
            const r = await withCtes<{ id: string }>([{ name: 'done', sql: sql`SELECT 1` }, settleWaitingJobCte('settled', kind, dedupeKey, { after: 'done', result: {} })], sql`SELECT id FROM settled`).execute(db);
            const next = expectMove('settle');
            expect(r.rows.length).toBe(next ? 1 : 0);
            if (next) status = next;
          } else if (o === 'end_done' || o === 'end_later' || o === 'stale_end') {
            // the end of a run written by the handler's own statement: the same moves, fenced alike
            const target = o === 'stale_end' ? stale : row;
            if (target) {
              const done = o === 'end_done';
              await withCtes([{ name: 'h', sql: sql`SELECT ${done}::boolean AS d` }, ...endRunCtes(target, { done: sql`(SELECT d FROM h)`, result: {}, at: new Date(Date.now() - 1000), note: null })], sql`SELECT 1`).execute(db);
              const next = o === 'stale_end' ? null : expectMove(done ? 'succeed' : 'check_again');
              if (next) {
                status = next;
                if (!done) attempts = Math.max(0, attempts - 1);
              }
            }
          } else if (o === 'batch_end_done' || o === 'batch_end_later' || o === 'stale_batch_end') {
            // the end of many runs in one statement (a group commit of handlers), fenced alike
            const target = o === 'stale_batch_end' ? stale : row;
            if (target) {
              const done = o === 'batch_end_done';
              const runs = [{ job_id: target.id, job_runs: target.runs, done, run_at: new Date(Date.now() - 1000).toISOString(), note: null, result: '{}' }];
              await withCtes(
                [
                  { name: 'r', sql: sql`SELECT * FROM jsonb_to_recordset(${JSON.stringify(runs)}::jsonb) AS r(job_id text, job_runs int, done boolean, run_at timestamptz, note text, result jsonb)` },
                  ...endRunsCtes('r'),
                ],
                sql`SELECT 1`,
                { prepared: false },
              ).execute(db);
              const next = o === 'stale_batch_end' ? null : expectMove(done ? 'succeed' : 'check_again');
              if (next) {
                status = next;
                if (!done) attempts = Math.max(0, attempts - 1);
              }
            }
          } else if (o === 'stale_succeed') {
            if (stale) await succeedJob(db, stale, { stale: true });
          } else if (o === 'requeue') {
            const r = await requeueJob(db, id);
            const next = expectMove('requeue');
            expect(Boolean(r)).toBe(next !== null);
            if (next) {
              status = next;
              attempts = 0;
            }
          } else if (row) {
            const next = expectMove(o);
            if (o === 'succeed') await succeedJob(db, row, { ok: true });
            if (o === 'check_again') await checkJobAgain(db, row, new Date(Date.now() - 1000), 'polling');
            if (o === 'retry') await retryJob(db, row, 'boom', 0);
            if (o === 'fail' || o === 'die') await endJob(db, row, o, 'boom');
            if (next) {
              status = next;
              if (o === 'check_again') attempts = Math.max(0, attempts - 1);
            }
          }
          const now = await db.selectFrom('jobs').select(['status', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();
          expect(now.status, `after ${o}`).toBe(status);
          expect(now.attempts, `attempts after ${o}`).toBe(attempts);
        }
      }),
      { numRuns: 40 },
    );
  });
});
