import type { AppContext } from '../../platform/context.ts';
import { DEFAULT_TEMPLATES, render, type NotifyEvent } from './notify.templates.ts';

// In-app messages (站内信) of one recipient, for 我的权益: the sent in-app messages to a phone fingerprint,
// newest first, with their text (sealed at rest) and read state.
export interface InboxMessage {
  id: string;
  event: string;
  grant_id: string | null;
  title: string;
  body: string;
  read: boolean;
  created_at: string;
}

export async function inboxFor(ctx: AppContext, phoneFingerprint: Buffer, opts: { limit?: number } = {}): Promise<InboxMessage[]> {
  const rows = await ctx.db
    .selectFrom('notify_messages')
    .select(['id', 'event', 'grant_id', 'body_enc', 'read_at', 'created_at', 'product_id'])
    .where('recipient_fp', '=', phoneFingerprint)
    .where('channel', '=', 'inapp')
    .where('status', '=', 'sent')
    .orderBy('id', 'desc')
    .limit(Math.min(opts.limit ?? 50, 200))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    event: r.event,
    grant_id: r.grant_id,
    // the title is not secret: the default subject of the event, without variables
    title: render(DEFAULT_TEMPLATES[r.event as NotifyEvent]?.inapp.subject ?? '', {}).trim() || r.event,
    body: r.body_enc ? ctx.secrets.openPii(Buffer.from(r.body_enc), 'notify-body:' + r.id) : '',
    read: r.read_at !== null,
    created_at: r.created_at.toISOString(),
  }));
}

/** Marks in-app messages of this recipient read; ids of other recipients are ignored. */
export async function markInboxRead(ctx: AppContext, phoneFingerprint: Buffer, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const r = await ctx.db.updateTable('notify_messages').set({ read_at: new Date() }).where('recipient_fp', '=', phoneFingerprint).where('channel', '=', 'inapp').where('id', 'in', ids).where('read_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
