import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import type { NotifyMessagesTable, NotifyChannel, NotifyTemplatesTable } from '../../platform/db/schema.ts';
import { messageMachine, type MessageEvent } from './notify.machine.ts';

// SQL for the notify tables only (migration 019). Message statuses move through `moveMessage`, guarded by
// the machine's sources; the frequency counter moves only by a conditional upsert.
export type MessageRow = Selectable<NotifyMessagesTable>;
export type TemplateRow = Selectable<NotifyTemplatesTable>;

export async function insertMessage(db: Executor, row: Omit<NotifyMessagesTable, 'status' | 'attempts' | 'cap_counted' | 'created_at' | 'updated_at' | 'sent_at' | 'read_at' | 'body_enc' | 'provider_id' | 'last_error' | 'skip_reason' | 'locale'> & { locale: string }): Promise<boolean> {
  // a dedupe key (a reminder per grant and period) makes a second insert a no-op, also under concurrency
  const r = await db
    .insertInto('notify_messages')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return !!r;
}

export async function getMessage(db: Executor, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('notify_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Moves a message by `event` when its status allows it; false when it did not move. */
export async function moveMessage(db: Executor, id: string, event: MessageEvent, patch: Partial<Pick<MessageRow, 'provider_id' | 'last_error' | 'skip_reason' | 'body_enc' | 'attempts'>> = {}): Promise<boolean> {
  const r = await db
    .updateTable('notify_messages')
    .set({ ...patch, status: messageMachine.targetOf(event), updated_at: new Date(), ...(event === 'send' ? { sent_at: new Date() } : {}) })
    .where('id', '=', id)
    .where('status', 'in', messageMachine.sourcesOf(event))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function noteAttempt(db: Executor, id: string, attempts: number, lastError: string | null) {
  await db.updateTable('notify_messages').set({ attempts, last_error: lastError, updated_at: new Date() }).where('id', '=', id).execute();
}

/**
 * Counts one marketing message against the recipient's day, once per message: the message is marked
 * counted and the day's counter moves only while under `max`, in one transaction. False: over the cap.
 */
export async function takeCap(db: Executor, messageId: string, fp: Uint8Array, day: string, max: number): Promise<boolean> {
  if (max <= 0) return false;
  const marked = await db.updateTable('notify_messages').set({ cap_counted: true }).where('id', '=', messageId).where('cap_counted', '=', false).executeTakeFirst();
  if (Number(marked.numUpdatedRows) === 0) return true; // counted by an earlier run of this message
  const r = await sql<{ used: number }>`
    INSERT INTO notify_caps (recipient_fp, day, used) VALUES (${fp}, ${day}::date, 1)
    ON CONFLICT (recipient_fp, day) DO UPDATE SET used = notify_caps.used + 1 WHERE notify_caps.used < ${max}
    RETURNING used`.execute(db);
  return r.rows.length > 0;
}

export async function isUnsubscribed(db: Executor, fp: Uint8Array): Promise<boolean> {
  return !!(await db.selectFrom('notify_unsubscribes').select('channel').where('recipient_fp', '=', fp).executeTakeFirst());
}

export async function addUnsubscribe(db: Executor, fp: Uint8Array, masked: string, channel: NotifyChannel): Promise<void> {
  await db.insertInto('notify_unsubscribes').values({ recipient_fp: fp, recipient_masked: masked, channel }).onConflict((oc) => oc.column('recipient_fp').doNothing()).execute();
}

/** The most specific stored template: campaign, then product, then the stored default. */
export async function findTemplate(db: Executor, q: { event: string; channel: NotifyChannel; locale: string; productId: string | null; campaignId: string | null }): Promise<TemplateRow | undefined> {
  const rows = await db
    .selectFrom('notify_templates')
    .selectAll()
    .where('event', '=', q.event)
    .where('channel', '=', q.channel)
    .where('locale', '=', q.locale)
    .where((eb) =>
      eb.or([
        eb('scope', '=', 'default'),
        ...(q.productId ? [eb.and([eb('scope', '=', 'product'), eb('scope_id', '=', q.productId)])] : []),
        ...(q.campaignId ? [eb.and([eb('scope', '=', 'campaign'), eb('scope_id', '=', q.campaignId)])] : []),
      ]),
    )
    .execute();
  const rank = { campaign: 0, product: 1, default: 2 } as const;
  return rows.sort((a, b) => rank[a.scope] - rank[b.scope])[0];
}

export async function productSettings(db: Executor, productId: string) {
  return db.selectFrom('notify_product_settings').selectAll().where('product_id', '=', productId).executeTakeFirst();
}

/** Housekeeping: phone codes a day past their expiry, and frequency counters of days gone by. */
export async function pruneNotify(db: Executor): Promise<void> {
  await sql`DELETE FROM notify_phone_codes WHERE expires_at < now() - interval '1 day'`.execute(db);
  await sql`DELETE FROM notify_caps WHERE day < (now() - interval '2 days')::date`.execute(db);
}
