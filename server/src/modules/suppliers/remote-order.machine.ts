import type { Generated } from 'kysely';
import { defineMachine } from '../../platform/state-machine.ts';

// An order we place at a supplier (DESIGN §11) — a recharge attempt, a purchase of codes — moves through one
// table, whoever owns the row. A lost answer (timeout, network error, or found `submitting` after a crash)
// is `unknown` and is resolved only by querying the supplier, never by assuming failure; after repeated
// "no such order" (2001) the same customer_order_no goes again (`resubmit`; the supplier deduplicates with
// 2002). A callback or query may overtake the submit's own answer, so success and failure apply to
// `submitting` too. Each owner defines its machine from this table under its own name.
export type RemoteOrderState = 'created' | 'submitting' | 'accepted' | 'unknown' | 'succeeded' | 'failed' | 'rejected';
export type RemoteOrderEvent =
  /** the request is about to leave (written and committed before the call) */
  | 'submit'
  /** after repeated 2001 ("no such order") over the configured time: the same customer_order_no again */
  | 'resubmit'
  /** the supplier has the order (answer to the submit, a query, or 2002 on a resubmission) */
  | 'accept'
  /** 3001–3004, 5000 or the circuit is open: no order was created */
  | 'reject'
  /** timeout or network error, or found `submitting` after a crash: the request may have left */
  | 'lose'
  /** a verified success callback, a query that found `success`, or a manual resolve */
  | 'succeed'
  /** a query (never a callback alone) that found `failed`, or a manual resolve */
  | 'fail';

export function remoteOrderMachine(name: string) {
  return defineMachine<RemoteOrderState, RemoteOrderEvent>(
    name,
    {
      created: { submit: 'submitting', reject: 'rejected' },
      submitting: { accept: 'accepted', reject: 'rejected', lose: 'unknown', succeed: 'succeeded', fail: 'failed' },
      accepted: { succeed: 'succeeded', fail: 'failed' },
      unknown: { accept: 'accepted', resubmit: 'submitting', succeed: 'succeeded', fail: 'failed' },
      succeeded: {},
      failed: {},
      rejected: {},
    },
    ['submit', 'resubmit', 'accept', 'reject', 'lose', 'succeed', 'fail'],
  );
}

/** The columns every table of orders placed at a supplier carries (recharge attempts, purchase orders). */
export interface RemoteOrderColumns<S extends RemoteOrderState = RemoteOrderState> {
  state: Generated<S>;
  supplier_state: string | null;
  supplier_order_id: string | null;
  price_fen: number | null;
  submits: Generated<number>;
  polls: Generated<number>;
  not_found_count: Generated<number>;
  not_found_since: Date | null;
  result_code: number | null;
  result_message: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  submitted_at: Date | null;
  finished_at: Date | null;
}
