import { sql } from 'kysely';
import type { Database } from '../../server/src/platform/db/db.ts';
import { createAdminUser, createSession } from '../../server/src/modules/identity/index.ts';
import { SESSION_COOKIE } from '../../server/src/platform/auth/admin-auth.ts';
import { openPostgres } from '../../server/src/platform/db/db.ts';
import type { Keyring } from '../../server/src/platform/crypto/keyring.ts';
import { benchProduct, createBenchDatabase, prepareDatabase, type BenchClient } from './setup.ts';
import type { BenchOptions } from './options.ts';
import type { ServerChild } from './proc.ts';
import { Latencies } from './stats.ts';

// The console part (issue 6 §3): a million grants written straight into the tables with generate_series
// (the analytics triggers off for the load, then migration 016's backfill makes the counters right), then
// p50/p95 over HTTP with an admin session of the grants list's default view, two common filters, and every
// dashboard endpoint. Budgets: list ≤ 300 ms p95, dashboard ≤ 500 ms p95.

export interface ConsoleRun {
  grants: number;
  loadSeconds: number;
  backfillSeconds: number;
  endpoints: Array<{ path: string; kind: 'list' | 'dashboard'; requests: number; p50: number; p95: number; max: number; budgetMs: number; met: boolean }>;
}

const CHUNK = 200_000;

/** Writes `n` grants over 4 products, 2 clients and the last 120 days; returns the products' skus. */
export async function loadGrants(database: Database, client: BenchClient, n: number, log: (m: string) => void) {
  const products = [];
  for (let i = 0; i < 4; i++) products.push(await benchProduct(database, `console-${i}`));
  const ids = sql.raw(`ARRAY[${products.map((p) => `'${p.id}'`).join(',')}]`);
  const t = performance.now();
  await database.exec('ALTER TABLE grants DISABLE TRIGGER USER');
  try {
    for (let from = 1; from <= n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK - 1);
      // statuses: 60% redeemed, 25% issued, 10% expired, 5% voided; ids increase with time like real ones
      await sql`
        INSERT INTO grants (id, client_id, product_id, status, recipient_external_id, token_hash, issued_by, created_at, redeemed_at, ended_at, expires_at)
        SELECT 'grt_bench' || lpad(i::text, 10, '0'), CASE WHEN i % 3 = 0 THEN NULL ELSE ${client.id} END, (${ids})[1 + i % 4], s.status,
               'user-' || (i % 50000), sha256(convert_to('bench-token:' || i, 'UTF8')), 'bench', c.at,
               CASE WHEN s.status = 'redeemed' THEN c.at + interval '2 hours' END,
               CASE WHEN s.status IN ('expired', 'voided') THEN c.at + interval '1 day' END,
               c.at + interval '30 days'
          FROM generate_series(${from}::int, ${to}::int) AS i
          CROSS JOIN LATERAL (SELECT now() - interval '120 days' * (1 - i::float8 / ${n}) AS at) c
          CROSS JOIN LATERAL (SELECT CASE WHEN i % 20 < 12 THEN 'redeemed' WHEN i % 20 < 17 THEN 'issued' WHEN i % 20 < 19 THEN 'expired' ELSE 'voided' END AS status) s`.execute(database.db);
      log(`console: ${to.toLocaleString('en-US')} grants written`);
    }
  } finally {
    await database.exec('ALTER TABLE grants ENABLE TRIGGER USER');
  }
  const loadSeconds = (performance.now() - t) / 1000;
  const b = performance.now();
  await database.db.transaction().execute((tx) => sql`SELECT quanyi_analytics_backfill()`.execute(tx));
  const backfillSeconds = (performance.now() - b) / 1000;
  for (const table of ['grants', 'analytics_grant_daily', 'products']) await database.exec(`VACUUM ANALYZE ${table}`);
  return { products, loadSeconds, backfillSeconds };
}

export async function adminCookie(database: Database): Promise<string> {
  const user = await createAdminUser(database.db, { email: `bench-${Date.now()}@example.com`, password: 'correct horse battery', role: 'admin' }, 'bench');
  const s = await createSession(database.db, user.id, 1, {});
  return `${SESSION_COOKIE}=${s.token}`;
}

