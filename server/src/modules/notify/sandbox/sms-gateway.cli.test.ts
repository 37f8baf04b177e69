// `quanyi sandbox sms …` as a real process: prints its URL (never the secret), accepts a correctly signed
// SendSms, answers the fault given as a flag, refuses bad flags, and stops on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { aliyunSmsSender } from '../senders/aliyun-sms.ts';

const cliFile = fileURLToPath(new URL('./sms-gateway.cli.ts', import.meta.url));
const entry = `import { Command } from 'commander';
import { registerSmsSandboxCommand } from ${JSON.stringify(cliFile)};
const program = new Command('quanyi').exitOverride();
registerSmsSandboxCommand(program);
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

it('serves SendSms with the fault from its flags until SIGTERM', async () => {
  const p = run(['sandbox', 'sms', '--port', '0', '--access-key-id', 'cli-key', '--error-code', 'isv.BUSINESS_LIMIT_CONTROL'], { SANDBOX_SMS_SECRET: 'cli-secret' });
  const start = Date.now();
  while (!/listening at (http:\/\/\S+)/.test(p.out()) && Date.now() - start < 30_000 && p.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const url = /listening at (http:\/\/\S+)/.exec(p.out())?.[1];
  expect(url, p.err()).toBeDefined();
  expect(p.out()).not.toContain('cli-secret');
  const sender = aliyunSmsSender({ endpoint: url!, accessKeyId: 'cli-key', accessKeySecret: 'cli-secret', signName: '权益', regionId: 'cn-hangzhou', timeoutMs: 5000 });
  const message = { id: 'msg_cli', to: '13800138000', subject: '', body: '', providerTemplate: 'SMS_1', templateParams: { code: '123456' } };
  expect(await sender.send(message)).toEqual({ status: 'retryable', reason: 'isv.BUSINESS_LIMIT_CONTROL' });
  const wrong = aliyunSmsSender({ endpoint: url!, accessKeyId: 'cli-key', accessKeySecret: 'not-it', signName: '权益', regionId: 'cn-hangzhou', timeoutMs: 5000 });
  expect(await wrong.send(message)).toEqual({ status: 'permanent', reason: 'SignatureDoesNotMatch' });
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
}, 60_000);

it('refuses a missing secret and a bad port', async () => {
  const a = run(['sandbox', 'sms', '--access-key-id', 'k']);
  expect(await a.exited).toBe(2);
  expect(a.err()).toContain('--access-key-secret');
  const b = run(['sandbox', 'sms', '--access-key-id', 'k', '--access-key-secret', 's', '--port', '70000']);
  expect(await b.exited).toBe(2);
  expect(b.err()).toContain('--port');
}, 60_000);
