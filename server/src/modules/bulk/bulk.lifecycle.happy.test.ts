import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkRunStatus } from '../../platform/db/schema.ts';
import { issueGrant } from '../grants/index.ts';
import { issueRun, rowIdempotencyKey } from '../../flows/bulk-issue/index.ts';
import { createHarness, idem, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { codeCounts } from '../../testutil/stock.ts';
import { bulkRunMachine, moveRun, recordResults, type BulkRunEvent } from './index.ts';
import { insertRun } from './bulk.repo.ts';

// Pause, resume, cancel and restarts, driven by hand (no job runner): the run's machine guards every move,
// a paused run issues nothing, a cancelled run never issues its pending rows, and a run restarted after a
// crash issues each row exactly once.
let h: Harness;
let admin: AdminAgent;
let client: SignedClient;
let product: { id: string; sku: string };

beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin('operator');
  client = await h.client(['bulk:write', 'bulk:read']);
  product = await h.product();
  await h.stock(product.id, 120);
});
afterAll(() => h?.close());

async function newRun(n: number, prefix: string) {
  const rows = Array.from({ length: n }, (_, i) => ({ external_id: `${prefix}-${i}` }));
  const r = await client.request('POST', '/v1/bulk-issuances', { product: product.sku, rows }, { idempotencyKey: idem() });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id as string;
}
const view = async (id: string) => (await admin.request('GET', `/v1/admin/bulk-issuances/${id}`)).body;
const perRowKeys = async (id: string) =>
  (await sql<{ rows: number; grants: number }>`SELECT count(DISTINCT idempotency_key)::int AS rows, count(*)::int AS grants FROM grants WHERE metadata->>'bulk_run' = ${id}`.execute(h.ctx.db)).rows[0];

describe('pause, resume, cancel', () => {
  it('a run paused mid-way stops after the batch in flight, issues nothing while paused, and a resume finishes it', async () => {
    const id = await newRun(60, 'p');
    let paused = false;
    const out = await issueRun(h.ctx, id, async (done) => {
      if (done > 0 && !paused) {
        paused = true;
        expect((await admin.request('POST', `/v1/admin/bulk-issuances/${id}/pause`)).body.status).toBe('paused');
      }
    }, { batchRows: 20 });
    expect(out).toMatchObject({ stopped: 'paused' });
    const mid = await view(id);
    expect(mid.status).toBe('paused');
    expect(mid.progress.issued).toBe(20);
    expect(await issueRun(h.ctx, id)).toMatchObject({ skipped: 'paused' });
    expect((await view(id)).progress.issued).toBe(mid.progress.issued);
    expect((await admin.request('POST', `/v1/admin/bulk-issuances/${id}/pause`)).body.code).toBe('bulk_run_state');
    const resumed = await admin.request('POST', `/v1/admin/bulk-issuances/${id}/resume`);
    expect(resumed.body.status).toBe('running');
    expect(await issueRun(h.ctx, id)).toMatchObject({ completed: true });
    expect((await view(id)).progress).toMatchObject({ issued: 60, remaining: 0 });
    expect(await perRowKeys(id)).toEqual({ rows: 60, grants: 60 });
  });

  it('a cancelled run issues none of its pending rows; a cancelled or completed run cannot resume', async () => {
    const id = await newRun(5, 'c');
    const c = await admin.request('POST', `/v1/admin/bulk-issuances/${id}/cancel`);
    expect(c.body).toMatchObject({ status: 'cancelled', progress: { remaining: 0 } });
    expect(await issueRun(h.ctx, id)).toMatchObject({ skipped: 'cancelled' });
    expect(await perRowKeys(id)).toEqual({ rows: 0, grants: 0 });
    expect((await admin.request('POST', `/v1/admin/bulk-issuances/${id}/resume`)).status).toBe(409);
    const audit = await sql<{ action: string }>`SELECT action FROM audit_events WHERE target = ${id} ORDER BY seq`.execute(h.ctx.db);
    expect(audit.rows.map((a) => a.action)).toEqual(['bulk.create', 'bulk.cancel']);
  });
});

