// `npm run bench`: signed HTTP issuance on PostgreSQL and on the embedded database, the raw-SQL ceilings of
// the same claim in the same run (a Node client and pgbench), direct-recharge acceptance beside card-code
// issuance, supplier callbacks, 10,000 recharges end to end against the sandbox supplier, the import of
// 1,000,000 codes, and a plan check of the claim. See docs/benchmarks.md for what is measured and how to
// read it; `npm run bench -- --help` for options.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../server/src/platform/db/db.ts';
import { Keyring } from '../server/src/platform/crypto/keyring.ts';
import { parseOptions, type BenchOptions } from './lib/options.ts';
import { benchProduct, bulkStock, createBenchDatabase, prepareDatabase, vacuumAnalyze, type BenchClient, type BenchProduct } from './lib/setup.ts';
import { memorySampler, ROOT, startServer, type ServerChild } from './lib/proc.ts';
import { rawClaimLoad } from './lib/raw-sql.ts';
import { DEFAULT_DB_POOL_SIZE as SERVER_DEFAULT_POOL_SIZE } from '../server/src/platform/config.ts';
import { httpIssuanceLoad } from './lib/issue-http.ts';
import type { LoadResult } from './lib/stats.ts';
import { importWithCli, writeCodesFile, type ImportRun } from './lib/import.ts';
import { checkClaimPlan, type PlanCheck } from './lib/explain.ts';
import { CpuMeter, cpuPerOp, type CpuShare } from './lib/cpu.ts';
import { PgbenchCeiling, pgbenchAvailable, PGBENCH, PGBENCH_CONNECTIONS, type PgbenchSummary } from './lib/pgbench.ts';
import { rechargeBodies, rechargeFixtures } from './lib/recharge.ts';
import { callbacksPhase, rechargeE2e, type CallbacksRun, type RechargeE2eRun } from './lib/recharge-parts.ts';
import { consolePart, type ConsoleRun } from './lib/console.ts';
import { bulkPart, type BulkRun } from './lib/bulk.ts';

const TARGETS = { httpToRawRatio: 0.4, httpP99Ms: 25, pgliteRate: 800, importSeconds: 60, importPeakMb: 300, rechargeToCard: 0.6, rechargeE2eRate: 500, callbacksRate: 2000, bulkSeconds: 60, bulkPeakMb: 300 };

type Measured = LoadResult & { cpu?: CpuShare & ReturnType<typeof cpuPerOp> };

interface IssueRun extends Measured {
  serverPeakRssMb: number;
  serverEndRssMb: number;
  /** grants rows and reserved codes for the product after the run: they must be equal */
  grants: number;
  reservedCodes: number;
}

interface Results {
  started: string;
  command: string;
  machine: Record<string, unknown>;
  options: Omit<BenchOptions, 'pgUrl' | 'redisUrl'>;
  /** the best of the raw loads, with its connection count */
  rawPg?: Measured & { connections: number; rateByConnections: Record<number, number> };
  /** pgbench running quanyi_issue_grant, best of 8/16/32 connections, interleaved with the other loads */
  pgbench?: PgbenchSummary & { transactions: number; grants: number };
  /** signed POST /v1/grants on a direct-recharge product (202 pending), server without workers */
  rechargeAccept?: Measured & { grants: number };
  callbacks?: CallbacksRun;
  rechargeE2e?: RechargeE2eRun;
  issuePg?: IssueRun;
  /** open loop at 40% of the raw ceiling: the latency half of the target */
  issuePgAtTarget?: LoadResult & { targetRate: number };
  issuePglite?: IssueRun;
  import?: ImportRun & { rows: number; fileMb: number; format: string; generateSeconds: number };
  explain?: PlanCheck;
  /** grants list and dashboard GETs over a million grants */
  console?: ConsoleRun;
  /** a bulk run of N recipients through a server child */
  bulk?: BulkRun;
  failures: Record<string, string>;
  seconds?: number;
}

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const fmt = (n: number | null | undefined, d = 0) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));

const cpuLine = (m: Measured) =>
  m.cpu
    ? `; CPU ms/op: server ${m.cpu.serverMsPerOp}, load generator ${m.cpu.loadGeneratorMsPerOp}, postgres ${m.cpu.postgresMsPerOp}, machine ${m.cpu.machineBusyMsPerOp} (machine ${m.cpu.machineBusyPct}% busy)`
    : '';

