// `quanyi sandbox supplier …` as a real process: prints its URL, serves the protocol with the knobs given as
// flags, refuses bad flags, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { fuluAdapter } from '../fulu/fulu.adapter.ts';

const cliFile = fileURLToPath(new URL('./sandbox.cli.ts', import.meta.url));
// the command registered on a bare program, as the module list will register it on `quanyi`
const entry = `import { Command } from 'commander';
import { registerSandboxCommand } from ${JSON.stringify(cliFile)};
const program = new Command('quanyi').exitOverride();
registerSandboxCommand(program);
try { await program.parseAsync(process.argv.slice(1), { from: 'user' }); } catch { process.exitCode = process.exitCode || 2; }`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out, err: () => err };
}

it('runs with knobs from flags until SIGTERM', async () => {
  const p = run(['sandbox', 'supplier', '--port', '0', '--app-key', 'cli-key', '--error-code', '3003', '--error-next', '1'], { SANDBOX_APP_SECRET: 'cli-secret' });
  const start = Date.now();
  while (!/listening at (http:\/\/\S+)/.test(p.out()) && Date.now() - start < 30_000 && p.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const url = /listening at (http:\/\/\S+)/.exec(p.out())?.[1];
  expect(url, p.err()).toBeDefined();
  expect(p.out()).not.toContain('cli-secret');
  const creds = { endpoint: url!, appKey: 'cli-key', appSecret: 'cli-secret' };
  const req = { productId: '1', customerOrderNo: `cli-${Date.now()}-1`, account: '13800138000', buyNum: 1 };
  expect(await fuluAdapter.submitRecharge(creds, req)).toMatchObject({ kind: 'rejected', code: 3003 });
  expect(await fuluAdapter.submitRecharge(creds, req)).toMatchObject({ kind: 'accepted' });
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
});

it('refuses invalid knobs and a missing secret with exit code 2', async () => {
  const bad = run(['sandbox', 'supplier', '--port', '0', '--app-key', 'k', '--app-secret', 's', '--fail-rate', '2']);
  expect(await bad.exited).toBe(2);
  expect(bad.err()).toContain('--fail-rate: must be a number 0…1');
  const noSecret = run(['sandbox', 'supplier', '--port', '0', '--app-key', 'k'], { SANDBOX_APP_SECRET: '' });
  expect(await noSecret.exited).toBe(2);
  expect(noSecret.err()).toContain('SANDBOX_APP_SECRET');
});
