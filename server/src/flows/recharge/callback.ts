import type { AppContext } from '../../platform/context.ts';
import { attemptMachine, attemptWithClient, enqueueConfirm, logEvent, type AttemptPatch, type AttemptRow } from '../../modules/recharges/index.ts';
import { applyFirstSuccess } from './callback-batch.ts';
import type { RechargePorts } from './ports.ts';
import { settleSuccess } from './settle.ts';

// A supplier's callback (DESIGN §11). Verified with the supplier's adapter and credentials, recorded in the
// attempt's event log in the same transaction as whatever it changes, and answered `success` even when it
// changes nothing — late, repeated or contradicting callbacks are facts worth keeping, not errors.
// A `success` finishes a live attempt. A `failed` does not count on its own (a late `failed` can overtake a
// lost `success`): it asks for a query, whose answer decides.
export type CallbackOutcome =
  | { kind: 'recorded'; outcome: string }
  | { kind: 'unknown_supplier' }
  | { kind: 'bad_signature'; reason: string };

export async function handleSupplierCallback(ctx: AppContext, ports: RechargePorts, supplierId: string, rawBody: string): Promise<CallbackOutcome> {
  const conn = await ports.supplierConnection(ctx, supplierId);
  if (!conn) return { kind: 'unknown_supplier' };
  const v = conn.adapter.verifyCallback(conn.creds, rawBody);
  if (!v.ok) return { kind: 'bad_signature', reason: v.reason };
  const cb = v.callback;
  const detail = {
    status: cb.status,
    customer_order_no: cb.customerOrderNo,
    supplier_order_id: cb.orderId,
    price_fen: cb.priceFen,
    finished_at: cb.finishedAt,
    description: cb.description.slice(0, 200),
    operator_serial_number: cb.operatorSerialNumber,
  };
  const patch: AttemptPatch = { supplier_order_id: String(detail.supplier_order_id), price_fen: Number(detail.price_fen), supplier_state: 'success' };
  // the common case — the first `success` of a live attempt whose client hears nothing of it — in one
  // statement with other callbacks of the moment; everything else (and that case when the statement finds
  // otherwise) takes the careful path
  if (cb.status === 'success') {
    const first = { supplierId, customerOrderNo: cb.customerOrderNo, supplierOrderId: patch.supplier_order_id!, priceFen: patch.price_fen!, detail };
    if (await applyFirstSuccess(ctx, first)) return { kind: 'recorded', outcome: 'applied' };
  }
  const attempt = await attemptWithClient(ctx.db, supplierId, cb.customerOrderNo);
  const settle = () => record(ctx, ports, supplierId, attempt, cb.status, detail, patch);
  const outcome = await settle().catch(async (e) => {
    // a second success of one order is refused by the database (the unique index): keep the fact, change nothing
    if ((e as { code?: string }).code !== '23505') throw e;
    await logEvent(ctx.db, { orderId: attempt?.order_id ?? null, attemptId: attempt?.id ?? null, supplierId, kind: 'callback', detail, outcome: 'refused:second_success' });
    return 'refused:second_success';
  });
  return { kind: 'recorded', outcome };
}

async function record(ctx: AppContext, ports: RechargePorts, supplierId: string, attempt: AttemptRow | undefined, status: 'success' | 'failed', detail: Record<string, unknown>, patch: AttemptPatch): Promise<string> {
  const cb = { status };
  return ctx.db.transaction().execute(async (tx) => {
    const base = { orderId: attempt?.order_id ?? null, attemptId: attempt?.id ?? null, supplierId, kind: 'callback' as const, detail };
    if (!attempt) {
      await logEvent(tx, { ...base, outcome: 'unknown_order' });
      return 'unknown_order';
    }
    let outcome: string;
    if (attemptMachine.isFinal(attempt.state)) {
      // sticky: a late or repeated callback is kept and changes nothing
      outcome = attempt.state === (cb.status === 'success' ? 'succeeded' : 'failed') ? 'repeated' : 'ignored:' + attempt.state;
    } else if (cb.status === 'success') {
      const moved = await settleSuccess(ctx, ports, tx, attempt, patch);
      outcome = moved ? 'applied' : 'ignored';
    } else {
      await enqueueConfirm(tx, attempt.id);
      outcome = 'confirming';
    }
    await logEvent(tx, { ...base, outcome });
    return outcome;
  });
}
