import type { AppContext } from '../../platform/context.ts';
import { checkAgain, type JobPolicy, type JobRun } from '../../platform/jobs/jobs.ts';
import { findProduct } from '../catalog/index.ts';
import { redeemUrl, grantRecipients } from '../grants/index.ts';
import { appendAudit } from '../audit/index.ts';
import { findTemplate, getMessage, isUnsubscribed, moveMessage, noteAttempt, productSettings, takeCap, type MessageRow } from './notify.repo.ts';
import { localDay, quietUntil, unsubscribeToken } from './notify.service.ts';
import { DEFAULT_TEMPLATES, render, usedVariables, type NotifyEvent, type TemplateText, type TemplateVars } from './notify.templates.ts';
import { sendersOf } from './notify.senders.ts';

// The job that sends one message. Marketing messages honour unsubscribes (skipped, recorded), quiet hours
// (the job answers "check again when they end": deferred, not sent, no attempt used) and the per-recipient
// daily cap (skipped, recorded). Transactional messages (a verification code, the grant just issued) go at
// any hour and are not capped. A retryable failure is retried on the policy's backoff; a permanent one, or
// the last retry, fails the message with its reason.
export const SEND_JOB_POLICY: JobPolicy = { attempts: 6, backoffSeconds: [30, 120, 600, 1800, 3600], lane: 'notify', retentionDays: 14 };

async function templateFor(ctx: AppContext, m: MessageRow): Promise<TemplateText> {
  const stored = await findTemplate(ctx.db, { event: m.event, channel: m.channel, locale: m.locale, productId: m.product_id, campaignId: m.campaign_id });
  if (stored) return { subject: stored.subject, body: stored.body, providerTemplate: stored.provider_template || DEFAULT_TEMPLATES[m.event as NotifyEvent].sms.providerTemplate };
  return DEFAULT_TEMPLATES[m.event as NotifyEvent][m.channel];
}

/** The variables of a message at send time: stored ones, plus what is derived (never stored) like the redeem link. */
async function varsOf(ctx: AppContext, m: MessageRow): Promise<{ vars: TemplateVars; sendsCode: boolean }> {
  const stored = JSON.parse(ctx.secrets.openPii(Buffer.from(m.vars_enc), 'notify-vars:' + m.id)) as TemplateVars;
  const vars: TemplateVars = { brand_name: ctx.config.notify.brandName, ...stored };
  if (m.grant_id && !vars.redeem_url) vars.redeem_url = redeemUrl(ctx.config.publicUrl, ctx.secrets, m.grant_id);
  if (m.product_id && !vars.product_name) vars.product_name = (await findProduct(ctx.db, m.product_id))?.name ?? '';
  if (m.grant_id && !vars.expires_at) {
    // the grant's own deadline, as a China-time day (the templates say "请在{{expires_at}}前领取")
    const [g] = await grantRecipients(ctx, ctx.db, [m.grant_id]);
    if (g?.expires_at) vars.expires_at = new Date(new Date(g.expires_at).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  }
  if (m.category === 'marketing') vars.unsubscribe_url = `${ctx.config.publicUrl}/v1/public/unsubscribe/${unsubscribeToken(ctx, m.id)}`;
  // a plaintext card code only when the product is configured to send codes (DESIGN §3.4)
  let sendsCode = false;
  if (vars.card_code) {
    sendsCode = !!(m.product_id && (await productSettings(ctx.db, m.product_id))?.send_codes);
    if (!sendsCode) delete vars.card_code;
  }
  return { vars, sendsCode };
}

function recipientOf(ctx: AppContext, m: MessageRow): string {
  if (m.channel === 'email') return m.email!;
  return m.phone_enc ? ctx.secrets.openPii(Buffer.from(m.phone_enc), 'notify-phone:' + m.id) : '';
}

export async function runSendJob(run: JobRun) {
  const { ctx } = run;
  const id = String(run.payload.message_id);
  const m = await getMessage(ctx.db, id);
  if (!m || m.status !== 'queued') return { message_id: id, skipped: m?.status ?? 'missing' };
  const n = ctx.config.notify;
  const now = new Date();
  if (m.category === 'marketing') {
    if (await isUnsubscribed(ctx.db, m.recipient_fp)) {
      await moveMessage(ctx.db, id, 'skip', { skip_reason: 'unsubscribed' });
      return { message_id: id, status: 'skipped', reason: 'unsubscribed' };
    }
    const until = quietUntil(now, n.quietHours);
    if (until) return checkAgain(until, `quiet hours until ${until.toISOString()}`);
    const within = await ctx.db.transaction().execute(async (tx) => {
      const ok = await takeCap(tx, id, m.recipient_fp, localDay(now, n.quietHours.utcOffsetMinutes), n.marketingPerDay);
      if (!ok) await moveMessage(tx, id, 'skip', { skip_reason: 'frequency_cap' });
      return ok;
    });
    if (!within) return { message_id: id, status: 'skipped', reason: 'frequency_cap' };
  }
  const t = await templateFor(ctx, m);
  const { vars, sendsCode } = await varsOf(ctx, m);
  const body = render(t.body, vars);
  const result = await sendersOf(ctx)[m.channel].send({
    id,
    to: recipientOf(ctx, m),
    subject: render(t.subject, vars),
    body,
    providerTemplate: t.providerTemplate,
    // the provider fills its registered template from these: exactly the variables the body uses
    templateParams: Object.fromEntries(usedVariables(t.body).map((k) => [k, (vars as Record<string, string | undefined>)[k] ?? ''])),
  });
  if (result.status === 'ok') {
    await ctx.db.transaction().execute(async (tx) => {
      await moveMessage(tx, id, 'send', { provider_id: result.providerId, attempts: run.attempt, last_error: null, body_enc: m.channel === 'inapp' ? ctx.secrets.sealPii(body, 'notify-body:' + id) : null });
      if (sendsCode) await appendAudit(tx, { actor: 'system', action: 'notify.code_sent', target: id, details: { grant: m.grant_id, product: m.product_id, channel: m.channel, recipient: m.recipient_masked } });
    });
    return { message_id: id, status: 'sent' };
  }
  if (result.status === 'permanent' || run.lastAttempt) {
    await moveMessage(ctx.db, id, 'fail', { attempts: run.attempt, last_error: result.reason.slice(0, 500) });
    return { message_id: id, status: 'failed', reason: result.reason };
  }
  await noteAttempt(ctx.db, id, run.attempt, result.reason.slice(0, 500));
  throw new Error(`send failed (${result.reason}); retrying`);
}
