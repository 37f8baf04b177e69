import type { AppContext } from '../../platform/context.ts';
import { aliyunSmsSender } from './senders/aliyun-sms.ts';
import { emailSender } from './senders/email.ts';
import { ok, unconfigured, type Sender } from './senders/sender.ts';
import type { NotifyChannel } from '../../platform/db/schema.ts';

// The senders of one running app, built from its configuration on first use. An in-app message is its own
// stored row: "sending" it only makes it visible.
const built = new WeakMap<AppContext, Record<NotifyChannel, Sender>>();

const inapp: Sender = { channel: 'inapp', send: async (m) => ok(m.id) };

export function sendersOf(ctx: AppContext): Record<NotifyChannel, Sender> {
  let s = built.get(ctx);
  if (!s) {
    const n = ctx.config.notify;
    s = {
      email: n.smtpUrl ? emailSender({ smtpUrl: n.smtpUrl, from: n.mailFrom, timeoutMs: n.sendTimeoutMs }) : unconfigured('email', 'SMTP_URL'),
      sms:
        n.sms.accessKeyId && n.sms.accessKeySecret
          ? aliyunSmsSender({ endpoint: n.sms.endpoint, accessKeyId: n.sms.accessKeyId, accessKeySecret: n.sms.accessKeySecret, signName: n.sms.signName, regionId: n.sms.regionId, timeoutMs: n.sendTimeoutMs })
          : unconfigured('sms', 'ALIYUN_SMS_ACCESS_KEY_ID'),
      inapp,
    };
    built.set(ctx, s);
  }
  return s;
}

/** Forgets the built senders (after the demo pointed SMS at its sandbox gateway, or a test changed config). */
export function resetSenders(ctx: AppContext) {
  const s = built.get(ctx);
  built.delete(ctx);
  void s?.email.close?.();
}
