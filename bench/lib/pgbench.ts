import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The pgbench ceiling (DESIGN §8): Debian's pgbench, a lean C client, running the very function the server
// calls for a card-code issuance (quanyi_issue_grant: advisory lock on the Idempotency-Key, find the
// product, claim a code with SKIP LOCKED, INSERT INTO grants, return the grant) with the per-request values
// — grant id, Idempotency-Key, request hash, token hash — generated in SQL. Prepared statements: the
// cheapest way a client can send it. Connections 8, 16 and 32; the ceiling is the best of them.

export const PGBENCH = process.env.BENCH_PGBENCH ?? '/usr/bin/pgbench';
export const PGBENCH_CONNECTIONS = [8, 16, 32] as const;

const SCRIPT = `SELECT id FROM quanyi_issue_grant('grt_pgb' || replace(gen_random_uuid()::text, '-', ''), :client::text, :sku::text,
  'pgbench-user', NULL, NULL, NULL, NULL, NULL, gen_random_uuid()::text, encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'),
  '{}'::jsonb, sha256(convert_to(gen_random_uuid()::text, 'UTF8')), NULL::timestamptz, 365, :client::text);
`;

export interface PgbenchRun {
  connections: number;
  seconds: number;
  transactions: number;
  failed: number;
  tps: number;
  latencyAvgMs: number;
  /** CPU seconds pgbench itself used (GNU time), when /usr/bin/time exists */
  pgbenchCpuS: number | null;
}

export interface PgbenchSummary {
  /** per connection count: transactions / seconds over every round */
  byConnections: Array<{ connections: number; rate: number; roundRates: number[]; latencyAvgMs: number; failed: number }>;
  best: { connections: number; rate: number };
  /** pgbench's own CPU per transaction (ms), over all runs */
  pgbenchMsPerOp: number | null;
}

export function pgbenchAvailable(): boolean {
  return fs.existsSync(PGBENCH);
}

function parse(out: string) {
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : NaN;
  };
  return {
    transactions: num(/number of transactions actually processed: (\d+)/),
    failed: num(/number of failed transactions: (\d+)/) || 0,
    latencyAvgMs: num(/latency average = ([\d.]+) ms/),
    tps: num(/tps = ([\d.]+)/),
  };
}

export class PgbenchCeiling {
  readonly runs: PgbenchRun[] = [];
  /** every transaction pgbench made, warm-up included: each is a grant */
  totalTransactions = 0;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-bench-pgbench-'));
  private readonly script = path.join(this.dir, 'issue.sql');

  constructor(
    private readonly dbUrl: string,
    private readonly clientId: string,
    private readonly sku: string,
  ) {
    fs.writeFileSync(this.script, SCRIPT);
  }

  /** One pgbench run at `connections` for `seconds` (whole seconds, at least 1). */
  async run(connections: number, seconds: number, record = true): Promise<PgbenchRun> {
    const u = new URL(this.dbUrl);
    const secs = Math.max(1, Math.round(seconds));
    const args = ['-n', '-M', 'prepared', '-f', this.script, '-D', `client=${this.clientId}`, '-D', `sku=${this.sku}`,
      '-c', String(connections), '-j', String(Math.min(connections, os.cpus().length)), '-T', String(secs),
      '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), u.pathname.slice(1)];
    const timeFile = path.join(this.dir, 'time.txt');
    const gnuTime = fs.existsSync('/usr/bin/time');
    const [file, argv] = gnuTime ? ['/usr/bin/time', ['-f', '%U %S', '-o', timeFile, PGBENCH, ...args]] : [PGBENCH, args];
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password ?? '') || process.env.PGPASSWORD, PGAPPNAME: 'quanyi-bench-pgbench' };
    const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
    const code: number = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
    const p = parse(out);
    if (code !== 0 || !Number.isFinite(p.transactions)) throw new Error(`pgbench exited ${code}: ${out.split('\n').slice(-8).join(' ')}`);
    let cpu: number | null = null;
    if (gnuTime) {
      const m = /^([\d.]+)\s+([\d.]+)/m.exec(fs.readFileSync(timeFile, 'utf8'));
      if (m) cpu = Number(m[1]) + Number(m[2]);
    }
    const r: PgbenchRun = { connections, seconds: secs, ...p, pgbenchCpuS: cpu };
    this.totalTransactions += r.transactions;
    if (record) this.runs.push(r);
    return r;
  }

  summary(): PgbenchSummary {
    const byConnections = PGBENCH_CONNECTIONS.map((c) => {
      const rs = this.runs.filter((r) => r.connections === c);
      // pgbench's tps leaves out the connection set-up, which a pooled client does not pay per request
      const s = rs.reduce((a, r) => a + r.seconds, 0);
      return {
        connections: c,
        rate: s ? rs.reduce((a, r) => a + r.tps * r.seconds, 0) / s : 0,
        roundRates: rs.map((r) => Math.round(r.tps)),
        latencyAvgMs: rs.length ? Number((rs.reduce((a, r) => a + r.latencyAvgMs, 0) / rs.length).toFixed(2)) : NaN,
        failed: rs.reduce((a, r) => a + r.failed, 0),
      };
    }).filter((x) => x.rate > 0);
    const best = byConnections.reduce((a, b) => (b.rate > a.rate ? b : a), { connections: 0, rate: 0 });
    const cpuRuns = this.runs.filter((r) => r.pgbenchCpuS !== null);
    const cpuTx = cpuRuns.reduce((a, r) => a + r.transactions, 0);
    return {
      byConnections,
      best: { connections: best.connections, rate: best.rate },
      pgbenchMsPerOp: cpuRuns.length && cpuTx ? Number(((cpuRuns.reduce((a, r) => a + r.pgbenchCpuS!, 0) * 1000) / cpuTx).toFixed(3)) : null,
    };
  }

  close() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
