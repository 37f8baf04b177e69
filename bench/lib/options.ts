// Bench options from flags (`npm run bench -- --only=issue-pg --duration=10`) or the environment
// (BENCH_ONLY, BENCH_DURATION …). Flags win.

export const PARTS = ['raw-pg', 'pgbench', 'issue-pg', 'recharge-accept', 'callbacks', 'recharge-e2e', 'issue-pglite', 'import', 'explain', 'console', 'bulk'] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  parts: Part[];
  /** measured seconds per load phase */
  duration: number;
  /** warm-up seconds before each measured phase (not counted) */
  warmup: number;
  /** raw and HTTP issuance alternate in this many rounds, so both see the same machine conditions */
  rounds: number;
  concurrency: number;
  /** codes stocked per PostgreSQL issuance product (raw and HTTP each get their own) */
  stockPg: number;
  /** codes stocked for the embedded issuance product */
  stockPglite: number;
  importRows: number;
  importFormat: 'csv' | 'txt';
  /** server-side DB pool size (QUANYI_DB_POOL_SIZE); default: the server's own default */
  poolSize?: number;
  /** also set REDIS_URL for the PostgreSQL server (nonces in Redis instead of the database) */
  redis: boolean;
  /** run the server child under --cpu-prof, profiles written to bench/out/prof-<part>/ */
  cpuProf: boolean;
  pgUrl: string;
  redisUrl: string;
  keep: boolean;
  /** recharge-e2e: grants driven from acceptance to a final state */
  recharges: number;
  /** recharge-e2e: the sandbox's answer latency and time to a final state (ms) */
  sandboxLatencyMs: number;
  sandboxProcessingMs: number;
  /** recharge-e2e: the server's fast-lane job concurrency (QUANYI_JOBS_FAST_CONCURRENCY) */
  jobConcurrency: number;
  /** callbacks: signed callbacks measured (after 1,000 unmeasured) */
  callbacks: number;
  /** console: grants loaded before the list and dashboard GETs are measured */
  consoleGrants: number;
  /** console: measured GETs per endpoint */
  consoleRequests: number;
  /** bulk: recipients in the list issued by one bulk run */
  bulkRows: number;
}

const HELP = `npm run bench -- [options]
  --only=a,b          parts to run: ${PARTS.join(', ')} (default: all)
  --duration=S        measured seconds per load phase (default 12)
  --warmup=S          warm-up seconds before each phase (default 2)
  --rounds=N          raw SQL and HTTP alternate in N rounds of duration/N seconds (default 3)
  --concurrency=N     concurrent clients / connections (default 32)
  --stock-pg=N        codes per PostgreSQL issuance product (default 300000)
  --stock-pglite=N    codes for the embedded product (default 100000)
  --import-rows=N     rows in the import file (default 1000000)
  --import-format=F   csv | txt (default csv)
  --pool=N            server DB pool size (QUANYI_DB_POOL_SIZE)
  --redis             give the PostgreSQL server REDIS_URL (nonces in Redis)
  --cpu-prof          profile the server child (bench/out/prof-*)
  --keep              keep the bench database (default: dropped)
  --recharges=N       recharge-e2e: recharges from acceptance to a final state (default 10000)
  --sandbox-latency=MS    recharge-e2e: sandbox answer latency (default 100)
  --sandbox-processing=MS recharge-e2e: sandbox time from acceptance to final (default 50)
  --job-concurrency=N recharge-e2e: server fast-lane job concurrency (default 128)
  --callbacks=N       callbacks: measured callbacks (default 20000)
  --console-grants=N  console: grants loaded before measuring the list and dashboards (default 1000000)
  --console-requests=N console: measured GETs per endpoint (default 100)
  --bulk-rows=N       bulk: recipients in the uploaded list (default 100000)
Environment: BENCH_ONLY, BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS, BENCH_CONCURRENCY, BENCH_STOCK_PG, BENCH_STOCK_PGLITE,
BENCH_IMPORT_ROWS, BENCH_POOL, BENCH_PG_URL (server to create the database on; default
postgres://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL (default redis://127.0.0.1:6379).`;

export function parseOptions(argv: string[], env: Record<string, string | undefined> = process.env): BenchOptions {
  const flags = new Map<string, string>();
  for (const a of argv) {
    if (a === '--help' || a === '-h') {
      process.stdout.write(HELP + '\n');
      process.exit(0);
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}\n${HELP}`);
    flags.set(m[1], m[2] ?? 'true');
  }
  const get = (flag: string, envName: string) => flags.get(flag) ?? env[envName];
  const num = (flag: string, envName: string, def: number, min = 1) => {
    const v = get(flag, envName);
    if (v === undefined || v === '') return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${flag} must be a number ≥ ${min}`);
    return n;
  };
  const only = get('only', 'BENCH_ONLY');
  const parts = only ? (only.split(',').map((s) => s.trim()).filter(Boolean) as Part[]) : [...PARTS];
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part ${p}; parts: ${PARTS.join(', ')}`);
  const format = get('import-format', 'BENCH_IMPORT_FORMAT') ?? 'csv';
  if (format !== 'csv' && format !== 'txt') throw new Error('--import-format must be csv or txt');
  const known = new Set(['only', 'duration', 'warmup', 'rounds', 'concurrency', 'stock-pg', 'stock-pglite', 'import-rows', 'import-format', 'pool', 'redis', 'cpu-prof', 'keep', 'recharges', 'sandbox-latency', 'sandbox-processing', 'job-concurrency', 'callbacks', 'console-grants', 'console-requests']);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${HELP}`);
  const pool = get('pool', 'BENCH_POOL');
  return {
    parts,
    duration: num('duration', 'BENCH_DURATION', 12),
    warmup: num('warmup', 'BENCH_WARMUP', 2, 0),
    rounds: Math.floor(num('rounds', 'BENCH_ROUNDS', 3)),
    concurrency: Math.floor(num('concurrency', 'BENCH_CONCURRENCY', 32)),
    stockPg: Math.floor(num('stock-pg', 'BENCH_STOCK_PG', 300_000)),
    stockPglite: Math.floor(num('stock-pglite', 'BENCH_STOCK_PGLITE', 100_000)),
    importRows: Math.floor(num('import-rows', 'BENCH_IMPORT_ROWS', 1_000_000)),
    importFormat: format,
    poolSize: pool ? Math.floor(Number(pool)) : undefined,
    redis: flags.has('redis') || env.BENCH_REDIS === '1',
    cpuProf: flags.has('cpu-prof'),
    pgUrl: env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    keep: flags.has('keep'),
    recharges: Math.floor(num('recharges', 'BENCH_RECHARGES', 10_000)),
    sandboxLatencyMs: Math.floor(num('sandbox-latency', 'BENCH_SANDBOX_LATENCY', 100, 0)),
    sandboxProcessingMs: Math.floor(num('sandbox-processing', 'BENCH_SANDBOX_PROCESSING', 50, 0)),
    jobConcurrency: Math.floor(num('job-concurrency', 'BENCH_JOB_CONCURRENCY', 128)),
    callbacks: Math.floor(num('callbacks', 'BENCH_CALLBACKS', 20_000)),
    consoleGrants: Math.floor(num('console-grants', 'BENCH_CONSOLE_GRANTS', 1_000_000)),
    consoleRequests: Math.floor(num('console-requests', 'BENCH_CONSOLE_REQUESTS', 100)),
    bulkRows: Math.floor(num('bulk-rows', 'BENCH_BULK_ROWS', 100_000)),
  };
}
