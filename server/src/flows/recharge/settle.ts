import type { AppContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/db.ts';
import { completeRechargeGrant, failRechargeGrant, grantAsClientSees } from '../../modules/grants/index.ts';
import {
  addAttemptWithJob,
  getOrder,
  moveAttempt,
  moveOrder,
  triedSuppliers,
  type AttemptPatch,
  type AttemptRow,
} from '../../modules/recharges/index.ts';
import type { RechargePorts } from './ports.ts';

// What follows when an attempt reaches a final state, in the transaction that moves it: the order, the
// grant and the client's webhook event change together or not at all.

export const FAILURE_MESSAGES = {
  recharge_account_invalid: 'The supplier refused the account (4001): check the phone number or platform uid.',
  recharge_unavailable: 'No supplier could perform the recharge.',
} as const;

async function grantEvent(ctx: AppContext, ports: RechargePorts, tx: Tx, grantId: string, type: 'grant.redeemed' | 'grant.failed') {
  const g = await grantAsClientSees(tx, ctx.config.publicUrl, ctx.secrets, grantId);
  if (g) await ports.recordEvent(tx, { type, clientId: g.clientId, subjectId: grantId, data: g.grant });
}

/**
 * The attempt succeeded: the order and the grant follow. False when the attempt could not move (it is final
 * already: a late or repeated report changes nothing). The partial unique index refuses a second success
 * of the order with a unique violation, which aborts the caller's transaction.
 */
export async function settleSuccess(ctx: AppContext, ports: RechargePorts, tx: Tx, attempt: AttemptRow, patch: AttemptPatch): Promise<boolean> {
  const moved = await moveAttempt(tx, attempt.id, 'succeed', patch);
  if (!moved) return false;
  const order = await getOrder(tx, attempt.order_id);
  if (order && (await moveOrder(tx, order.id, 'succeed'))) {
    if (await completeRechargeGrant(tx, order.grant_id)) await grantEvent(ctx, ports, tx, order.grant_id, 'grant.redeemed');
  }
  return true;
}

/** Ends the order and the grant as failed. */
export async function failOrder(ctx: AppContext, ports: RechargePorts, tx: Tx, orderId: string, code: keyof typeof FAILURE_MESSAGES): Promise<void> {
  const order = await getOrder(tx, orderId);
  if (!order) return;
  const failure = { code, message: FAILURE_MESSAGES[code] };
  if (await moveOrder(tx, order.id, 'fail', failure)) {
    if (await failRechargeGrant(tx, order.grant_id, failure)) await grantEvent(ctx, ports, tx, order.grant_id, 'grant.failed');
  }
}

/**
 * The attempt ended without a recharge (`fail`: the supplier's order failed; `reject`: no order was made).
 * The next supplier in the product's list that this order has not tried gets a new attempt and its job;
 * when there is none the grant fails. An account error fails the grant at once.
 */
export async function settleFailure(
  ctx: AppContext,
  ports: RechargePorts,
  tx: Tx,
  attempt: AttemptRow,
  event: 'fail' | 'reject',
  patch: AttemptPatch,
  opts: { accountInvalid?: boolean } = {},
): Promise<AttemptRow | false> {
  const moved = await moveAttempt(tx, attempt.id, event, patch);
  if (!moved) return false;
  if (opts.accountInvalid) {
    await failOrder(ctx, ports, tx, attempt.order_id, 'recharge_account_invalid');
    return moved;
  }
  const order = await getOrder(tx, attempt.order_id);
  if (!order || order.status !== 'processing') return moved;
  const tried = new Set(await triedSuppliers(tx, order.id));
  const next = (await ports.supplierRoute(tx, order.product_id)).find((r) => !tried.has(r.supplierId));
  if (next) {
    await addAttemptWithJob(tx, order.id, { supplierId: next.supplierId, supplierProductId: next.supplierProductId, unitCostFen: next.unitCostFen });
  } else {
    await failOrder(ctx, ports, tx, order.id, 'recharge_unavailable');
  }
  return moved;
}
