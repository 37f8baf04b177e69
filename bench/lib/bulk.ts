import { sql } from 'kysely';
import { openPostgres } from '../../server/src/platform/db/db.ts';
import type { Keyring } from '../../server/src/platform/crypto/keyring.ts';
import { adminCookie } from './console.ts';
import type { BenchOptions } from './options.ts';
import { procMemory, type ServerChild } from './proc.ts';
import { benchProduct, bulkStock, createBenchDatabase, prepareDatabase, vacuumAnalyze } from './setup.ts';

// The bulk part (issue 7 §3): a list of N recipients (100,000 by default) uploaded to a `quanyi serve` child
// on PostgreSQL (+ Redis with --redis), issued card codes by the bulk job; measured: upload + validation,
// issuing, rows/s, the server's peak RSS (VmHWM), and the books (grants = rows = reserved codes, each row's
// key once). Targets: issuing ≤ 60 s, peak RSS ≤ 300 MB.

export interface BulkRun {
  rows: number;
  uploadSeconds: number;
  issueSeconds: number;
  rowsPerSecond: number;
  serverPeakRssMb: number;
  serverRestRssMb: number;
  books: { grants: number; distinctKeys: number; reservedCodes: number; ok: boolean };
}

type WithServer = <T>(label: string, env: Record<string, string | undefined>, opts: BenchOptions, fn: (server: ServerChild) => Promise<T>, serverOpts?: { workers?: boolean }) => Promise<{ value: T }>;

export async function bulkPart(opts: BenchOptions, masterKey: string, keyring: Keyring, withServer: WithServer, log: (m: string) => void, cleanups: Array<() => Promise<void>>): Promise<BulkRun> {
  const n = opts.bulkRows;
  const bench = await createBenchDatabase(opts.pgUrl);
  if (!opts.keep) cleanups.push(bench.drop);
  const database = await openPostgres(bench.url, 4);
  cleanups.push(() => database.close());
  const client = await prepareDatabase(database, keyring);
  const product = await benchProduct(database, 'bulk');
  await bulkStock(database, keyring, product.id, n);
  await vacuumAnalyze(database);
  const cookie = await adminCookie(database);
  const lines = ['external_id,phone'];
  for (let i = 0; i < n; i++) lines.push(`bulk-${i},139${String(i).padStart(8, '0')}`);
  const csv = lines.join('\n');
  const env = { DATABASE_URL: bench.url, QUANYI_MASTER_KEY: masterKey, ...(opts.redis ? { REDIS_URL: opts.redisUrl } : {}) };
  const { value } = await withServer('bulk', env, opts, async (server) => {
    const restRssMb = procMemory(server.pid)?.rssMb ?? 0;
    const form = new FormData();
    form.append('client', client.id);
    form.append('product', product.sku);
    form.append('file', new Blob([csv]), 'list.csv');
    const t0 = performance.now();
    const res = await fetch(server.url + '/v1/admin/bulk-issuances', { method: 'POST', headers: { cookie, 'x-quanyi-console': '1' }, body: form });
    const run = (await res.json()) as { id: string; progress?: { valid: number } };
    if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(run)}`);
    const t1 = performance.now();
    const afterUploadMb = procMemory(server.pid)?.hwmMb ?? 0;
    log(`bulk: ${n.toLocaleString('en-US')} rows uploaded and validated in ${((t1 - t0) / 1000).toFixed(1)} s (peak RSS so far ${Math.round(afterUploadMb)} MB); issuing`);
    for (;;) {
      const r = (await sql<{ status: string; issued: number }>`SELECT status, issued FROM bulk_runs WHERE id = ${run.id}`.execute(database.db)).rows[0];
      if (r.status === 'completed') break;
      if (['failed', 'cancelled'].includes(r.status)) throw new Error(`bulk run ${r.status}`);
      if (performance.now() - t1 > 600_000) throw new Error(`bulk run not done after 10 minutes: ${r.issued} issued`);
      await new Promise((x) => setTimeout(x, 100));
    }
    const t2 = performance.now();
    const peak = procMemory(server.pid)?.hwmMb ?? 0;
    return { runId: run.id, uploadSeconds: (t1 - t0) / 1000, issueSeconds: (t2 - t1) / 1000, peak, restRssMb };
  }, { workers: true }); // the bulk job runs in the server's own job runner
  const g = (await sql<{ grants: number; keys: number }>`SELECT count(*)::int AS grants, count(DISTINCT idempotency_key)::int AS keys FROM grants WHERE metadata->>'bulk_run' = ${value.runId}`.execute(database.db)).rows[0];
  const reserved = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM codes WHERE product_id = ${product.id} AND status <> 'available'`.execute(database.db)).rows[0].n;
  const out: BulkRun = {
    rows: n,
    uploadSeconds: Number(value.uploadSeconds.toFixed(2)),
    issueSeconds: Number(value.issueSeconds.toFixed(2)),
    rowsPerSecond: Math.round(n / value.issueSeconds),
    serverPeakRssMb: Math.round(value.peak),
    serverRestRssMb: Math.round(value.restRssMb),
    books: { grants: g.grants, distinctKeys: g.keys, reservedCodes: reserved, ok: g.grants === n && g.keys === n && reserved === n },
  };
  log(`bulk: issued in ${out.issueSeconds} s (${out.rowsPerSecond} rows/s), peak RSS ${out.serverPeakRssMb} MB (at rest ${out.serverRestRssMb} MB), books ${out.books.ok ? 'exact' : 'WRONG'}`);
  return out;
}
