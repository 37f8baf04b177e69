import fs from 'node:fs';
import pg from 'pg';

// Where the CPU goes during a load phase: the server child, this process (the load generator or the raw
// SQL driver), the PostgreSQL backends serving the bench database, and the whole machine (which also
// shows anything else running on it). Read from /proc, in clock ticks (USER_HZ = 100 on Linux).
const HZ = 100;

function procTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

function machineTicks(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface CpuShare {
  /** CPU seconds used during the measured windows */
  serverS: number;
  benchS: number;
  postgresS: number;
  machineBusyS: number;
  wallS: number;
  cores: number;
}

/** Accumulates CPU use over several windows (one per round). */
export class CpuMeter {
  readonly total: CpuShare;
  constructor(
    private readonly dbUrl: string | null,
    private readonly dbName: string | null,
    private readonly serverPid: number | null,
    cores: number,
  ) {
    this.total = { serverS: 0, benchS: 0, postgresS: 0, machineBusyS: 0, wallS: 0, cores };
  }

  /** the backends serving the bench database, read on the meter's own connection (itself left out) */
  private async backendPids(c: pg.Client | null): Promise<number[]> {
    if (!c) return [];
    const r = await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [this.dbName]);
    return r.rows.map((x: { pid: number }) => x.pid);
  }

  /**
   * Measures `fn` (a load window). The backends are listed at its start and every half second until its
   * end, and each one's ticks read each time: a backend that closes during the window (an idle pool
   * connection timing out) keeps the ticks last read, and one opened during it counts from zero.
   */
  async measure<T>(fn: () => Promise<T>): Promise<T> {
    const c = this.dbUrl && this.dbName ? new pg.Client({ connectionString: this.dbUrl }) : null;
    await c?.connect();
    try {
      return await this.measureWith(c, fn);
    } finally {
      await c?.end();
    }
  }

  private async measureWith<T>(c: pg.Client | null, fn: () => Promise<T>): Promise<T> {
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    const sample = async (atStart: boolean) => {
      for (const p of await this.backendPids(c)) {
        const t = procTicks(p);
        if (!first.has(p)) first.set(p, atStart ? t : 0);
        if (t > 0) last.set(p, t);
      }
    };
    await sample(true);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await new Promise((res) => setTimeout(res, 500));
        if (sampling) await sample(false);
      }
    })();
    const s0 = this.serverPid ? procTicks(this.serverPid) : 0;
    const b0 = process.cpuUsage();
    const m0 = machineTicks();
    const t0 = performance.now();
    const value = await fn().finally(() => (sampling = false));
    const wall = (performance.now() - t0) / 1000;
    const m1 = machineTicks();
    const b1 = process.cpuUsage(b0);
    this.total.serverS += this.serverPid ? (procTicks(this.serverPid) - s0) / HZ : 0;
    await sampler;
    await sample(false);
    let pgTicks = 0;
    for (const [p, t0p] of first) pgTicks += Math.max(0, (last.get(p) ?? t0p) - t0p);
    this.total.postgresS += pgTicks / HZ;
    this.total.benchS += (b1.user + b1.system) / 1e6;
    this.total.machineBusyS += (m1.busy - m0.busy) / HZ;
    this.total.wallS += wall;
    return value;
  }
}

/** CPU milliseconds per operation by component, and how busy the machine was. */
export function cpuPerOp(c: CpuShare, ops: number) {
  const per = (s: number) => Number(((s * 1000) / Math.max(1, ops)).toFixed(3));
  return {
    serverMsPerOp: per(c.serverS),
    loadGeneratorMsPerOp: per(c.benchS),
    postgresMsPerOp: per(c.postgresS),
    machineBusyMsPerOp: per(c.machineBusyS),
    machineBusyPct: Number(((100 * c.machineBusyS) / (c.wallS * c.cores)).toFixed(1)),
  };
}
