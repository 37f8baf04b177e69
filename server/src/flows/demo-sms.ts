import { randomBytes } from 'node:crypto';
import type { AppContext } from '../platform/context.ts';
import { resetSenders, startSmsGateway, type SmsGateway } from '../modules/notify/index.ts';

// `serve --demo` without SMS configuration: a sandbox SMS gateway (Aliyun's SendSms protocol, signature
// checked) in this process, so verification codes work out of the box. Its messages — codes included —
// are read at its local /_sandbox/messages; the console log names only that address, never a phone or code.
export async function startDemoSms(ctx: AppContext): Promise<SmsGateway | null> {
  if (ctx.config.notify.sms.accessKeyId) return null;
  const accessKeyId = 'demo-' + randomBytes(4).toString('hex');
  const accessKeySecret = randomBytes(24).toString('base64url');
  const gateway = await startSmsGateway({ accessKeyId, accessKeySecret, knobs: { latencyMs: 30 } });
  ctx.config.notify.sms = { ...ctx.config.notify.sms, endpoint: gateway.url, accessKeyId, accessKeySecret };
  resetSenders(ctx);
  return gateway;
}
