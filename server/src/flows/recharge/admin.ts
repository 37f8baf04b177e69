import type { AppContext } from '../../platform/context.ts';
import { fail, notFound } from '../../platform/errors.ts';
import { appendAudit } from '../../modules/audit/index.ts';
import { attemptMachine, attemptsOf, getOrder, getOrderByGrant, logEvent, rechargeView, type AttemptRow } from '../../modules/recharges/index.ts';
import { queryAndApply } from './fulfil.ts';
import type { RechargePorts } from './ports.ts';
import { settleFailure, settleSuccess } from './settle.ts';

// What an operator can do to a recharge order: query the supplier now, or resolve an `unknown` attempt by
// hand (after checking with the supplier out of band) — with a reason, audited, in the transaction that
// applies it.

async function liveAttempt(ctx: AppContext, id: string): Promise<{ orderId: string; attempt: AttemptRow | undefined }> {
  const order = id.startsWith('grt_') ? await getOrderByGrant(ctx.db, id) : await getOrder(ctx.db, id);
  if (!order) throw notFound('Recharge order', id);
  const attempts = await attemptsOf(ctx.db, order.id);
  return { orderId: order.id, attempt: attempts.find((a) => !attemptMachine.isFinal(a.state)) };
}

export async function queryNow(ctx: AppContext, ports: RechargePorts, id: string, actor: string) {
  const { orderId, attempt } = await liveAttempt(ctx, id);
  if (attempt && attempt.state !== 'created' && attempt.state !== 'submitting') await queryAndApply(ctx, ports, attempt, actor);
  return (await rechargeView(ctx.db, orderId))!;
}

export async function resolveByHand(ctx: AppContext, ports: RechargePorts, input: { id: string; outcome: 'succeeded' | 'failed'; reason: string; actor: string }) {
  const { orderId, attempt } = await liveAttempt(ctx, input.id);
  if (!attempt || attempt.state !== 'unknown') {
    throw fail('recharge_not_unknown', `Recharge order ${orderId} has no attempt in state unknown${attempt ? ` (attempt ${attempt.attempt_no} is ${attempt.state})` : ''}.`);
  }
  await ctx.db.transaction().execute(async (tx) => {
    const patch = { result_message: `resolved by hand: ${input.reason}`.slice(0, 500) };
    const moved = input.outcome === 'succeeded' ? await settleSuccess(ctx, ports, tx, attempt, patch) : await settleFailure(ctx, ports, tx, attempt, 'fail', patch);
    if (!moved) throw fail('recharge_not_unknown', `Attempt ${attempt.customer_order_no} moved meanwhile.`);
    await logEvent(tx, { orderId, attemptId: attempt.id, supplierId: attempt.supplier_id, kind: 'resolve', outcome: input.outcome, actor: input.actor, detail: { reason: input.reason } });
    await appendAudit(tx, {
      actor: input.actor,
      action: 'recharge.resolve',
      target: orderId,
      details: { attempt: attempt.customer_order_no, supplier_id: attempt.supplier_id, outcome: input.outcome, reason: input.reason },
    });
  });
  return (await rechargeView(ctx.db, orderId))!;
}
