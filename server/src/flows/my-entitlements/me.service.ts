import type { AppContext } from '../../platform/context.ts';
import { grantsForPhone, PHONE_GRANTS_MAX, type PhoneGrant } from '../../modules/grants/index.ts';
import { inboxFor, markInboxRead, productNotifySettings, type InboxMessage, type PhoneProof } from '../../modules/notify/index.ts';
import { shiftByPeriod } from '../notify-reminders.ts';

// 我的权益 (issue 7): what one verified phone holds — its grants (grants module, by the phone's keyed
// fingerprint) and its in-app messages (notify's inbox) — with the reminders the page highlights:
// unclaimed grants expiring within 7 days, memberships whose period ends within 7 days (with the product's
// renewal link when one is configured).

export const REMINDER_DAYS = 7;
const DAY = 86_400_000;

export interface MyGrant extends Omit<PhoneGrant, 'created_at'> {
  /** a redeemed membership: redeemed_at + the product's period (null otherwise) */
  period_ends_at: string | null;
  /** expiring: unclaimed and expiring within 7 days; period_ending: the membership ends within 7 days */
  reminder: 'expiring' | 'period_ending' | null;
  /** period_ending only: the product's renewal link, when the operator configured one */
  renewal_url: string | null;
}

export interface MyEntitlements {
  phone_masked: string;
  grants: MyGrant[];
  /** more grants older than the last one: pass it as `before` */
  next_before: string | null;
  messages: InboxMessage[];
}

type Unit = Parameters<typeof shiftByPeriod>[1]['unit'];

/** Marks the phone's in-app messages read (ids of other recipients are ignored by notify). */
export const markMyMessagesRead = (ctx: AppContext, proof: PhoneProof, ids: string[]) => markInboxRead(ctx, proof.phoneFingerprint, ids);

export async function myEntitlements(ctx: AppContext, proof: PhoneProof, opts: { before?: string; limit?: number } = {}, now = new Date()): Promise<MyEntitlements> {
  const limit = Math.min(opts.limit ?? PHONE_GRANTS_MAX, PHONE_GRANTS_MAX);
  const [rows, messages] = await Promise.all([
    grantsForPhone(ctx, proof.phoneFingerprint, { limit: limit + 1, before: opts.before }),
    opts.before ? Promise.resolve([]) : inboxFor(ctx, proof.phoneFingerprint, { limit: 50 }), // messages come with the first page
  ]);
  const page = rows.slice(0, limit);
  const soon = now.getTime() + REMINDER_DAYS * DAY;
  const renewals = new Map<string, string | null>();
  const grants: MyGrant[] = [];
  for (const { created_at: _created, ...g } of page) {
    const period = g.product.period as { unit: Unit; count: number } | null;
    const end = g.status === 'redeemed' && g.redeemed_at && period ? shiftByPeriod(new Date(g.redeemed_at), period, 1) : null;
    let reminder: MyGrant['reminder'] = null;
    if (g.status === 'issued' && g.expires_at && new Date(g.expires_at).getTime() <= soon && new Date(g.expires_at) > now) reminder = 'expiring';
    if (end && end.getTime() <= soon && end > now) reminder = 'period_ending';
    let renewal: string | null = null;
    if (reminder === 'period_ending') {
      if (!renewals.has(g.product.id)) renewals.set(g.product.id, (await productNotifySettings(ctx, g.product.id)).renewal_url);
      renewal = renewals.get(g.product.id) ?? null;
    }
    grants.push({ ...g, period_ends_at: end ? end.toISOString() : null, reminder, renewal_url: renewal });
  }
  return { phone_masked: proof.masked, grants, next_before: rows.length > limit ? page[page.length - 1].id : null, messages };
}
