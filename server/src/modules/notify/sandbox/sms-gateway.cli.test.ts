// `quanyi sandbox sms …` as a real process: prints its URL (never the secret), accepts a correctly signed
// SendSms, answers the fault given as a flag, refuses bad flags, and stops on SIGTERM.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { aliyunSmsSender } from '../senders/aliyun-sms.ts';
import { commandProcess, listeningUrl } from '../../../testutil/command-process.ts';

const run = commandProcess(fileURLToPath(new URL('./sms-gateway.cli.ts', import.meta.url)), 'registerSmsSandboxCommand');

it('serves SendSms with the fault from its flags until SIGTERM', async () => {
  const p = run(['sandbox', 'sms', '--port', '0', '--access-key-id', 'cli-key', '--error-code', 'isv.BUSINESS_LIMIT_CONTROL'], { SANDBOX_SMS_SECRET: 'cli-secret' });
  const url = await listeningUrl(p);
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
