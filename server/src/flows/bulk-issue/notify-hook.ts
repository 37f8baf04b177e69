import type { AppContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/db.ts';

// THE hook where bulk issuance meets notifications (issue 7 §4, built separately): called once per row
// that became issued in a run whose `notify` is set, inside the transaction that records the row, so a
// notification job enqueued here is durable exactly when the row's outcome is. Rows replayed after a crash
// reach it once: only rows that moved from pending are passed. Until the notify module is wired in, it
// does nothing (the option is stored on the run and shown).
export interface RowIssued {
  runId: string;
  rowNo: number;
  clientId: string;
  grantId: string;
  channel: 'sms' | 'email';
}

export type RowIssuedHandler = (tx: Tx, ctx: AppContext, rows: RowIssued[]) => Promise<void>;

let handler: RowIssuedHandler | null = null;

/** The notify module (or the lead's wiring) registers what happens per issued row. */
export function setRowIssuedHandler(h: RowIssuedHandler | null): void {
  handler = h;
}

export async function onRowIssued(tx: Tx, ctx: AppContext, rows: RowIssued[]): Promise<void> {
  if (handler && rows.length) await handler(tx, ctx, rows);
}
