import type { AppContext } from '../../platform/context.ts';
import type { Tx, Executor } from '../../platform/db/db.ts';
import type { NotifyCategory, NotifyChannel } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { badRequest } from '../../platform/errors.ts';
import { safeEqualHex } from '../../platform/crypto/server-secrets.ts';
import { maskPhone } from '../grants/index.ts';
import { insertMessage } from './notify.repo.ts';
import type { NotifyEvent, TemplateVars } from './notify.templates.ts';

// Enqueuing a message (issue 7 §4): the message row and its job are written in the caller's transaction, so
// a message exists exactly when the business change that asks for it committed, and its sending survives a
// crash. The variables are sealed at rest (they may hold a verification code); the phone is sealed, keyed-
// fingerprinted and masked; an email is kept as given, since it is needed to send.
export const SEND_JOB = 'notify.send';

export interface NotificationInput {
  event: NotifyEvent;
  channel: NotifyChannel;
  /** default: reminders are marketing, the rest transactional */
  category?: NotifyCategory;
  /** a phone (sms, inapp) — normalised (platform/phone.ts) */
  phone?: string;
  /** an email (email channel) */
  email?: string;
  /** the grant the message is about: its redeem link is derived at send time, never stored */
  grantId?: string;
  productId?: string;
  campaignId?: string;
  vars?: TemplateVars;
  /** at most one message per key, ever (reminders: per grant and period) */
  dedupeKey?: string;
  locale?: string;
  createdBy?: string;
}

export const categoryOf = (event: NotifyEvent): NotifyCategory => (event.startsWith('reminder.') ? 'marketing' : 'transactional');

/** the recipient's keyed fingerprint: the phone's, or an email's under its own label */
export function recipientFingerprint(ctx: AppContext, r: { phone?: string; email?: string; grantId?: string }): Buffer {
  if (r.phone) return ctx.secrets.phoneFingerprint(r.phone);
  if (r.email) return ctx.secrets.accountFingerprint('email\0' + r.email.trim().toLowerCase());
  return ctx.secrets.accountFingerprint('grant\0' + (r.grantId ?? ''));
}

export function maskEmail(email: string): string {
  const [user, domain] = email.split('@');
  return `${user.slice(0, 1)}***@${domain ?? ''}`;
}

/** Writes the message and its send job in `tx`. `created: false` when a message with the dedupe key exists. */
export async function enqueueNotification(ctx: AppContext, tx: Tx | Executor, input: NotificationInput): Promise<{ id: string; created: boolean }> {
  const id = newId('msg');
  const jobId = newId('job');
  if (input.channel === 'email' && !input.email) throw badRequest('validation_failed', 'An email message needs an email address.', [{ field: 'email', message: 'required for the email channel' }]);
  if (input.channel === 'sms' && !input.phone) throw badRequest('validation_failed', 'An SMS needs a phone number.', [{ field: 'phone', message: 'required for the sms channel' }]);
  if (input.channel === 'inapp' && !input.phone && !input.grantId) throw badRequest('validation_failed', 'An in-app message needs a phone or a grant.', [{ field: 'phone', message: 'or grant_id' }]);
  const target = input.channel === 'email' ? { email: input.email } : { phone: input.phone, grantId: input.grantId };
  const masked = input.channel === 'email' ? maskEmail(input.email!) : input.phone ? maskPhone(input.phone) : `grant ${input.grantId}`;
  const created = await insertMessage(tx, {
    id,
    event: input.event,
    channel: input.channel,
    category: input.category ?? categoryOf(input.event),
    recipient_fp: recipientFingerprint(ctx, target),
    phone_enc: input.phone && input.channel !== 'email' ? ctx.secrets.sealPii(input.phone, 'notify-phone:' + id) : null,
    recipient_masked: masked,
    email: input.channel === 'email' ? input.email!.trim() : null,
    grant_id: input.grantId ?? null,
    product_id: input.productId ?? null,
    campaign_id: input.campaignId ?? null,
    locale: input.locale ?? 'zh-CN',
    vars_enc: ctx.secrets.sealPii(JSON.stringify(input.vars ?? {}), 'notify-vars:' + id),
    dedupe_key: input.dedupeKey ?? null,
    job_id: jobId,
  });
  if (!created) return { id, created: false };
  await enqueue(tx, SEND_JOB, { message_id: id }, { id: jobId, createdBy: input.createdBy ?? null });
  return { id, created: true };
}

/** Quiet hours (marketing): null when `now` is outside them, else when they end. */
export function quietUntil(now: Date, q: { start: number; end: number; utcOffsetMinutes: number }): Date | null {
  if (q.start === q.end) return null;
  const off = q.utcOffsetMinutes * 60_000;
  const local = new Date(now.getTime() + off);
  const h = local.getUTCHours();
  const quiet = q.start < q.end ? h >= q.start && h < q.end : h >= q.start || h < q.end;
  if (!quiet) return null;
  let end = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), q.end);
  if (end <= local.getTime()) end += 86_400_000;
  return new Date(end - off);
}

/** the recipient's local day (caps count per local day) */
export function localDay(now: Date, utcOffsetMinutes: number): string {
  return new Date(now.getTime() + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** A signed unsubscribe token for a message: its id and a keyed MAC, so nobody can unsubscribe others. */
export function unsubscribeToken(ctx: AppContext, messageId: string): string {
  return `${messageId}.${ctx.secrets.requestHash('unsubscribe\0' + messageId).slice(0, 32)}`;
}

export function messageOfUnsubscribeToken(ctx: AppContext, token: string): string | null {
  const [id, mac] = token.split('.');
  if (!id || !mac || !/^msg_[0-9a-z]{26}$/.test(id)) return null;
  const expected = ctx.secrets.requestHash('unsubscribe\0' + id).slice(0, 32);
  return safeEqualHex(mac, expected) ? id : null;
}
