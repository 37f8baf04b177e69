import type { Command } from 'commander';
import { startSmsGateway } from './sms-gateway.ts';

// `quanyi sandbox sms --port N --access-key-id K --access-key-secret S`: the sandbox SMS gateway until
// SIGINT/SIGTERM. Needs no database. Point ALIYUN_SMS_ENDPOINT at it.
export function registerSmsSandboxCommand(program: Command) {
  const group = program.commands.find((c) => c.name() === 'sandbox') ?? program.command('sandbox').description('stand-ins for outside systems, for demos and tests');
  group
    .command('sms')
    .description("run a sandbox SMS gateway speaking Aliyun's SendSms protocol (signature checked), recording messages")
    .option('--port <n>', 'port to listen on', '9200')
    .option('--host <host>', 'interface to listen on (the message list is open: keep it local)', '127.0.0.1')
    .requiredOption('--access-key-id <id>', 'the AccessKeyId senders must use')
    .option('--access-key-secret <secret>', 'the AccessKeySecret (or SANDBOX_SMS_SECRET, which keeps it out of the process list)')
    .option('--latency-ms <ms>', 'delay before each answer', '0')
    .option('--error-code <code>', 'answer this provider code (e.g. isv.BUSINESS_LIMIT_CONTROL) instead of OK')
    .action(async (opts: { port: string; host: string; accessKeyId: string; accessKeySecret?: string; latencyMs: string; errorCode?: string }) => {
      const secret = opts.accessKeySecret ?? process.env.SANDBOX_SMS_SECRET;
      const port = Number(opts.port);
      const latencyMs = Number(opts.latencyMs);
      if (!secret) return fail('give --access-key-secret or SANDBOX_SMS_SECRET');
      if (!Number.isInteger(port) || port < 0 || port > 65535) return fail('--port must be 0…65535');
      if (!Number.isInteger(latencyMs) || latencyMs < 0) return fail('--latency-ms must be a whole number ≥ 0');
      const gw = await startSmsGateway({ accessKeyId: opts.accessKeyId, accessKeySecret: secret, port, host: opts.host, knobs: { latencyMs, errorCode: opts.errorCode ?? null } }).catch((e: Error) => {
        fail(e.message, 1);
        return null;
      });
      if (!gw) return;
      process.stdout.write(`Sandbox SMS gateway listening at ${gw.url}\n  SendSms:  GET ${gw.url}?Action=SendSms&…  (AccessKeyId ${opts.accessKeyId})\n  messages: GET ${gw.url}_sandbox/messages[?phone=…]   knobs: GET|POST ${gw.url}_sandbox/knobs\n`);
      const stop = async () => {
        await gw.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function fail(message: string, code = 2) {
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = code;
}
