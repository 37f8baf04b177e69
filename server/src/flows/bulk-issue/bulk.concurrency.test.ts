import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, TEST_MASTER_KEY, type AdminAgent, type Harness } from '../../testutil/harness.ts';
import { onRealPostgres, POSTGRES_ONLY } from '../../testutil/database.ts';
import { startServerProcess, type ServerProcess } from '../../testutil/server-process.ts';
import { codeCounts } from '../../testutil/stock.ts';
import { http } from '../../testutil/harness.ts';

// Bulk issuance through a real `quanyi serve` process on real PostgreSQL (+ Redis when REDIS_URL is set): a
// kill -9 halfway through a run, after which a restarted server finishes it with every row issued exactly
// once. (The speed and memory of 100,000 rows are a benchmark, not a test: `npm run bench -- --only=bulk`.) Skipped on the embedded
// database: one connection, one process — neither the speed nor the crash means anything there (the
// restart path itself is covered on embedded by bulk.lifecycle.happy.test.ts).
let h: Harness;
let admin: AdminAgent;
let clientId: string;
const children: ServerProcess[] = [];

const serverEnv = () => ({
  DATABASE_URL: h.testDb.url!,
  QUANYI_MASTER_KEY: TEST_MASTER_KEY,
  REDIS_URL: process.env.REDIS_URL ?? '',
  LOG_LEVEL: 'warn',
  QUANYI_DATA_DIR: fs.mkdtempSync('/tmp/quanyi-bulk-'),
});

async function serve(): Promise<ServerProcess> {
  const p = await startServerProcess([], serverEnv());
  children.push(p);
  return p;
}

function listCsv(n: number, prefix: string): string {
  const lines = ['external_id,phone'];
  for (let i = 0; i < n; i++) lines.push(`${prefix}-${i},139${String(i).padStart(8, '0')}`);
  return lines.join('\n');
}

async function uploadTo(base: string, product: string, csv: string) {
  const form = new FormData();
  form.append('client', clientId);
  form.append('product', product);
  form.append('file', new Blob([csv]), 'list.csv');
  const r = await http(base + '/v1/admin/bulk-issuances', { method: 'POST', headers: admin.headers, body: form });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body;
}

const runRow = async (id: string) =>
  (await sql<{ status: string; issued: number; failed: number }>`SELECT status, issued, failed FROM bulk_runs WHERE id = ${id}`.execute(h.ctx.db)).rows[0];

async function waitFor(id: string, pred: (r: { status: string; issued: number }) => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await runRow(id);
    if (pred(r)) return r;
    if (Date.now() > until) throw new Error(`run ${id}: ${JSON.stringify(r)} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function exactlyOnce(runId: string, n: number) {
  const g = await sql<{ grants: number; keys: number; twice: number }>`
    SELECT count(*)::int AS grants, count(DISTINCT idempotency_key)::int AS keys,
           (SELECT count(*)::int FROM (SELECT 1 FROM grants WHERE metadata->>'bulk_run' = ${runId} GROUP BY idempotency_key HAVING count(*) > 1) d) AS twice
      FROM grants WHERE metadata->>'bulk_run' = ${runId}`.execute(h.ctx.db);
  expect(g.rows[0]).toEqual({ grants: n, keys: n, twice: 0 });
}

describe.skipIf(!onRealPostgres)(`bulk issuance through a server process ${POSTGRES_ONLY}`, () => {
  beforeAll(async () => {
    h = await createHarness();
    admin = await h.admin('operator');
    clientId = (await h.client(['bulk:write', 'bulk:read'])).id;
  }, 120_000);
  afterAll(async () => {
    for (const c of children) await c.stop().catch(() => undefined);
    await h?.close();
  });

  it('kill -9 halfway, restart: the run finishes with every row issued exactly once and stock down by exactly the rows', async () => {
    const N = 20_000;
    const p = await h.product();
    await h.stock(p.id, N + 500);
    let server = await serve();
    const run = await uploadTo(server.url, p.sku, listCsv(N, 'kill'));
    await waitFor(run.id, (r) => r.issued >= N / 2, 120_000);
    server.child.kill('SIGKILL');
    await server.exited;
    const atKill = await runRow(run.id);
    expect(atKill.status).toBe('running');
    expect(atKill.issued).toBeLessThan(N);
    server = await serve();
    const done = await waitFor(run.id, (r) => r.status === 'completed', 180_000);
    expect(done).toMatchObject({ issued: N, failed: 0 });
    await exactlyOnce(run.id, N);
    expect(await codeCounts(h.ctx.db, p.id)).toEqual({ available: 500, reserved: N });
    await server.stop();
  }, 400_000);
});
