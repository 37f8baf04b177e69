import { defineMachine } from '../../platform/state-machine.ts';
import { remoteOrderMachine, type RemoteOrderEvent, type RemoteOrderState } from '../suppliers/index.ts';

// The recharge state machines of DESIGN §11 — binding. Every UPDATE of a status in this module is guarded
// by `sourcesOf(event)` of one of these tables.

// An attempt is one order at one supplier: the suppliers' table of an order placed there, binding.
export type AttemptState = RemoteOrderState;
export type AttemptEvent = RemoteOrderEvent;
export const attemptMachine = remoteOrderMachine('recharge_attempt');

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
