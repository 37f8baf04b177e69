import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `quanyi serve` as a real child process, for tests about the process itself: does it stay up, what does it
// print, what does it do to the database it is pointed at.
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quanyi.mjs');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  alive(): boolean;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `quanyi serve …args` and resolves once it prints that it runs (rejects if it exits first). */
export async function startServerProcess(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const proc: ServerProcess = {
    child,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    alive: () => child.exitCode === null && child.signalCode === null,
    exited,
    async stop() {
      if (proc.alive()) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
  const started = Date.now();
  while (!/Quanyi is running/.test(out)) {
    if (!proc.alive()) throw new Error(`quanyi serve exited (${child.exitCode}) before it ran:\n${out}\n${err}`);
    if (Date.now() - started > timeoutMs) {
      await proc.stop();
      throw new Error(`quanyi serve did not start within ${timeoutMs} ms:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return proc;
}
