import { defineMachine } from '../../platform/state-machine.ts';

// The purchase order's states (issue 5 §2, buying codes): the same discipline as a recharge attempt
// (DESIGN §11). A lost answer is `unknown` and is resolved only by querying the supplier; a repeated
// "no such order" leads to the same customer_order_no again (the supplier deduplicates with 2002). Every
// UPDATE of `purchase_orders.state` is guarded by `sourcesOf(event)`.
export type PurchaseState = 'created' | 'submitting' | 'accepted' | 'unknown' | 'succeeded' | 'failed' | 'rejected';
export type PurchaseEvent =
  /** the request is about to leave (committed before the call) */
  | 'submit'
  /** after repeated 2001 over the configured time: the same customer_order_no again */
  | 'resubmit'
  /** the supplier has the order */
  | 'accept'
  /** 3001–3004, 5000 (no order was created) */
  | 'reject'
  /** timeout or network error, or found `submitting` after a crash */
  | 'lose'
  /** the supplier's order is `success` and its codes are stored */
  | 'succeed'
  /** a query found the order `failed` */
  | 'fail';

export const purchaseMachine = defineMachine<PurchaseState, PurchaseEvent>(
  'purchase_order',
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

/** A purchase order in one of these may still bring codes: no second one for its product. */
export const OPEN_PURCHASE_STATES: PurchaseState[] = purchaseMachine.states.filter((s) => !purchaseMachine.isFinal(s));
