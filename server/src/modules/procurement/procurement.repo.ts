import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
import type { RemoteOrderColumns } from '../suppliers/index.ts';
import type { Executor } from '../../platform/db/db.ts';
import { purchaseMachine, type PurchaseEvent, type PurchaseState } from './purchase.machine.ts';
import { textArray } from '../../platform/db/literals.ts';

// SQL for this module's tables only (procurement_settings, purchase_orders, purchase_events, supplier_bills,
// supplier_bill_lines). Every state change of a purchase order goes through `movePurchase`, guarded by the
// machine's `sourcesOf(event)`.

export interface ProcurementSettingsTable {
  product_id: string;
  reorder_quantity: number;
  enabled: Generated<boolean>;
  updated_by: Generated<string>;
  updated_at: Generated<Date>;
}

export interface PurchaseOrdersTable extends RemoteOrderColumns<PurchaseState> {
  id: string;
  product_id: string;
  supplier_id: string;
  supplier_product_id: string;
  quantity: number;
  unit_cost_fen: number;
  reason: 'safety_stock' | 'manual';
  batch_id: string | null;
  received_count: number | null;
  created_by: Generated<string>;
}

export interface PurchaseEventsTable {
  id: Generated<number>;
  purchase_id: string;
  kind: 'submit' | 'query' | 'recover' | 'store';
  outcome: string;
  supplier_code: number | null;
  detail: string;
  created_at: Generated<Date>;
}

export interface SupplierBillsTable {
  id: string;
  supplier_id: string;
  day: string;
  source: 'upload' | 'fetch';
  line_count: number;
  imported_by: string;
  imported_at: Generated<Date>;
}

export interface SupplierBillLinesTable {
  bill_id: string;
  line_no: number;
  supplier_order_id: string;
  customer_order_no: string;
  supplier_product_id: string;
  account_masked: string | null;
  buy_num: number;
  price_fen: number;
  order_state: string;
  finished_at: string | null;
}

export type ProcurementTables = {
  procurement_settings: ProcurementSettingsTable;
  purchase_orders: PurchaseOrdersTable;
  purchase_events: PurchaseEventsTable;
  supplier_bills: SupplierBillsTable;
  supplier_bill_lines: SupplierBillLinesTable;
};

/** The shared executor seen with this module's tables. */
export const pdb = (db: Executor) => (db as unknown as Kysely<object>).withTables<ProcurementTables>() as Kysely<ProcurementTables> | Transaction<ProcurementTables>;

export interface PurchaseRow {
  id: string;
  product_id: string;
  supplier_id: string;
  supplier_product_id: string;
  quantity: number;
  unit_cost_fen: number;
  reason: 'safety_stock' | 'manual';
  state: PurchaseState;
  supplier_state: string | null;
  supplier_order_id: string | null;
  price_fen: number | null;
  submits: number;
  polls: number;
  not_found_count: number;
  not_found_since: Date | null;
  result_code: number | null;
  result_message: string | null;
  batch_id: string | null;
  received_count: number | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
  finished_at: Date | null;
}

const out = (r: unknown): PurchaseRow => {
  const row = r as Record<string, unknown>;
  for (const k of ['unit_cost_fen', 'price_fen']) if (row[k] !== null && row[k] !== undefined) row[k] = Number(row[k]);
  return row as unknown as PurchaseRow;
};

// ---- settings

export interface SettingRow {
  product_id: string;
  reorder_quantity: number;
  enabled: boolean;
  updated_by: string;
  updated_at: Date;
}

export async function upsertSetting(db: Executor, s: { productId: string; reorderQuantity: number; enabled: boolean; actor: string }): Promise<SettingRow> {
  const r = await sql<SettingRow>`
    INSERT INTO procurement_settings (product_id, reorder_quantity, enabled, updated_by)
    VALUES (${s.productId}, ${s.reorderQuantity}, ${s.enabled}, ${s.actor})
    ON CONFLICT (product_id) DO UPDATE SET reorder_quantity = EXCLUDED.reorder_quantity, enabled = EXCLUDED.enabled,
           updated_by = EXCLUDED.updated_by, updated_at = now()
    RETURNING *`.execute(db);
  return r.rows[0];
}

export async function getSetting(db: Executor, productId: string): Promise<SettingRow | undefined> {
  return (await pdb(db).selectFrom('procurement_settings').selectAll().where('product_id', '=', productId).executeTakeFirst()) as SettingRow | undefined;
}

export async function enabledSettings(db: Executor): Promise<SettingRow[]> {
  return (await pdb(db).selectFrom('procurement_settings').selectAll().where('enabled', '=', true).orderBy('product_id').execute()) as SettingRow[];
}

