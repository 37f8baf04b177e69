import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const QUANYI_BIN = path.join(ROOT, 'server/bin/quanyi.mjs');

/** Memory of a live process from /proc (kB → MB); null once it has exited. */
export function procMemory(pid: number): { rssMb: number; hwmMb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Samples a process's RSS until stopped; `peakMb` is the highest VmHWM seen. */
export function memorySampler(pid: number, everyMs = 200) {
  let peakMb = 0;
  let lastRssMb = 0;
  const take = () => {
    const m = procMemory(pid);
    if (m) {
      peakMb = Math.max(peakMb, m.hwmMb);
      lastRssMb = m.rssMb;
    }
  };
  take();
  const t = setInterval(take, everyMs);
  return {
    sample: take,
    get peakMb() {
      return peakMb;
    },
    get lastRssMb() {
      return lastRssMb;
    },
    stop() {
      take();
      clearInterval(t);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The environment for a child `quanyi`: the parent's, minus anything that would point it elsewhere. */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'QUANYI_DATA_DIR', 'QUANYI_MASTER_KEY', 'PORT', 'HOST', 'PUBLIC_URL', 'QUANYI_DB_POOL_SIZE', 'NODE_OPTIONS']) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface ServerChild {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `quanyi serve --no-workers` (or with workers) in a child process and waits until /healthz answers. */
export async function startServer(env: Record<string, string | undefined>, opts: { cpuProfDir?: string; workers?: boolean } = {}): Promise<ServerChild> {
  const port = await freePort();
  // BENCH_NODE_ARGS: extra node flags for the server child, for experiments (e.g. "--max-old-space-size=96")
  const nodeArgs = [...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, QUANYI_BIN, 'serve', ...(opts.workers ? [] : ['--no-workers'])], {
    cwd: ROOT,
    // the per-client request limit is off: the benchmark is one client sending as fast as the server goes
    env: childEnv({ ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: env.LOG_LEVEL ?? 'warn', QUANYI_CLIENT_REQUESTS_PER_MINUTE: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null = null;
  const exitP = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`server exited (${exited}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within 60 s:\n${output}`);
    }
    try {
      const r = await fetch(url + '/healthz');
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    child,
    async stop() {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exitP;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs a command to completion, capturing stdout, and measures its peak RSS: with GNU time when present
 * (exact: the kernel's maxrss of the process), else by polling /proc/<pid>/status VmHWM.
 */
export async function runMeasured(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const timeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-bench-time-'));
  const timeFile = path.join(timeDir, 'time.txt');
  const [file, argv] = gnuTime ? [gnuTime, ['-f', '%M %e', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const child = spawn(file, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-8000)));
  const sampler = gnuTime ? null : memorySampler(child.pid!, 100);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code: number = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
  const seconds = (performance.now() - t0) / 1000;
  clearTimeout(timer);
  sampler?.stop();
  let peakMb = sampler?.peakMb ?? NaN;
  let peakSource = 'polled VmHWM';
  if (gnuTime) {
    const m = /^(\d+)\s+([\d.]+)/m.exec(fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '');
    if (m) peakMb = Number(m[1]) / 1024;
    peakSource = 'GNU time maxrss';
  }
  fs.rmSync(timeDir, { recursive: true, force: true });
  return { code, seconds, stdout, stderr, peakMb, peakSource };
}
