import type { AppContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/db.ts';

// Read functions for expiry reminders (issue 7 §4, flows/notify-reminders.ts): grants that will expire
// unclaimed, and redeemed grants of a product redeemed within a window (the flow turns a product's period
// into that window). They return the recipient opened (phone) so the caller never learns how grants seal it.
export interface ReminderGrant {
  id: string;
  product_id: string;
  phone: string | null;
  email: string | null;
  campaign: string | null;
  expires_at: Date | null;
  redeemed_at: Date | null;
}

type Row = { id: string; product_id: string; recipient_phone_enc: Uint8Array | null; recipient_email: string | null; campaign: string | null; expires_at: Date | null; redeemed_at: Date | null };

const toReminder = (ctx: AppContext, r: Row): ReminderGrant => ({
  id: r.id,
  product_id: r.product_id,
  phone: r.recipient_phone_enc ? ctx.secrets.openPii(Buffer.from(r.recipient_phone_enc), 'phone:' + r.id) : null,
  email: r.recipient_email,
  campaign: r.campaign,
  expires_at: r.expires_at,
  redeemed_at: r.redeemed_at,
});

const COLUMNS = ['id', 'product_id', 'recipient_phone_enc', 'recipient_email', 'campaign', 'expires_at', 'redeemed_at'] as const;

/** Issued (unclaimed) grants with a phone or email expiring in (from, to], by id after `afterId`. */
export async function unclaimedGrantsExpiring(ctx: AppContext, q: { from: Date; to: Date; afterId?: string; limit: number }): Promise<ReminderGrant[]> {
  let query = ctx.db
    .selectFrom('grants')
    .select([...COLUMNS])
    .where('status', '=', 'issued')
    .where('expires_at', '>', q.from)
    .where('expires_at', '<=', q.to)
    .where((eb) => eb.or([eb('recipient_phone_enc', 'is not', null), eb('recipient_email', 'is not', null)]))
    .orderBy('id')
    .limit(q.limit);
  if (q.afterId) query = query.where('id', '>', q.afterId);
  return (await query.execute()).map((r) => toReminder(ctx, r));
}

/** Redeemed grants of `productId` with a phone or email, redeemed in [from, to), by id after `afterId`. */
export async function redeemedGrantsBetween(ctx: AppContext, q: { productId: string; from: Date; to: Date; afterId?: string; limit: number }): Promise<ReminderGrant[]> {
  let query = ctx.db
    .selectFrom('grants')
    .select([...COLUMNS])
    .where('product_id', '=', q.productId)
    .where('status', '=', 'redeemed')
    .where('redeemed_at', '>=', q.from)
    .where('redeemed_at', '<', q.to)
    .where((eb) => eb.or([eb('recipient_phone_enc', 'is not', null), eb('recipient_email', 'is not', null)]))
    .orderBy('id')
    .limit(q.limit);
  if (q.afterId) query = query.where('id', '>', q.afterId);
  return (await query.execute()).map((r) => toReminder(ctx, r));
}

/** The recipients of these grants, opened (bulk issuance's notifications), read in the caller's transaction. */
export async function grantRecipients(ctx: AppContext, db: Executor, ids: readonly string[]): Promise<ReminderGrant[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('grants').select([...COLUMNS]).where('id', 'in', [...ids]).execute();
  return rows.map((r) => toReminder(ctx, r));
}
