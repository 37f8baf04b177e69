import { defineMachine } from '../../platform/state-machine.ts';

// The recharge state machines of DESIGN §11 — binding. Every UPDATE of a status in this module is guarded
// by `sourcesOf(event)` of one of these tables.

export type AttemptState = 'created' | 'submitting' | 'accepted' | 'unknown' | 'succeeded' | 'failed' | 'rejected';
export type AttemptEvent =
  /** the request is about to leave (written and committed before the call) */
  | 'submit'
  /** after repeated 2001 ("no such order") over at least a minute: the same customer_order_no again */
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

export const attemptMachine = defineMachine<AttemptState, AttemptEvent>(
  'recharge_attempt',
  {
    created: { submit: 'submitting', reject: 'rejected' },
    // a callback or query may overtake the submit's own answer, so success and failure apply here too
    submitting: { accept: 'accepted', reject: 'rejected', lose: 'unknown', succeed: 'succeeded', fail: 'failed' },
    accepted: { succeed: 'succeeded', fail: 'failed' },
    unknown: { accept: 'accepted', resubmit: 'submitting', succeed: 'succeeded', fail: 'failed' },
    succeeded: {},
    failed: {},
    rejected: {},
  },
  ['submit', 'resubmit', 'accept', 'reject', 'lose', 'succeed', 'fail'],
);

/** An attempt in one of these may still turn into a recharge: no other attempt of its order may start. */
export const LIVE_ATTEMPT_STATES: AttemptState[] = attemptMachine.states.filter((s) => !attemptMachine.isFinal(s));

export type OrderStatus = 'processing' | 'succeeded' | 'failed';
export type OrderEvent = 'succeed' | 'fail';

export const orderMachine = defineMachine<OrderStatus, OrderEvent>(
  'recharge_order',
  {
    processing: { succeed: 'succeeded', fail: 'failed' },
    succeeded: {},
    failed: {},
  },
  ['succeed', 'fail'],
);