/** p50/p95 of `requests` sequential GETs (after 10 unmeasured), as the console sends them. */
export async function measureGets(baseUrl: string, cookie: string, path: string, requests: number) {
  const lat = new Latencies();
  const headers = { cookie, 'x-quanyi-console': '1' };
  for (let i = 0; i < requests + 10; i++) {
    const t = performance.now();
    const res = await fetch(baseUrl + path, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    if (i >= 10) lat.add(performance.now() - t);
  }
  const [p50, p95, max] = lat.percentiles([50, 95, 100]);
  return { p50: Number(p50.toFixed(2)), p95: Number(p95.toFixed(2)), max: Number(max.toFixed(2)) };
}

export function consolePaths(skus: string[], today: string) {
  const yearAgo = new Date(Date.parse(today) - 365 * 86_400_000).toISOString().slice(0, 10);
  return [
    { path: '/v1/admin/grants', kind: 'list' as const },
    { path: '/v1/admin/grants?status=issued', kind: 'list' as const },
    { path: `/v1/admin/grants?product=${skus[1]}`, kind: 'list' as const },
    { path: '/v1/admin/dashboard/summary', kind: 'dashboard' as const },
    { path: `/v1/admin/dashboard/summary?from=${yearAgo}&to=${today}`, kind: 'dashboard' as const },
    { path: `/v1/admin/dashboard/daily?from=${yearAgo}&to=${today}`, kind: 'dashboard' as const },
    { path: `/v1/admin/dashboard/daily?product=${skus[0]}`, kind: 'dashboard' as const },
    { path: '/v1/admin/dashboard/stock', kind: 'dashboard' as const },
    { path: `/v1/admin/dashboard/top-products?from=${yearAgo}&to=${today}`, kind: 'dashboard' as const },
    { path: `/v1/admin/dashboard/clients?from=${yearAgo}&to=${today}`, kind: 'dashboard' as const },
    { path: `/v1/admin/dashboard/suppliers?from=${yearAgo}&to=${today}`, kind: 'dashboard' as const },
    { path: `/v1/admin/dashboard/failures?from=${yearAgo}&to=${today}`, kind: 'dashboard' as const },
  ];
}

type WithServer = <T>(label: string, env: Record<string, string | undefined>, opts: BenchOptions, fn: (server: ServerChild) => Promise<T>) => Promise<{ value: T }>;

/** The whole part on its own database: load, backfill, then the measured GETs. */
export async function consolePart(opts: BenchOptions, masterKey: string, keyring: Keyring, withServer: WithServer, log: (m: string) => void, cleanups: Array<() => Promise<void>>): Promise<ConsoleRun> {
  const bench = await createBenchDatabase(opts.pgUrl);
  if (!opts.keep) cleanups.push(bench.drop);
  const database = await openPostgres(bench.url, 4);
  cleanups.push(() => database.close());
  const client = await prepareDatabase(database, keyring);
  const n = opts.consoleGrants;
  const { products, loadSeconds, backfillSeconds } = await loadGrants(database, client, n, log);
  log(`console: ${n.toLocaleString('en-US')} grants in ${loadSeconds.toFixed(1)} s, backfill ${backfillSeconds.toFixed(1)} s`);
  const cookie = await adminCookie(database);
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const env = { DATABASE_URL: bench.url, QUANYI_MASTER_KEY: masterKey };
  const { value } = await withServer('console', env, opts, async (server) => {
    const out: ConsoleRun['endpoints'] = [];
    for (const e of consolePaths(products.map((p) => p.sku), today)) {
      const m = await measureGets(server.url, cookie, e.path, opts.consoleRequests);
      const budgetMs = e.kind === 'list' ? 300 : 500;
      out.push({ path: e.path, kind: e.kind, requests: opts.consoleRequests, ...m, budgetMs, met: m.p95 <= budgetMs });
      log(`console: ${e.path}: p50 ${m.p50} ms, p95 ${m.p95} ms, max ${m.max} ms`);
    }
    return out;
  });
  return { grants: n, loadSeconds, backfillSeconds, endpoints: value };
}