export async function listSettings(db: Executor): Promise<SettingRow[]> {
  return (await pdb(db).selectFrom('procurement_settings').selectAll().orderBy('product_id').execute()) as SettingRow[];
}

// ---- purchase orders

export interface NewPurchase {
  id: string;
  productId: string;
  supplierId: string;
  supplierProductId: string;
  quantity: number;
  unitCostFen: number;
  reason: 'safety_stock' | 'manual';
  actor: string;
}

/**
 * Inserts a purchase order unless the product has an open one (the partial unique index decides, also
 * between concurrent transactions on PostgreSQL). Answers the new row, or null when one is open.
 */
export async function insertPurchaseIfNoneOpen(db: Executor, p: NewPurchase): Promise<PurchaseRow | null> {
  const r = await sql`
    INSERT INTO purchase_orders (id, product_id, supplier_id, supplier_product_id, quantity, unit_cost_fen, reason, created_by)
    VALUES (${p.id}, ${p.productId}, ${p.supplierId}, ${p.supplierProductId}, ${p.quantity}, ${p.unitCostFen}, ${p.reason}, ${p.actor})
    -- the predicate names the partial unique index's own (migration 012): index inference needs it literally;
    -- purchase.machine.test.ts checks it lists exactly the open states
    ON CONFLICT (product_id) WHERE state IN ('created', 'submitting', 'accepted', 'unknown') DO NOTHING
    RETURNING *`.execute(db);
  return r.rows[0] ? out(r.rows[0]) : null;
}

/**
 * Suppliers that refused a purchase of this product (no order was made: product unavailable, balance short,
 * channel closed) since `since`: the next purchase goes to the next supplier in the list instead.
 */
export async function suppliersThatRefused(db: Executor, productId: string, since: Date): Promise<string[]> {
  const rows = await pdb(db)
    .selectFrom('purchase_orders')
    .select('supplier_id')
    .distinct()
    .where('product_id', '=', productId)
    .where('state', '=', purchaseMachine.targetOf('reject'))
    .where('finished_at', '>=', since)
    .execute();
  return rows.map((r) => r.supplier_id);
}

export async function openPurchaseOf(db: Executor, productId: string): Promise<PurchaseRow | undefined> {
  const r = await pdb(db)
    .selectFrom('purchase_orders')
    .selectAll()
    .where('product_id', '=', productId)
    .where('state', 'in', purchaseMachine.states.filter((s) => !purchaseMachine.isFinal(s)))
    .executeTakeFirst();
  return r ? out(r) : undefined;
}

export async function getPurchase(db: Executor, id: string): Promise<PurchaseRow | undefined> {
  const r = await pdb(db).selectFrom('purchase_orders').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? out(r) : undefined;
}

export async function listPurchases(db: Executor, q: { productId?: string; state?: string; limit: number; cursor?: string }): Promise<PurchaseRow[]> {
  let s = pdb(db).selectFrom('purchase_orders').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.productId) s = s.where('product_id', '=', q.productId);
  if (q.state) s = s.where('state', '=', q.state as PurchaseState);
  if (q.cursor) s = s.where('id', '<', q.cursor);
  return (await s.execute()).map(out);
}

export type PurchasePatch = Partial<Pick<PurchaseRow, 'supplier_state' | 'supplier_order_id' | 'price_fen' | 'result_code' | 'result_message' | 'batch_id' | 'received_count'>> & {
  submitted?: boolean;
};

/** Moves a purchase order by `event` if its state allows it; null when it was elsewhere already. */
export async function movePurchase(db: Executor, id: string, event: PurchaseEvent, patch: PurchasePatch = {}): Promise<PurchaseRow | null> {
  const to = purchaseMachine.targetOf(event);
  const final = purchaseMachine.isFinal(to);
  const keep = (col: string, v: unknown) => (v === undefined ? sql.ref(col) : sql`${v}`);
  const r = await sql`
    UPDATE purchase_orders SET state = ${to}, updated_at = now(),
           supplier_state = ${keep('supplier_state', patch.supplier_state)},
           supplier_order_id = COALESCE(${patch.supplier_order_id ?? null}, supplier_order_id),
           price_fen = COALESCE(${patch.price_fen ?? null}::bigint, price_fen),
           result_code = ${keep('result_code', patch.result_code)},
           result_message = ${keep('result_message', patch.result_message)},
           batch_id = COALESCE(${patch.batch_id ?? null}, batch_id),
           received_count = COALESCE(${patch.received_count ?? null}::int, received_count),
           submits = submits + ${patch.submitted ? 1 : 0},
           submitted_at = ${patch.submitted ? sql`now()` : sql`submitted_at`},
           not_found_count = ${event === 'resubmit' || event === 'accept' ? 0 : sql`not_found_count`},
           not_found_since = ${event === 'resubmit' || event === 'accept' ? null : sql`not_found_since`},
           finished_at = ${final ? sql`now()` : sql`finished_at`}
     WHERE id = ${id} AND state = ANY(${textArray(purchaseMachine.sourcesOf(event))})
    RETURNING *`.execute(db);
  return r.rows[0] ? out(r.rows[0]) : null;
}

