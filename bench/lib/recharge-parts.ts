import os from 'node:os';
import { sql } from 'kysely';
import { openPostgres, type Database } from '../../server/src/platform/db/db.ts';
import type { Keyring } from '../../server/src/platform/crypto/keyring.ts';
import { startSandboxSupplier } from '../../server/src/modules/suppliers/index.ts';
import { CpuMeter, cpuPerOp, type CpuShare } from './cpu.ts';
import { httpIssuanceLoad } from './issue-http.ts';
import type { BenchOptions } from './options.ts';
import type { ServerChild } from './proc.ts';
import { acceptAttempts, callbackOutcomes, callbackSender, grantTotals, rechargeBodies, rechargeBooks, rechargeFixtures, supplierCredentials, type BenchSupplier } from './recharge.ts';
import { createBenchDatabase, prepareDatabase, type BenchClient, type BenchProduct } from './setup.ts';
import { countLoad, type LoadResult } from './stats.ts';

// The `callbacks` and `recharge-e2e` parts (docs/benchmarks.md).

type Log = (msg: string) => void;
type Cpu = CpuShare & ReturnType<typeof cpuPerOp>;
export type WithServer = <T>(
  label: string,
  env: Record<string, string | undefined>,
  opts: BenchOptions,
  fn: (server: ServerChild) => Promise<T>,
  serverOpts?: { workers?: boolean },
) => Promise<{ value: T; serverPeakRssMb: number; serverEndRssMb: number }>;

const WARM_CALLBACKS = 1000;

export interface CallbacksRun extends LoadResult {
  cpu: Cpu;
  /** outcomes the server recorded for the measured and warm-up callbacks */
  outcomes: Record<string, number>;
  redeemedAfter: number;
}

/**
 * Supplier callbacks on a server without workers: `opts.callbacks` (+ 1,000 warm-up) pending recharge grants
 * whose attempts are set accepted, then one signed `success` callback each, `opts.concurrency` at a time.
 * Each is the full work of a real first callback: verify, find the attempt, and in one transaction move
 * attempt, order and grant and log the event.
 */
export async function callbacksPhase(
  database: Database,
  dbUrl: string,
  dbName: string,
  server: ServerChild,
  client: BenchClient,
  recharge: { supplier: BenchSupplier; product: BenchProduct },
  opts: BenchOptions,
  log: Log,
): Promise<CallbacksRun> {
  const need = opts.callbacks + WARM_CALLBACKS;
  const have = await sql<{ n: string }>`SELECT count(*) AS n FROM recharge_attempts WHERE supplier_id = ${recharge.supplier.id} AND state = 'created'`.execute(database.db);
  const missing = need - Number(have.rows[0].n);
  if (missing > 0) {
    log(`callbacks: accepting ${missing.toLocaleString('en-US')} more recharge grants for the fixture`);
    const issuer = httpIssuanceLoad(server.url, client, recharge.product.sku, opts.concurrency, { body: rechargeBodies(recharge.product.sku), expect: 202 });
    try {
      const r = await countLoad(missing, opts.concurrency, () => issuer.post(), issuer.describe);
      if (r.errors) throw new Error(`fixture grants failed: ${JSON.stringify(r.errorKinds)}`);
    } finally {
      await issuer.close();
    }
  }
  const attempts = await acceptAttempts(database, recharge.supplier.id, need);
  if (attempts.length < need) throw new Error(`only ${attempts.length} attempts to accept, need ${need}`);
  await database.exec('VACUUM ANALYZE recharge_attempts');
  await database.exec('VACUUM ANALYZE recharge_orders');
  await database.exec('VACUUM ANALYZE grants');
  const sender = callbackSender(server.url, recharge.supplier, attempts, opts.concurrency);
  const cpu = new CpuMeter(dbUrl, dbName, server.pid, os.cpus().length);
  try {
    log(`callbacks: ${WARM_CALLBACKS} warm-up, then ${opts.callbacks.toLocaleString('en-US')} signed success callbacks, ${opts.concurrency} concurrent`);
    await countLoad(WARM_CALLBACKS, opts.concurrency, (i) => sender.post(i), sender.describe);
    const r = await cpu.measure(() => countLoad(opts.callbacks, opts.concurrency, (i) => sender.post(WARM_CALLBACKS + i), sender.describe));
    const totals = await grantTotals(database, recharge.product.id);
    return { ...r, cpu: { ...cpu.total, ...cpuPerOp(cpu.total, r.ok) }, outcomes: await callbackOutcomes(database, recharge.supplier.id), redeemedAfter: totals.redeemed };
  } finally {
    await sender.close();
  }
}

export interface RechargeE2eRun {
  recharges: number;
  sandbox: { latencyMs: number; processingMs: number };
  jobConcurrency: number;
  /** acceptance of all grants (202), closed loop */
  accept: LoadResult;
  /** from the first request to the last grant final */
  seconds: number;
  rate: number;
  /** from the last acceptance to the last grant final */
  drainSeconds: number;
  /** grants final per second, sampled every second from the first request */
  finalTimeline: number[];
  books: Awaited<ReturnType<typeof rechargeBooks>>;
  sandboxStats: unknown;
  jobs: Record<string, number>;
  cpu: Cpu;
  serverPeakRssMb: number;
  timedOut: boolean;
}

