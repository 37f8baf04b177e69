import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { checkAgain, enqueue, getJob, type JobDefinition } from './jobs.ts';
import { scheduleMs, startJobRunner } from './runner.ts';

// Job policies: lanes, "check again at T", dedupe keys, backoff schedules, and the dead-job handle.
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
const enq = (kind: string, payload: Record<string, unknown> = {}, opts: { dedupeKey?: string; maxAttempts?: number } = {}) =>
  h.ctx.db.transaction().execute((tx) => enqueue(tx, kind, payload, opts));

describe('job policies', () => {
  it('a long job in the bulk lane does not delay jobs in the fast lane', async () => {
    let releaseBulk!: () => void;
    const bulkDone = new Promise<void>((r) => (releaseBulk = r));
    const fastFinished: number[] = [];
    const definitions: Record<string, JobDefinition> = {
      'test.bulk': { handler: async () => void (await bulkDone), policy: { attempts: 1, backoffSeconds: [1], lane: 'bulk' } },
      'test.fast': { handler: async () => void fastFinished.push(Date.now()), policy: { attempts: 1, backoffSeconds: [1], lane: 'fast' } },
    };
    const bulk = await enq('test.bulk');
    const runner = startJobRunner(h.ctx, { pollMs: 10, definitions });
    try {
      await until(bulk.id, ['running']);
      const fast = await Promise.all([1, 2, 3].map(() => enq('test.fast')));
      for (const f of fast) await until(f.id, ['succeeded'], 10_000);
      expect(fastFinished).toHaveLength(3);
      expect((await getJob(h.ctx.db, bulk.id)).status).toBe('running');
    } finally {
      releaseBulk();
      await runner.stop();
    }
  });

  it('"check again at T" re-runs the job later without using up an attempt', async () => {
    const seen: number[] = [];
    const definitions: Record<string, JobDefinition> = {
      'test.poll': {
        handler: async (run) => {
          seen.push(run.attempt);
          return seen.length < 4 ? checkAgain(30, `still processing (${seen.length})`) : { polled: seen.length };
        },
        policy: { attempts: 2, backoffSeconds: [1], lane: 'fast' },
      },
    };
    const job = await enq('test.poll');
    const runner = startJobRunner(h.ctx, { pollMs: 10, definitions });
    try {
      const done = await until(job.id, ['succeeded']);
      expect(done.result).toEqual({ polled: 4 });
      expect(seen).toEqual([1, 1, 1, 1]); // never counted as failed attempts, though the policy allows only 2
      expect(done.attempts).toBe(1);
    } finally {
      await runner.stop();
    }
  });

  it('a dedupe key keeps one live job per key; a finished one lets a new one in', async () => {
    const a = await enq('test.dedupe', {}, { dedupeKey: 'order-1' });
    const b = await enq('test.dedupe', {}, { dedupeKey: 'order-1' });
    expect(b).toMatchObject({ id: a.id, deduplicated: true });
    const other = await enq('test.dedupe', {}, { dedupeKey: 'order-2' });
    expect(other.id).not.toBe(a.id);
    const runner = startJobRunner(h.ctx, { pollMs: 10, definitions: { 'test.dedupe': { handler: async () => ({}), policy: { attempts: 1, backoffSeconds: [1], lane: 'fast' } } } });
    try {
      await until(a.id, ['succeeded']);
    } finally {
      await runner.stop();
    }
    const c = await enq('test.dedupe', {}, { dedupeKey: 'order-1' });
    expect(c).toMatchObject({ deduplicated: false });
    expect(c.id).not.toBe(a.id);
  });

  it('retries follow the kind\'s backoff schedule (the last value repeats), then the job is dead', () => {
    const webhooks = [30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800];
    const around = (ms: number, s: number) => ms >= s * 900 && ms <= s * 1100;
    expect(around(scheduleMs(1, webhooks), 30)).toBe(true);
    expect(around(scheduleMs(3, webhooks), 600)).toBe(true);
    expect(around(scheduleMs(9, webhooks), 28800)).toBe(true);
    expect(around(scheduleMs(12, webhooks), 28800)).toBe(true);
  });

  it('dead jobs are listed and can be re-queued from the admin API, audited; anything else is 409', async () => {
    const job = await enq('test.dies', {}, { maxAttempts: 1 });
    let fail = true;
    const definitions: Record<string, JobDefinition> = {
      'test.dies': {
        handler: async () => {
          if (fail) throw new Error('upstream down');
          return { ok: true };
        },
        policy: { attempts: 1, backoffSeconds: [0], lane: 'fast' },
      },
    };
    let runner = startJobRunner(h.ctx, { pollMs: 10, definitions });
    await until(job.id, ['dead']);
    await runner.stop();
    const admin = await h.admin('operator');
    const dead = await admin.request('GET', '/v1/admin/jobs?status=dead&kind=test.dies');
    expect(dead.status).toBe(200);
    expect(dead.body.data.map((j: { id: string }) => j.id)).toEqual([job.id]);
    expect(dead.body.data[0]).toMatchObject({ last_error: 'upstream down', attempts: 1 });
    const again = await admin.request('POST', `/v1/admin/jobs/${job.id}/requeue`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'queued', attempts: 0 });
    const twice = await admin.request('POST', `/v1/admin/jobs/${job.id}/requeue`);
    expect([twice.status, twice.body.code]).toEqual([409, 'job_not_dead']);
    fail = false;
    runner = startJobRunner(h.ctx, { pollMs: 10, definitions });
    try {
      expect((await until(job.id, ['succeeded'])).result).toEqual({ ok: true });
    } finally {
      await runner.stop();
    }
    const audit = await h.ctx.db.selectFrom('audit_events').select(['action', 'actor']).where('target', '=', job.id).execute();
    expect(audit).toEqual([{ action: 'job.requeue', actor: admin.id }]);
    const support = await h.admin('support');
    expect((await support.request('POST', `/v1/admin/jobs/${job.id}/requeue`)).status).toBe(403);
  });
});