const cleanups: Array<() => Promise<void>> = [];
async function cleanup() {
  while (cleanups.length) await cleanups.pop()!().catch((e) => log(`cleanup: ${(e as Error).message}`));
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function machineInfo(pgUrl: string) {
  const info: Record<string, unknown> = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGb: Math.round(os.totalmem() / 2 ** 30),
    loadAvgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
  try {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    for (const s of ['server_version', 'shared_buffers', 'synchronous_commit', 'max_connections', 'wal_level']) {
      info[`pg.${s}`] = (await c.query(`SHOW ${s}`)).rows[0][s];
    }
    await c.end();
  } catch (e) {
    info.pg = `unreachable: ${(e as Error).message}`;
  }
  return info;
}

async function integrity(database: Database, productId: string) {
  const r = await sql<{ grants: number; reserved: number }>`
    SELECT (SELECT count(*)::int FROM grants WHERE product_id = ${productId}) AS grants,
           (SELECT count(*)::int FROM codes WHERE product_id = ${productId} AND status = 'reserved') AS reserved`.execute(database.db);
  return { grants: Number(r.rows[0].grants), reservedCodes: Number(r.rows[0].reserved) };
}

/** Starts `quanyi serve` in a child process for the duration of `fn`, sampling its memory. */
async function withServer<T>(label: string, env: Record<string, string | undefined>, opts: BenchOptions, fn: (server: ServerChild) => Promise<T>, serverOpts: { workers?: boolean } = {}) {
  const profDir = opts.cpuProf ? path.join(ROOT, 'bench/out', `prof-${label}`) : undefined;
  if (profDir) fs.mkdirSync(profDir, { recursive: true });
  const server = await startServer(env, { cpuProfDir: profDir, workers: serverOpts.workers });
  const stopServer = () => server.stop();
  cleanups.push(stopServer);
  const mem = memorySampler(server.pid, 250);
  try {
    log(`${label}: server pid ${server.pid} at ${server.url}`);
    const value = await fn(server);
    mem.stop();
    return { value, serverPeakRssMb: mem.peakMb, serverEndRssMb: mem.lastRssMb };
  } finally {
    mem.stop();
    cleanups.splice(cleanups.indexOf(stopServer), 1);
    await server.stop();
    if (profDir) log(`${label}: CPU profile in ${path.relative(ROOT, profDir)}/`);
  }
}

async function postgresParts(opts: BenchOptions, masterKey: string, keyring: Keyring, res: Results) {
  const want = (p: string) => opts.parts.includes(p as never);
  const bench = await createBenchDatabase(opts.pgUrl);
  log(`PostgreSQL: created database ${bench.name}`);
  if (!opts.keep) cleanups.push(bench.drop);
  const database = await openPostgres(bench.url, 4);
  cleanups.push(() => database.close());
  const client = await prepareDatabase(database, keyring);
  const checkpoint = () => database.exec('CHECKPOINT');

  const stocked = async (label: string, n: number) => {
    const p = await benchProduct(database, label);
    const t = performance.now();
    await bulkStock(database, keyring, p.id, n);
    log(`stocked ${fmt(n)} codes for ${p.sku} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return p;
  };
  const rawProduct = want('raw-pg') ? await stocked('raw', opts.stockPg) : null;
  // card-code HTTP issuance also runs for recharge-accept: its target is a share of the card-code rate in the same run
  const httpProduct = want('issue-pg') || want('recharge-accept') ? await stocked('http', opts.stockPg) : null;
  if (want('pgbench') && !pgbenchAvailable()) res.failures.pgbench = `${PGBENCH} not found (apt-get install postgresql-client)`;
  // three connection counts per round: twice the stock of the others
  const pgbenchProduct = want('pgbench') && pgbenchAvailable() ? await stocked('pgbench', 2 * opts.stockPg) : null;
  const recharge = want('recharge-accept') || want('callbacks') ? await rechargeFixtures(database, keyring, 'accept', 'http://127.0.0.1:9') : null;
  const importProduct = want('import') || want('explain') ? await benchProduct(database, 'import') : null;
  await vacuumAnalyze(database);

  if (rawProduct || httpProduct || pgbenchProduct || recharge) {
    // Raw SQL and HTTP alternate round by round on their own products, so a noisy neighbour hurts both alike.
    const rounds = opts.rounds;
    const per = opts.duration / rounds;
    // The raw ceiling is the best of two connection counts, as pgbench's is of three: the server's pool (the
    // connections the HTTP path has) and the clients' count. On 2 cores, 32 connections claiming with SKIP
    // LOCKED collapsed (787 tx/s falling round by round, 2.3 ms of PostgreSQL CPU per claim) where 12 did
    // 2,712 tx/s steadily (2026-11-30, docs/benchmarks.md).
    const rawConnections = [...new Set([opts.poolSize ?? SERVER_DEFAULT_POOL_SIZE, opts.concurrency])];
    const raws = rawProduct ? await Promise.all(rawConnections.map((c) => rawClaimLoad(bench.url, client.id, rawProduct.sku, c).then((load) => ({ connections: c, ...load })))) : [];
    const pgb = pgbenchProduct ? new PgbenchCeiling(bench.url, client.id, pgbenchProduct.sku) : null;
    const closeRaw = async () => {
      await Promise.all(raws.map((r) => r.close()));
    };
    cleanups.push(closeRaw);
    const env = {
      DATABASE_URL: bench.url,
      QUANYI_MASTER_KEY: masterKey,
      QUANYI_DB_POOL_SIZE: opts.poolSize ? String(opts.poolSize) : undefined,
      REDIS_URL: opts.redis ? opts.redisUrl : undefined,
    };
    const body = async (server: ServerChild | null) => {
      const http = server && httpProduct ? httpIssuanceLoad(server.url, client, httpProduct.sku, opts.concurrency) : null;
      const rch =
        server && recharge && want('recharge-accept')
          ? httpIssuanceLoad(server.url, client, recharge.product.sku, opts.concurrency, { body: rechargeBodies(recharge.product.sku), expect: 202 })
          : null;
      const cores = os.cpus().length;
      const rawCpu = raws.map(() => new CpuMeter(bench.url, bench.name, null, cores));
      const httpCpu = new CpuMeter(bench.url, bench.name, server?.pid ?? null, cores);
      const rchCpu = new CpuMeter(bench.url, bench.name, server?.pid ?? null, cores);
      try {
        await checkpoint();
        const loads = [raws.length > 0 && `raw SQL (${rawConnections.join(', ')} connections)`, pgb && `pgbench (${PGBENCH_CONNECTIONS.join(', ')} connections)`, http && 'HTTP card code', rch && 'HTTP direct recharge'];
        log(`issuance: ${opts.concurrency} concurrent; ${opts.warmup} s warm-up each, then ${rounds} round(s) of ${loads.filter(Boolean).join(' + ')} × ${per.toFixed(1)} s`);
        for (const raw of raws) await raw.loop.warm(opts.warmup);
        if (pgb && opts.warmup > 0) await pgb.run(16, opts.warmup, false);
        await http?.loop.warm(opts.warmup);
        await rch?.loop.warm(opts.warmup);
        for (let i = 0; i < rounds; i++) {
          // Claimed codes leave dead entries at the head of codes_claim_idx that every later claim steps
          // over until VACUUM removes them; vacuum before each round so each starts like a table that
          // autovacuum keeps up with (docs/benchmarks.md: "claim cost and dead index entries").
          await database.exec('VACUUM codes');
          for (const [k, raw] of raws.entries()) await rawCpu[k].measure(() => raw.loop.run(per));
          if (pgb) {
            for (const c of PGBENCH_CONNECTIONS) {
              const r = await pgb.run(c, per);
              log(`  pgbench round ${i + 1}, ${c} connections: ${fmt(r.tps)} tx/s, latency ${r.latencyAvgMs} ms`);
            }
            await database.exec('VACUUM codes');
          }
          if (http) await httpCpu.measure(() => http.loop.run(per));
          if (rch) await rchCpu.measure(() => rch.loop.run(per));
        }
        const withCpu = (r: LoadResult, m: CpuMeter) => ({ ...r, cpu: { ...m.total, ...cpuPerOp(m.total, r.ok) } });
        const rawResults = raws.map((raw, k) => ({ connections: raw.connections, ...withCpu(raw.loop.result(), rawCpu[k]) }));
        for (const r of rawResults) log(`  raw SQL, ${r.connections} connections: ${fmt(r.rate)} tx/s ${JSON.stringify(r.roundRates)}, p99 ${fmt(r.p99, 2)} ms${cpuLine(r)}`);
        const rawResult =
          rawResults.length > 0
            ? { ...rawResults.reduce((a, b) => (b.rate > a.rate ? b : a)), rateByConnections: Object.fromEntries(rawResults.map((r) => [r.connections, Math.round(r.rate)])) }
            : null;
        if (pgb && pgbenchProduct) {
          const s = pgb.summary();
          const transactions = pgb.totalTransactions;
          res.pgbench = { ...s, transactions, grants: (await integrity(database, pgbenchProduct.id)).grants };
        }
        if (rch && recharge) {
          const g = await sql<{ n: string }>`SELECT count(*) AS n FROM grants WHERE product_id = ${recharge.product.id}`.execute(database.db);
          res.rechargeAccept = { ...withCpu(rch.loop.result(), rchCpu), grants: Number(g.rows[0].n) };
        }
        if (server && recharge && want('callbacks')) {
          try {
            res.callbacks = await callbacksPhase(database, bench.url, bench.name, server, client, recharge, opts, log);
          } catch (e) {
            res.failures.callbacks = (e as Error).message;
          }
        }
        let atTarget: (LoadResult & { targetRate: number }) | undefined;
        if (rawResult && http && want('issue-pg')) {
          // The latency half of the target: offer exactly 40% of the measured ceiling and see what p99 is.
          const targetRate = TARGETS.httpToRawRatio * rawResult.rate;
          await database.exec('VACUUM codes');
          log(`issuance: HTTP at ${fmt(targetRate)} requests/s (40% of the raw ceiling), open loop, ${Math.max(4, per).toFixed(1)} s`);
          atTarget = { ...(await http.atRate(targetRate, Math.max(4, per))), targetRate };
        }
        return { raw: rawResult, http: http && withCpu(http.loop.result(), httpCpu), atTarget };
      } finally {
        await http?.close();
        await rch?.close();
        pgb?.close();
      }
    };
    try {
      if (httpProduct || recharge) {
        const r = await withServer('issue-pg', env, opts, body);
        res.rawPg = r.value.raw ?? undefined;
        res.issuePgAtTarget = r.value.atTarget;
        if (httpProduct) res.issuePg = { ...r.value.http!, serverPeakRssMb: r.serverPeakRssMb, serverEndRssMb: r.serverEndRssMb, ...(await integrity(database, httpProduct.id)) };
      } else res.rawPg = (await body(null)).raw ?? undefined;
    } catch (e) {
      res.failures[httpProduct || recharge ? 'issue-pg' : rawProduct ? 'raw-pg' : 'pgbench'] = (e as Error).message;
    } finally {
      cleanups.splice(cleanups.indexOf(closeRaw), 1);
      await closeRaw();
    }
    if (res.rawPg) log(`raw-pg: best at ${res.rawPg.connections} connections: ${fmt(res.rawPg.rate)} tx/s ${JSON.stringify(res.rawPg.roundRates)}, p50 ${fmt(res.rawPg.p50, 2)} ms, p99 ${fmt(res.rawPg.p99, 2)} ms${cpuLine(res.rawPg)}`);
    const r = res.issuePg;
    const a = res.issuePgAtTarget;
    if (a) log(`issue-pg at ${fmt(a.targetRate)}/s: achieved ${fmt(a.rate)}/s, p50 ${fmt(a.p50, 2)} ms, p99 ${fmt(a.p99, 2)} ms, errors ${a.errors}`);
    if (r) log(`issue-pg: ${fmt(r.rate)} grants/s ${JSON.stringify(r.roundRates)}, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, errors ${r.errors}, server RSS peak ${fmt(r.serverPeakRssMb)} MB${cpuLine(r)}`);
    const b = res.pgbench;
    if (b) log(`pgbench: best ${fmt(b.best.rate)} tx/s at ${b.best.connections} connections; ${b.byConnections.map((x) => `${x.connections}: ${fmt(x.rate)} ${JSON.stringify(x.roundRates)}`).join(', ')}; ${fmt(b.transactions)} transactions, ${fmt(b.grants)} grants; pgbench CPU ${b.pgbenchMsPerOp} ms/op`);
    const a2 = res.rechargeAccept;
    if (a2) log(`recharge-accept: ${fmt(a2.rate)} grants/s ${JSON.stringify(a2.roundRates)}, p50 ${fmt(a2.p50, 2)} ms, p99 ${fmt(a2.p99, 2)} ms, errors ${a2.errors}${cpuLine(a2)}`);
    const c = res.callbacks;
    if (c) log(`callbacks: ${fmt(c.rate)}/s, p50 ${fmt(c.p50, 2)} ms, p99 ${fmt(c.p99, 2)} ms, errors ${c.errors}, outcomes ${JSON.stringify(c.outcomes)}${cpuLine(c)}`);
  }
  let imported = false;
  if (want('import') && importProduct) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-bench-import-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    try {
      const t = performance.now();
      const f = await writeCodesFile(dir, opts.importRows, opts.importFormat);
      const generateSeconds = (performance.now() - t) / 1000;
      log(`import: wrote ${fmt(opts.importRows)} rows (${fmt(f.bytes / 2 ** 20, 1)} MB) in ${generateSeconds.toFixed(1)} s; running quanyi codes import`);
      await checkpoint();
      const r = await importWithCli({ DATABASE_URL: bench.url, QUANYI_MASTER_KEY: masterKey }, importProduct.sku, f.file, 180_000);
      res.import = { ...r, rows: opts.importRows, fileMb: f.bytes / 2 ** 20, format: opts.importFormat, generateSeconds };
      imported = r.ok;
      if (r.ok) log(`import: ${fmt(r.imported)} codes in ${r.seconds.toFixed(1)} s, peak RSS ${fmt(r.peakMb)} MB (${r.peakSource})`);
      else log(`import: failed: ${r.detail}`);
    } catch (e) {
      res.failures.import = (e as Error).message;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (want('explain') && importProduct) {
    try {
      if (!imported) await bulkStock(database, keyring, importProduct.id, opts.importRows);
      await database.exec('ANALYZE codes');
      res.explain = await checkClaimPlan(bench.url, importProduct.id, 100_000);
      const e = res.explain;
      log(`explain: stock ${fmt(e.stock)}; pinned plan uses codes_claim_idx: ${e.pinned.usesClaimIndex} (${e.pinned.ms} ms, ${e.pinned.buffers} buffers); unpinned: ${e.unpinned.usesClaimIndex} (${e.unpinned.ms} ms)`);
      const d = e.deadEntries;
      if (d) log(`explain: after ${fmt(d.claimed)} unvacuumed claims one claim takes ${d.beforeVacuum.ms} ms / ${fmt(d.beforeVacuum.buffers)} buffers; after VACUUM (${d.vacuumSeconds.toFixed(1)} s) ${d.afterVacuum.ms} ms / ${d.afterVacuum.buffers} buffers`);
    } catch (e) {
      res.failures.explain = (e as Error).message;
    }
  }
}

async function rechargeE2ePart(opts: BenchOptions, masterKey: string, keyring: Keyring, res: Results) {
  try {
    const e = (res.rechargeE2e = await rechargeE2e(opts, masterKey, keyring, withServer, log, cleanups));
    log(`recharge-e2e: ${fmt(e.books.redeemed + e.books.failed)} final in ${e.seconds.toFixed(1)} s = ${fmt(e.rate)}/s; drain after the last acceptance ${e.drainSeconds.toFixed(1)} s; books ${e.books.ok ? 'ok' : 'WRONG'} ${JSON.stringify(e.books)}${cpuLine(e as unknown as Measured)}`);
  } catch (e) {
    res.failures['recharge-e2e'] = (e as Error).message;
  }
}

async function pgliteParts(opts: BenchOptions, masterKey: string, keyring: Keyring, res: Results) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-bench-pglite-'));
  const rm = async () => fs.rmSync(dir, { recursive: true, force: true });
  cleanups.push(rm);
  try {
    let database = await openPglite(dir, 'quanyi bench');
    const client = await prepareDatabase(database, keyring);
    const product = await benchProduct(database, 'embedded');
    const t = performance.now();
    await bulkStock(database, keyring, product.id, opts.stockPglite, 25_000);
    await vacuumAnalyze(database);
    log(`embedded: stocked ${fmt(opts.stockPglite)} codes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await database.close();
    const r = await withServer('issue-pglite', { QUANYI_DATA_DIR: dir, QUANYI_MASTER_KEY: masterKey }, opts, async (server) => {
      const http = httpIssuanceLoad(server.url, client, product.sku, opts.concurrency);
      const cpu = new CpuMeter(null, null, server.pid, os.cpus().length);
      try {
        log(`issue-pglite: ${opts.concurrency} concurrent, ${opts.warmup} s warm-up + ${opts.duration} s`);
        await http.loop.warm(opts.warmup);
        await cpu.measure(() => http.loop.run(opts.duration));
        const r = http.loop.result();
        return { ...r, cpu: { ...cpu.total, ...cpuPerOp(cpu.total, r.ok) } };
      } finally {
        await http.close();
      }
    });
    database = await openPglite(dir, 'quanyi bench');
    try {
      res.issuePglite = { ...r.value, serverPeakRssMb: r.serverPeakRssMb, serverEndRssMb: r.serverEndRssMb, ...(await integrity(database, product.id)) };
    } finally {
      await database.close();
    }
    const p = res.issuePglite!;
    log(`issue-pglite: ${fmt(p.rate)} grants/s, p50 ${fmt(p.p50, 2)} ms, p99 ${fmt(p.p99, 2)} ms, errors ${p.errors}, server RSS peak ${fmt(p.serverPeakRssMb)} MB${cpuLine(p)}`);
  } finally {
    cleanups.splice(cleanups.indexOf(rm), 1);
    await rm();
  }
}

function verdict(ok: boolean | null) {
  return ok === null ? '–' : ok ? 'yes' : 'NO';
}

function report(res: Results): string {
  const rows: string[][] = [['measurement', 'throughput', 'p50 ms', 'p99 ms', 'errors', 'memory', 'target', 'met']];
  const raw = res.rawPg;
  const ratio = raw && res.issuePg ? res.issuePg.rate / raw.rate : null;
  if (raw) rows.push([`raw SQL ceiling (PostgreSQL, best of ${Object.keys(raw.rateByConnections).join('/')} conns: ${raw.connections})`, `${fmt(raw.rate)} tx/s`, fmt(raw.p50, 2), fmt(raw.p99, 2), fmt(raw.errors), '', '(reference)', '']);
  const pgb = res.pgbench;
  if (pgb) rows.push([`pgbench ceiling (best of ${PGBENCH_CONNECTIONS.join('/')} conns: ${pgb.best.connections})`, `${fmt(pgb.best.rate)} tx/s`, '', '', fmt(pgb.byConnections.reduce((a, x) => a + x.failed, 0)), '', '(reference)', '']);
  if (res.issuePg) {
    const r = res.issuePg;
    const met = ratio === null ? null : ratio >= TARGETS.httpToRawRatio && r.p99 <= TARGETS.httpP99Ms;
    rows.push([
      'HTTP issuance, PostgreSQL',
      `${fmt(r.rate)} grants/s` +
        (ratio !== null || pgb ? ` (${[ratio !== null && `${fmt(ratio * 100, 1)}% of raw`, pgb && `${fmt((100 * r.rate) / pgb.best.rate, 1)}% of pgbench`].filter(Boolean).join(', ')})` : ''),
      fmt(r.p50, 2),
      fmt(r.p99, 2),
      fmt(r.errors),
      `server RSS ≤ ${fmt(r.serverPeakRssMb)} MB`,
      '≥ 40% of raw, p99 ≤ 25 ms',
      verdict(met),
    ]);
  }
  if (res.issuePgAtTarget) {
    const a = res.issuePgAtTarget;
    const met = a.rate >= 0.97 * a.targetRate && a.p99 <= TARGETS.httpP99Ms && a.errors === 0;
    rows.push([`HTTP, PostgreSQL, offered ${fmt(a.targetRate)}/s`, `${fmt(a.rate)} grants/s`, fmt(a.p50, 2), fmt(a.p99, 2), fmt(a.errors), '', 'keeps up, p99 ≤ 25 ms', verdict(met)]);
  }
  const ra = res.rechargeAccept;
  if (ra) {
    const share = res.issuePg ? ra.rate / res.issuePg.rate : null;
    rows.push([
      'HTTP direct-recharge acceptance (202)',
      `${fmt(ra.rate)} grants/s` + (share !== null ? ` (${fmt(share * 100, 1)}% of card code)` : ''),
      fmt(ra.p50, 2),
      fmt(ra.p99, 2),
      fmt(ra.errors),
      '',
      '≥ 60% of card code',
      verdict(share === null ? null : share >= TARGETS.rechargeToCard),
    ]);
  }
  const cb = res.callbacks;
  if (cb) rows.push([`supplier callbacks (${fmt(cb.ok)} applied)`, `${fmt(cb.rate)}/s`, fmt(cb.p50, 2), fmt(cb.p99, 2), fmt(cb.errors), '', '≥ 2,000/s', verdict(cb.rate >= TARGETS.callbacksRate && cb.errors === 0)]);
  const e2e = res.rechargeE2e;
  if (e2e) {
    rows.push([
      `${fmt(e2e.recharges)} recharges end to end (sandbox ${e2e.sandbox.latencyMs} ms)`,
      `${fmt(e2e.rate)}/s (${e2e.seconds.toFixed(1)} s; drain ${e2e.drainSeconds.toFixed(1)} s)`,
      '',
      '',
      fmt(e2e.accept.errors),
      `server RSS ≤ ${fmt(e2e.serverPeakRssMb)} MB`,
      '≥ 500/s, books exact',
      verdict(e2e.rate >= TARGETS.rechargeE2eRate && e2e.books.ok && !e2e.timedOut),
    ]);
  }
  if (res.issuePglite) {
    const r = res.issuePglite;
    rows.push(['HTTP issuance, embedded PGlite', `${fmt(r.rate)} grants/s`, fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.errors), `server RSS ≤ ${fmt(r.serverPeakRssMb)} MB`, '≥ 800 grants/s', verdict(r.rate >= TARGETS.pgliteRate)]);
  }
  if (res.import) {
    const r = res.import;
    rows.push([
      `import ${fmt(r.rows)} codes (${r.format}, CLI)`,
      r.ok ? `${r.seconds.toFixed(1)} s (${fmt(r.rowsPerSecond)} rows/s)` : 'failed',
      '',
      '',
      r.ok ? fmt(r.rejected) + ' rejected' : '',
      `peak RSS ${fmt(r.peakMb)} MB`,
      '≤ 60 s, ≤ 300 MB',
      verdict(r.ok ? r.seconds <= TARGETS.importSeconds && r.peakMb <= TARGETS.importPeakMb : false),
    ]);
  }
  if (res.explain) {
    const e = res.explain;
    rows.push([`claim plan at ${fmt(e.stock)} stock`, e.pinned.usesClaimIndex ? `codes_claim_idx, ${e.pinned.ms} ms` : 'NOT on the claim index', '', '', '', '', 'index scan', verdict(e.pinned.usesClaimIndex)]);
    const d = e.deadEntries;
    if (d) rows.push([`claim after ${fmt(d.claimed)} unvacuumed claims`, `${d.beforeVacuum.ms} ms, ${fmt(d.beforeVacuum.buffers)} buffers`, '', '', '', '', `after VACUUM: ${d.afterVacuum.ms} ms`, '']);
  }
  const con = res.console;
  if (con) {
    for (const e of con.endpoints) {
      rows.push([`GET ${e.path} (${fmt(con.grants)} grants)`, '', fmt(e.p50, 2), `p95 ${fmt(e.p95, 2)}`, '', '', `p95 ≤ ${e.budgetMs} ms`, verdict(e.met)]);
    }
  }
  const bulk = res.bulk;
  if (bulk) {
    rows.push([`bulk run of ${fmt(bulk.rows)} recipients (issue)`, `${fmt(bulk.rowsPerSecond)} rows/s`, '', '', `${fmt(bulk.serverPeakRssMb)} MB peak`, '', `≤ ${TARGETS.bulkSeconds} s, ≤ ${TARGETS.bulkPeakMb} MB`, verdict(bulk.issueSeconds <= TARGETS.bulkSeconds && bulk.serverPeakRssMb <= TARGETS.bulkPeakMb && bulk.books.ok)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const out = [line(rows[0]), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.slice(1).map(line)];
  if (e2e) out.push(`recharge-e2e books: ${e2e.books.ok ? 'exact' : 'WRONG'}: ${fmt(e2e.books.redeemed)} redeemed, ${fmt(e2e.books.failed)} failed, ${e2e.books.notFinal} not final, ${e2e.books.orderDisagrees} orders disagreeing, ${e2e.books.wrongSuccessCount} wrong success counts, ${e2e.books.liveAttempts} live attempts; sandbox: ${fmt(e2e.books.supplierRecharges)} recharges on ${fmt(e2e.books.supplierAccounts)} accounts, ${e2e.books.accountsRechargedTwice} twice${e2e.timedOut ? '; TIMED OUT' : ''}`);
  if (pgb && pgb.grants !== pgb.transactions) out.push(`!! pgbench: ${pgb.transactions} transactions but ${pgb.grants} grants (out of stock?)`);
  for (const [k, v] of [['recharge-accept', res.rechargeAccept], ['callbacks', res.callbacks]] as const) if (v && v.errors) out.push(`${k} errors: ${JSON.stringify(v.errorKinds)}`);
  for (const [k, v] of [['issue-pg', res.issuePg], ['issue-pglite', res.issuePglite]] as const) {
    if (v && v.grants !== v.reservedCodes) out.push(`!! ${k}: ${v.grants} grants but ${v.reservedCodes} reserved codes`);
    if (v && v.errors) out.push(`${k} errors: ${JSON.stringify(v.errorKinds)}`);
  }
  const m = res.machine;
  out.push(`machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, PostgreSQL ${String(m['pg.server_version'] ?? '?').split(' ')[0]}; load average (1 min) ${(m.loadAvgAtStart as number[])?.[0]} at start, ${(m.loadAvgAtEnd as number[] | undefined)?.[0] ?? '?'} at end`);
  for (const [k, v] of Object.entries(res.failures)) out.push(`!! ${k} failed: ${v.split('\n')[0]}`);
  if (bulk) out.push(`bulk: upload + validation ${bulk.uploadSeconds} s, issuing ${bulk.issueSeconds} s, server RSS at rest ${bulk.serverRestRssMb} MB; books ${bulk.books.ok ? 'exact' : 'WRONG'}: ${fmt(bulk.books.grants)} grants, ${fmt(bulk.books.distinctKeys)} keys, ${fmt(bulk.books.reservedCodes)} codes taken`);
  if (res.import && !res.import.ok) out.push(`!! import: ${res.import.detail?.split('\n').slice(0, 3).join(' ')}`);
  return out.join('\n');
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const t0 = performance.now();
  const masterKey = randomBytes(32).toString('base64');
  const keyring = new Keyring([Buffer.from(masterKey, 'base64')]);
  const { pgUrl: _pg, redisUrl: _redis, ...shown } = opts;
  const res: Results = {
    started: new Date().toISOString(),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine: await machineInfo(opts.pgUrl),
    options: shown,
    failures: {},
  };
  log(`parts: ${opts.parts.join(', ')}; ${res.machine.cpus} CPUs, Node ${process.version}, PostgreSQL ${res.machine['pg.server_version'] ?? '?'}`);
  try {
    if (opts.parts.some((p) => p !== 'issue-pglite' && p !== 'recharge-e2e' && p !== 'console' && p !== 'bulk')) {
      try {
        await postgresParts(opts, masterKey, keyring, res);
      } finally {
        await cleanup();
      }
    }
    if (opts.parts.includes('recharge-e2e')) {
      try {
        await rechargeE2ePart(opts, masterKey, keyring, res);
      } finally {
        await cleanup();
      }
    }
    if (opts.parts.includes('console')) {
      try {
        res.console = await consolePart(opts, masterKey, keyring, withServer, log, cleanups);
      } catch (e) {
        res.failures.console = (e as Error).message;
      } finally {
        await cleanup();
      }
    }
    if (opts.parts.includes('bulk')) {
      try {
        res.bulk = await bulkPart(opts, masterKey, keyring, withServer, log, cleanups);
      } catch (e) {
        res.failures.bulk = (e as Error).message;
      } finally {
        await cleanup();
      }
    }
    if (opts.parts.includes('issue-pglite')) {
      try {
        await pgliteParts(opts, masterKey, keyring, res);
      } catch (e) {
        res.failures['issue-pglite'] = (e as Error).message;
      }
    }
  } finally {
    await cleanup();
  }
  res.seconds = (performance.now() - t0) / 1000;
  res.machine.loadAvgAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  const outDir = path.join(ROOT, 'bench/out');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `bench-${res.started.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(res, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(res, null, 2) + '\n');
  process.stdout.write(`\n${report(res)}\n\nfinished in ${res.seconds.toFixed(0)} s; results: ${path.relative(process.cwd(), file)}\n`);
  if (Object.keys(res.failures).length) process.exitCode = 1;
}

await main();
