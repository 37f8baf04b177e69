import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../../platform/context.ts';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { runSendJob, SEND_JOB_POLICY } from './notify.job.ts';
import { SEND_JOB } from './notify.service.ts';

// Test helpers: a real SMTP server (smtp-server) that keeps what it received, and the send job running with
// its real handler and a short backoff.
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export async function startSmtpSink(opts: { rejectWith?: number } = {}): Promise<{ url: string; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        if (opts.rejectWith) {
          const err = Object.assign(new Error('mailbox unavailable'), { responseCode: opts.rejectWith });
          return callback(err);
        }
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export function startSending(ctx: AppContext, opts: { backoffSeconds?: number } = {}) {
  return startJobRunner(ctx, { definitions: { [SEND_JOB]: { handler: runSendJob, policy: { ...SEND_JOB_POLICY, backoffSeconds: [opts.backoffSeconds ?? 0.02] } } }, pollMs: 30 });
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 15_000, stepMs = 40): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** decodes a quoted-printable / base64 text body enough to search it */
export function mailText(raw: string): string {
  const [, body = ''] = raw.split(/\r?\n\r?\n/, 2).length ? [raw.slice(0, raw.search(/\r?\n\r?\n/)), raw.slice(raw.search(/\r?\n\r?\n/))] : ['', raw];
  if (/content-transfer-encoding:\s*base64/i.test(raw)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/content-transfer-encoding:\s*quoted-printable/i.test(raw)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}
