import type { Executor } from '../../platform/db/db.ts';
import { attemptsOf, eventsOf, getOrder, getOrderByGrant, rdb, type AttemptRow, type OrderRow } from './recharges.repo.ts';

// What the admin console shows of a recharge order: the order, every attempt, and every submit, callback,
// query and manual resolve with its time. The account only masked.
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function attemptView(a: AttemptRow) {
  return {
    id: a.id,
    attempt_no: a.attempt_no,
    customer_order_no: a.customer_order_no,
    supplier_id: a.supplier_id,
    supplier_product_id: a.supplier_product_id,
    unit_cost_fen: a.unit_cost_fen,
    state: a.state,
    supplier_state: a.supplier_state,
    supplier_order_id: a.supplier_order_id,
    price_fen: a.price_fen,
    submits: a.submits,
    polls: a.polls,
    result_code: a.result_code,
    result_message: a.result_message,
    created_at: iso(a.created_at),
    submitted_at: iso(a.submitted_at),
    finished_at: iso(a.finished_at),
  };
}

function orderSummary(o: OrderRow) {
  return {
    id: o.id,
    grant_id: o.grant_id,
    client_id: o.client_id,
    product_id: o.product_id,
    account: o.account_masked,
    status: o.status,
    failure: o.failure_code ? { code: o.failure_code, message: o.failure_message ?? '' } : null,
    created_at: iso(o.created_at),
    finished_at: iso(o.finished_at),
  };
}

export type RechargeOrderView = ReturnType<typeof orderSummary> & { attempts: ReturnType<typeof attemptView>[]; events: unknown[] };

/** An order by its id (rco_…) or its grant's id (grt_…), with attempts and events; null when unknown. */
export async function rechargeView(db: Executor, id: string): Promise<RechargeOrderView | null> {
  const order = id.startsWith('grt_') ? await getOrderByGrant(db, id) : await getOrder(db, id);
  if (!order) return null;
  const [attempts, events] = await Promise.all([attemptsOf(db, order.id), eventsOf(db, order.id)]);
  return {
    ...orderSummary(order),
    attempts: attempts.map(attemptView),
    events: events.map((e) => ({
      id: Number(e.id),
      at: iso(e.created_at),
      kind: e.kind,
      attempt_id: e.attempt_id,
      supplier_id: e.supplier_id,
      outcome: e.outcome,
      supplier_code: e.supplier_code,
      actor: e.actor,
      detail: e.detail,
    })),
  };
}

export async function listRechargeOrders(db: Executor, q: { limit?: number; cursor?: string; status?: string; product?: string; supplier?: string; created_from?: string; created_to?: string }) {
  const limit = q.limit ?? 50;
  let query = rdb(db).selectFrom('recharge_orders').selectAll().orderBy('id', 'desc').limit(limit + 1);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  if (q.status) query = query.where('status', '=', q.status as never);
  if (q.product) query = query.where('product_id', '=', q.product);
  // an order belongs to every supplier it was tried at (failover moves it on)
  if (q.supplier) {
    const supplier = q.supplier;
    query = query.where((eb) => eb.exists(eb.selectFrom('recharge_attempts as a').select('a.id').whereRef('a.order_id', '=', 'recharge_orders.id').where('a.supplier_id', '=', supplier)));
  }
  if (q.created_from) query = query.where('created_at', '>=', new Date(q.created_from));
  if (q.created_to) query = query.where('created_at', '<', new Date(q.created_to));
  const rows = (await query.execute()) as OrderRow[];
  const data = rows.slice(0, limit).map(orderSummary);
  return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
}