/** Notes what a query found without a change of state. */
export async function notePurchasePoll(db: Executor, id: string, found: { supplierState?: string; notFound?: boolean }): Promise<void> {
  await sql`
    UPDATE purchase_orders SET polls = polls + 1, updated_at = now(),
           supplier_state = COALESCE(${found.supplierState ?? null}, supplier_state),
           not_found_count = CASE WHEN ${Boolean(found.notFound)} THEN not_found_count + 1 ELSE 0 END,
           not_found_since = CASE WHEN ${Boolean(found.notFound)} THEN COALESCE(not_found_since, now()) ELSE NULL END
     WHERE id = ${id}`.execute(db);
}

/** Facts only: never a code, a credential or a signature. */
export async function logPurchaseEvent(db: Executor, e: { purchaseId: string; kind: PurchaseEventsTable['kind']; outcome: string; supplierCode?: number | null; detail?: Record<string, unknown> }) {
  await pdb(db)
    .insertInto('purchase_events')
    .values({ purchase_id: e.purchaseId, kind: e.kind, outcome: e.outcome, supplier_code: e.supplierCode ?? null, detail: JSON.stringify(e.detail ?? {}) })
    .execute();
}

export async function purchaseEvents(db: Executor, purchaseIds: string[]) {
  if (purchaseIds.length === 0) return [];
  return pdb(db).selectFrom('purchase_events').selectAll().where('purchase_id', 'in', purchaseIds).orderBy('id').execute();
}

/** Purchase orders of a supplier a bill may mention, or that succeeded in [from, to). */
export async function purchasesForReconciliation(db: Executor, supplierId: string, q: { customerOrderNos: string[]; supplierOrderIds: string[]; from: Date; to: Date }): Promise<PurchaseRow[]> {
  const r = await sql`
    SELECT * FROM purchase_orders
     WHERE supplier_id = ${supplierId}
       AND (id = ANY(${q.customerOrderNos}::text[]) OR supplier_order_id = ANY(${q.supplierOrderIds}::text[])
            OR (state = ${purchaseMachine.targetOf('succeed')} AND finished_at >= ${q.from} AND finished_at < ${q.to}))`.execute(db);
  return r.rows.map(out);
}

// ---- bills

export type BillLineRow = Omit<SupplierBillLinesTable, 'bill_id'>;

export interface BillRow {
  id: string;
  supplier_id: string;
  day: string;
  source: 'upload' | 'fetch';
  line_count: number;
  imported_by: string;
  imported_at: Date;
}

/** Replaces the supplier's bill of that day (idempotent re-import) in the caller's transaction. */
export async function replaceBill(tx: Executor, bill: Omit<BillRow, 'imported_at'>, lines: BillLineRow[]): Promise<{ replaced: boolean }> {
  const old = await sql`DELETE FROM supplier_bills WHERE supplier_id = ${bill.supplier_id} AND day = ${bill.day}::date RETURNING id`.execute(tx);
  await pdb(tx).insertInto('supplier_bills').values(bill).execute();
  for (let i = 0; i < lines.length; i += 1000) {
    await pdb(tx)
      .insertInto('supplier_bill_lines')
      .values(lines.slice(i, i + 1000).map((l) => ({ ...l, bill_id: bill.id })))
      .execute();
  }
  return { replaced: old.rows.length > 0 };
}

export async function getBill(db: Executor, supplierId: string, day: string): Promise<{ bill: BillRow; lines: BillLineRow[] } | null> {
  const b = await sql<BillRow>`SELECT id, supplier_id, to_char(day, 'YYYY-MM-DD') AS day, source, line_count, imported_by, imported_at
                                 FROM supplier_bills WHERE supplier_id = ${supplierId} AND day = ${day}::date`.execute(db);
  if (!b.rows[0]) return null;
  const lines = await pdb(db).selectFrom('supplier_bill_lines').selectAll().where('bill_id', '=', b.rows[0].id).orderBy('line_no').execute();
  return { bill: b.rows[0], lines: lines.map((l) => ({ ...l, price_fen: Number(l.price_fen) })) };
}
