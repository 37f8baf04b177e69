import type { AppContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/db.ts';
import { grantRecipients } from '../../modules/grants/index.ts';
import { enqueueNotification } from '../../modules/notify/index.ts';

// Where bulk issuance meets notifications (issue 7 §3–4): called for the rows that just became issued in a
// run whose `notify` is set, inside the transaction that records them, so each message is durable exactly
// when its row's outcome is. Rows replayed after a crash reach it once (only rows that moved from pending are
// passed), and each message's dedupe key (run, row, channel) makes even a second call send nothing more.
// The message is the product's (or the default) `grant.issued` template: the redeem link, never the code.
// A recipient reached by phone also gets it in their in-app inbox (我的权益). A row whose recipient has no
// contact for the chosen channel gets no message.
export interface RowIssued {
  runId: string;
  rowNo: number;
  clientId: string;
  grantId: string;
  channel: 'sms' | 'email';
}

export async function onRowIssued(tx: Tx, ctx: AppContext, rows: RowIssued[]): Promise<void> {
  if (!rows.length) return;
  const recipients = new Map((await grantRecipients(ctx, tx, rows.map((r) => r.grantId))).map((g) => [g.id, g]));
  for (const r of rows) {
    const g = recipients.get(r.grantId);
    if (!g) continue;
    const base = { event: 'grant.issued' as const, grantId: g.id, productId: g.product_id, createdBy: `bulk:${r.runId}` };
    const key = `bulk:${r.runId}:${r.rowNo}`;
    if (r.channel === 'email' && g.email) await enqueueNotification(ctx, tx, { ...base, channel: 'email', email: g.email, dedupeKey: `${key}:email` });
    if (g.phone) {
      if (r.channel === 'sms') await enqueueNotification(ctx, tx, { ...base, channel: 'sms', phone: g.phone, dedupeKey: `${key}:sms` });
      await enqueueNotification(ctx, tx, { ...base, channel: 'inapp', phone: g.phone, dedupeKey: `${key}:inapp` });
    }
  }
}
