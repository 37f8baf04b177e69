import { sql } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import { attemptMachine } from './recharge.machine.ts';

// What reconciliation (modules/procurement via flows/reconcile) needs from this module: the attempts of one
// supplier that a bill may name, and those that succeeded within a time range (a China-time day). Read-only.

export interface ReconcilableAttempt {
  id: string;
  customer_order_no: string;
  supplier_order_id: string | null;
  state: string;
  unit_cost_fen: number;
  finished_at: Date | null;
}

export async function attemptsForReconciliation(
  db: Executor,
  supplierId: string,
  q: { customerOrderNos: string[]; supplierOrderIds: string[]; from: Date; to: Date },
): Promise<ReconcilableAttempt[]> {
  const r = await sql<ReconcilableAttempt>`
    SELECT id, customer_order_no, supplier_order_id, state, unit_cost_fen, finished_at
      FROM recharge_attempts
     WHERE supplier_id = ${supplierId}
       AND (customer_order_no = ANY(${q.customerOrderNos}::text[]) OR supplier_order_id = ANY(${q.supplierOrderIds}::text[])
            OR (state = ${attemptMachine.targetOf('succeed')} AND finished_at >= ${q.from} AND finished_at < ${q.to}))`.execute(db);
  return r.rows.map((x) => ({ ...x, unit_cost_fen: Number(x.unit_cost_fen) }));
}
