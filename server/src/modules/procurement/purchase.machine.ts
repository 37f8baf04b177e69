import { remoteOrderMachine, type RemoteOrderEvent, type RemoteOrderState } from '../suppliers/index.ts';

// The purchase order's states (issue 5 §2, buying codes): an order placed at a supplier, on the suppliers'
// table (DESIGN §11) like a recharge attempt. Every UPDATE of `purchase_orders.state` is guarded by
// `sourcesOf(event)`.
export type PurchaseState = RemoteOrderState;
export type PurchaseEvent = RemoteOrderEvent;
export const purchaseMachine = remoteOrderMachine('purchase_order');

/** A purchase order in one of these may still bring codes: no second one for its product. */
export const OPEN_PURCHASE_STATES: PurchaseState[] = purchaseMachine.states.filter((s) => !purchaseMachine.isFinal(s));