describe('a cancel while a batch is in flight', () => {
  it('a row of that batch that comes back issued is recorded issued (its grant exists); a failure stays cancelled', async () => {
    const id = await newRun(3, 'f');
    await admin.request('POST', `/v1/admin/bulk-issuances/${id}/cancel`);
    const moved = await recordResults(h.ctx.db, id, [
      { row_no: 1, status: 'issued', grant_id: 'grt_inflight', error_code: null, error: null },
      { row_no: 2, status: 'failed', grant_id: null, error_code: 'out_of_stock', error: 'none left' },
    ]);
    expect(moved.map((m) => [m.row_no, m.status])).toEqual([[1, 'issued']]);
    const rows = await sql<{ row_no: number; status: string }>`SELECT row_no, status FROM bulk_rows WHERE run_id = ${id} ORDER BY row_no`.execute(h.ctx.db);
    expect(rows.rows.map((r) => r.status)).toEqual(['issued', 'cancelled', 'cancelled']);
    expect((await view(id)).progress).toMatchObject({ issued: 1, failed: 0, remaining: 0 });
    // recording the same batch again changes nothing
    expect(await recordResults(h.ctx.db, id, [{ row_no: 1, status: 'issued', grant_id: 'grt_inflight', error_code: null, error: null }])).toEqual([]);
  });
});

describe('restarts', () => {
  it('rows issued by a crashed run but never recorded are answered by their first grant: each row once, stock down by exactly the rows', async () => {
    const before = (await codeCounts(h.ctx.db, product.id)).available;
    const id = await newRun(40, 'k');
    // a "crashed" first run: the first 15 rows' grants exist (same per-row keys), their rows still pending
    for (let row = 1; row <= 15; row++) {
      await issueGrant(h.ctx, { clientId: client.id, issuedBy: 'crashed', body: { product: product.id, recipient: { external_id: `k-${row - 1}` }, metadata: { bulk_run: id, bulk_row: row } }, idempotencyKey: rowIdempotencyKey(id, row), requestHash: h.ctx.secrets.requestHash(rowIdempotencyKey(id, row)) });
    }
    await moveRun(h.ctx.db, id, 'start');
    expect(await issueRun(h.ctx, id)).toMatchObject({ completed: true });
    expect(await issueRun(h.ctx, id)).toMatchObject({ skipped: 'completed' });
    expect(await perRowKeys(id)).toEqual({ rows: 40, grants: 40 });
    expect((await codeCounts(h.ctx.db, product.id)).available).toBe(before - 40);
    expect((await view(id)).progress).toMatchObject({ issued: 40, failed: 0 });
  });
});

describe('the run machine against the database', () => {
  it('random event sequences leave the run where the machine says', async () => {
    const events = bulkRunMachine.events;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...events), { maxLength: 12 }), async (seq) => {
        const id = 'blk_prop' + Math.random().toString(36).slice(2, 12);
        await insertRun(h.ctx.db, { id, client_id: client.id, product_id: null, status: 'validating', notify: null, source: 'api', source_name: null, created_by: 'test' });
        let model: BulkRunStatus = 'validating';
        for (const e of seq as BulkRunEvent[]) {
          const moved = await moveRun(h.ctx.db, id, e);
          const next = bulkRunMachine.next(model, e);
          expect(moved).toBe(next !== null);
          if (next) model = next;
          const row = await sql<{ status: string; finished: boolean }>`SELECT status, finished_at IS NOT NULL AS finished FROM bulk_runs WHERE id = ${id}`.execute(h.ctx.db);
          expect(row.rows[0]).toEqual({ status: model, finished: bulkRunMachine.isFinal(model) });
        }
      }),
      { numRuns: 40 },
    );
  });
});