/**
 * 10,000 direct recharges end to end on a fresh database: the server child WITH workers, the sandbox in
 * this process (answer latency 100 ms, callbacks on). Signed `POST /v1/grants` by `opts.concurrency`
 * clients; the job runner submits each attempt; the sandbox's callback settles it.
 */
export async function rechargeE2e(opts: BenchOptions, masterKey: string, keyring: Keyring, withServer: WithServer, log: Log, cleanups: Array<() => Promise<void>>): Promise<RechargeE2eRun> {
  const bench = await createBenchDatabase(opts.pgUrl);
  if (!opts.keep) cleanups.push(bench.drop);
  log(`recharge-e2e: created database ${bench.name}`);
  const database = await openPostgres(bench.url, 2);
  cleanups.push(() => database.close());
  const client = await prepareDatabase(database, keyring);
  const creds = supplierCredentials();
  const sandbox = await startSandboxSupplier({ ...creds, knobs: { latencyMs: opts.sandboxLatencyMs, processingMs: opts.sandboxProcessingMs } });
  cleanups.push(() => sandbox.close());
  const { supplier, product } = await rechargeFixtures(database, keyring, 'e2e', sandbox.url, creds);
  const env = {
    DATABASE_URL: bench.url,
    QUANYI_MASTER_KEY: masterKey,
    QUANYI_DB_POOL_SIZE: opts.poolSize ? String(opts.poolSize) : undefined,
    QUANYI_JOBS_FAST_CONCURRENCY: String(opts.jobConcurrency),
    REDIS_URL: opts.redis ? opts.redisUrl : undefined,
  };
  const N = opts.recharges;
  const r = await withServer(
    'recharge-e2e',
    env,
    opts,
    async (server) => {
      sandbox.knobs.callbackUrl = `${server.url}/v1/callbacks/suppliers/${supplier.id}`;
      const issuer = httpIssuanceLoad(server.url, client, product.sku, opts.concurrency, { body: rechargeBodies(product.sku), expect: 202 });
      const cpu = new CpuMeter(bench.url, bench.name, server.pid, os.cpus().length);
      const timeline: number[] = [];
      let timedOut = false;
      log(`recharge-e2e: ${N.toLocaleString('en-US')} recharges, ${opts.concurrency} clients, sandbox latency ${opts.sandboxLatencyMs} ms + processing ${opts.sandboxProcessingMs} ms, job concurrency ${opts.jobConcurrency}`);
      try {
        return await cpu.measure(async () => {
          const t0 = performance.now();
          let lastFinal = 0;
          let done = false;
          // grants final per second while the run lasts
          const sampler = (async () => {
            while (!done) {
              await new Promise((res) => setTimeout(res, 1000));
              const t = await grantTotals(database, product.id);
              const final = t.redeemed + t.failed;
              timeline.push(final - lastFinal);
              lastFinal = final;
            }
          })();
          const accept = await countLoad(N, opts.concurrency, () => issuer.post(), issuer.describe);
          const tAccepted = performance.now();
          log(`recharge-e2e: ${accept.ok.toLocaleString('en-US')} accepted in ${accept.seconds.toFixed(1)} s (${Math.round(accept.rate)}/s), errors ${accept.errors}`);
          const deadline = tAccepted + Math.max(120_000, N * 20);
          let t = await grantTotals(database, product.id);
          while (t.pending > 0) {
            if (performance.now() > deadline) {
              timedOut = true;
              break;
            }
            await new Promise((res) => setTimeout(res, 100));
            t = await grantTotals(database, product.id);
          }
          const tFinal = performance.now();
          done = true;
          await sampler;
          const seconds = (tFinal - t0) / 1000;
          return { accept, seconds, rate: (t.redeemed + t.failed) / seconds, drainSeconds: (tFinal - tAccepted) / 1000 };
        }).then((x) => ({ ...x, cpu: { ...cpu.total, ...cpuPerOp(cpu.total, N) }, timeline, timedOut }));
      } finally {
        await issuer.close();
      }
    },
    { workers: true },
  );
  const books = await rechargeBooks(database, product.id, sandbox.counts.rechargesByAccount);
  const jobs = await sql<{ status: string; n: string }>`SELECT status, count(*) AS n FROM jobs GROUP BY status`.execute(database.db);
  return {
    recharges: N,
    sandbox: { latencyMs: opts.sandboxLatencyMs, processingMs: opts.sandboxProcessingMs },
    jobConcurrency: opts.jobConcurrency,
    accept: r.value.accept,
    seconds: r.value.seconds,
    rate: r.value.rate,
    drainSeconds: r.value.drainSeconds,
    finalTimeline: r.value.timeline,
    books,
    sandboxStats: sandbox.stats(),
    jobs: Object.fromEntries(jobs.rows.map((x) => [x.status, Number(x.n)])),
    cpu: r.value.cpu,
    serverPeakRssMb: r.serverPeakRssMb,
    timedOut: r.value.timedOut,
  };
}
