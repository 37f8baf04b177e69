import type { AppContext } from '../platform/context.ts';
import { periodicWorker } from '../platform/module.ts';
import { listProducts, type Product } from '../modules/catalog/index.ts';
import { redeemedGrantsBetween, unclaimedGrantsExpiring, type ReminderGrant } from '../modules/grants/index.ts';
import { enqueueNotification, productNotifySettings, type NotifyEvent } from '../modules/notify/index.ts';

// Expiry reminders (issue 7 §4, "即将到期用户进行精准续费推荐"): a recipient hears once before an unclaimed
// grant expires, and once before a redeemed membership's period ends (redeemed_at + the product's period),
// with a renewal link (the product's configured renewal URL, else its page). "Once" is the message's unique
// dedupe key (per grant, period and channel): two sweeps at once, or a rerun, write the message only once.
// Reminders are marketing messages: quiet hours, caps and unsubscribes apply when they are sent.
const PAGE = 500;
const DAY = 86_400_000;

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** `at` moved by `sign` × the period (months by calendar, days by days) */
export function shiftByPeriod(at: Date, period: { unit: Unit; count: number }, sign: 1 | -1): Date {
  const d = new Date(at);
  if (period.unit === 'day' || period.unit === 'week') return new Date(d.getTime() + sign * period.count * (period.unit === 'week' ? 7 : 1) * DAY);
  const months = period.count * (period.unit === 'year' ? 12 : period.unit === 'quarter' ? 3 : 1);
  d.setUTCMonth(d.getUTCMonth() + sign * months);
  return d;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

async function remind(ctx: AppContext, g: ReminderGrant, event: NotifyEvent, key: string, vars: Record<string, string>): Promise<number> {
  let created = 0;
  // SMS (or email without a phone) to reach the person; in-app for 我的权益 when there is a phone
  const channels: Array<'sms' | 'email' | 'inapp'> = g.phone ? ['sms', 'inapp'] : ['email'];
  await ctx.db.transaction().execute(async (tx) => {
    for (const channel of channels) {
      const r = await enqueueNotification(ctx, tx, { event, channel, phone: g.phone ?? undefined, email: g.email ?? undefined, grantId: g.id, productId: g.product_id, campaignId: g.campaign ?? undefined, vars, dedupeKey: `${key}:${channel}` });
      if (r.created) created++;
    }
  });
  return created;
}

/** One sweep: enqueues the reminders due now. Returns how many messages it wrote (0 on a rerun). */
export async function sweepReminders(ctx: AppContext, now = new Date()): Promise<number> {
  const horizon = new Date(now.getTime() + ctx.config.notify.reminderDaysBefore * DAY);
  let written = 0;
  // unclaimed grants expiring within the horizon
  for (let after: string | undefined; ; ) {
    const page = await unclaimedGrantsExpiring(ctx, { from: now, to: horizon, afterId: after, limit: PAGE });
    for (const g of page) written += await remind(ctx, g, 'reminder.unclaimed_expiry', `reminder.unclaimed_expiry:${g.id}`, { expires_at: day(g.expires_at!) });
    if (page.length < PAGE) break;
    after = page[page.length - 1].id;
  }
  // memberships whose period ends within the horizon: redeemed in (now − period, horizon − period]
  for (let cursor: string | undefined; ; ) {
    const products = await listProducts(ctx.db, { limit: 100, cursor });
    for (const p of products.data as Product[]) {
      if (!p.period) continue;
      const period = p.period as { unit: Unit; count: number };
      const from = shiftByPeriod(now, period, -1);
      const to = shiftByPeriod(horizon, period, -1);
      const settings = await productNotifySettings(ctx, p.id);
      const renewal = settings.renewal_url ?? `${ctx.config.publicUrl}/products/${p.id}`;
      for (let after: string | undefined; ; ) {
        const page = await redeemedGrantsBetween(ctx, { productId: p.id, from, to, afterId: after, limit: PAGE });
        for (const g of page) {
          const end = shiftByPeriod(g.redeemed_at!, period, 1);
          written += await remind(ctx, g, 'reminder.period_end', `reminder.period_end:${g.id}:${day(end)}`, { period_end: day(end), renewal_url: renewal });
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
      }
    }
    if (!products.next_cursor) break;
    cursor = products.next_cursor;
  }
  return written;
}

/** hourly: reminders are days ahead, an hour late is nothing */
export const reminderWorker = periodicWorker('notify-reminders', 3_600_000, (ctx) => sweepReminders(ctx));
