import nodemailer from 'nodemailer';
import { ok, permanent, retryable, type OutboundMessage, type Sender, type SendResult } from './sender.ts';

// Email over SMTP with nodemailer. Every phase has a timeout (connect, greeting, socket), so a stalled
// server costs one bounded attempt and the job retries. 5xx replies are permanent (no such mailbox, refused),
// 4xx and transport errors are retryable.
export function emailSender(opts: { smtpUrl: string; from: string; timeoutMs: number }): Sender {
  const u = new URL(opts.smtpUrl);
  const transport = nodemailer.createTransport({
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
    secure: u.protocol === 'smtps:',
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    // a local sandbox (tests, the demo) speaks plain SMTP; elsewhere STARTTLS is used when offered
    ignoreTLS: u.hostname === '127.0.0.1' || u.hostname === 'localhost',
  });
  return {
    channel: 'email',
    async send(m: OutboundMessage): Promise<SendResult> {
      try {
        const info = await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.body, messageId: `<${m.id}@quanyi>` });
        if (info.rejected?.length) return permanent('recipient refused');
        return ok(info.messageId || m.id);
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        const reason = `${(e as { code?: string }).code ?? 'ESEND'} ${code ?? ''}`.trim();
        return code && code >= 500 && code < 600 ? permanent(reason) : retryable(reason);
      }
    },
    async close() {
      transport.close();
    },
  };
}
