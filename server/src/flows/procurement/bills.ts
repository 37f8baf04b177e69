import type { AppContext } from '../../platform/context.ts';
import { AppError, fail, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../../modules/audit/index.ts';
import { attemptsForReconciliation, maskAccount } from '../../modules/recharges/index.ts';
import { fenToYuan, findSupplier, supplierConnection, type BillLine } from '../../modules/suppliers/index.ts';
import { getBill, purchasesForReconciliation, reconcile, replaceBill, type BillLineRow, type OurRecord, type ReconcileResult } from '../../modules/procurement/index.ts';

// Supplier bills and reconciliation (对账, issue 5 §2). A bill is one supplier's orders of one China-time day,
// uploaded (CSV in the supplier's format, parsed by its adapter) or fetched through the adapter. Importing
// the day again replaces its lines. A bill that cannot be read is refused whole with the line that broke it,
// and nothing changes. The report matches it against our recharge attempts and purchase orders.

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CHINA_OFFSET_MS = 8 * 3600_000;

export function checkDay(day: string): string {
  const t = Date.parse(day + 'T00:00:00Z');
  if (!DAY.test(day) || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) throw fail('validation_failed', `day must be a date YYYY-MM-DD, got "${day.slice(0, 20)}"`);
  return day;
}

/** [00:00, 24:00) of a China-time day, as instants */
export function chinaDayRange(day: string): { from: Date; to: Date } {
  const from = new Date(Date.parse(day + 'T00:00:00Z') - CHINA_OFFSET_MS);
  return { from, to: new Date(from.getTime() + 86400_000) };
}

async function supplierOf(ctx: AppContext, ref: string) {
  const s = await findSupplier(ctx.db, ref);
  if (!s) throw fail('supplier_not_found', `Supplier ${ref} does not exist.`);
  return supplierConnection(ctx, s.id);
}

export interface BillSummary {
  id: string;
  supplier_id: string;
  supplier_name: string;
  day: string;
  source: 'upload' | 'fetch';
  lines: number;
  replaced: boolean;
}

async function storeBill(ctx: AppContext, conn: Awaited<ReturnType<typeof supplierOf>>, day: string, source: 'upload' | 'fetch', lines: BillLine[], actor: string): Promise<BillSummary> {
  const id = newId('bil');
  const rows: BillLineRow[] = lines.map((l, i) => ({
    line_no: i + 2, // the header is line 1
    supplier_order_id: l.orderId,
    customer_order_no: l.customerOrderNo,
    supplier_product_id: l.productId,
    // the account recharged is personal data: kept masked only
    account_masked: l.chargeAccount ? maskAccount(l.chargeAccount) : null,
    buy_num: l.buyNum,
    price_fen: l.priceFen,
    order_state: l.state,
    finished_at: l.finishedAt,
  }));
  const { replaced } = await ctx.db.transaction().execute(async (tx) => {
    const r = await replaceBill(tx, { id, supplier_id: conn.supplier.id, day, source, line_count: rows.length, imported_by: actor }, rows);
    await appendAudit(tx, { actor, action: 'supplier_bill.import', target: id, details: { supplier_id: conn.supplier.id, day, source, lines: rows.length, replaced: r.replaced } });
    return r;
  });
  return { id, supplier_id: conn.supplier.id, supplier_name: conn.supplier.name, day, source, lines: rows.length, replaced };
}

/** An uploaded bill (CSV text in the supplier's format). Bad CSV → invalid_file naming the line; nothing changes. */
export async function importBill(ctx: AppContext, input: { supplier: string; day?: string; csv: string; actor: string }): Promise<BillSummary> {
  if (input.day !== undefined) checkDay(input.day);
  const conn = await supplierOf(ctx, input.supplier);
  let lines: BillLine[];
  try {
    lines = conn.adapter.parseBill(input.csv);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw fail('invalid_file', `the bill cannot be read: ${e instanceof Error ? e.message.slice(0, 200) : 'parse error'}`);
  }
  return storeBill(ctx, conn, input.day ?? dayOfLines(lines), 'upload', lines, input.actor);
}

/** Without a given day, the bill's own: the one China-time day all its finish times fall on. */
function dayOfLines(lines: BillLine[]): string {
  const days = new Set(lines.map((l) => (l.finishedAt ?? '').slice(0, 10)).filter((d) => DAY.test(d)));
  if (days.size !== 1) throw fail('validation_failed', `Give the bill's day: its finish times ${days.size === 0 ? 'name no day' : `span ${days.size} days`}.`);
  return checkDay([...days][0]);
}

/** Fetches the day's bill through the supplier's adapter. A supplier that does not answer → 502, nothing changes. */
export async function fetchBill(ctx: AppContext, input: { supplier: string; day: string; actor: string }): Promise<BillSummary> {
  const day = checkDay(input.day);
  const conn = await supplierOf(ctx, input.supplier);
  const r = await conn.adapter.fetchBill(conn.creds, day, { timeoutMs: ctx.config.recharge.queryTimeoutMs * 3 });
  if (r.kind !== 'ok') throw fail('supplier_unavailable', `The supplier's bill for ${day} could not be fetched: ${r.reason.slice(0, 200)}`);
  return storeBill(ctx, conn, day, 'fetch', r.lines, input.actor);
}

export interface ReconciliationReport extends ReconcileResult {
  supplier_id: string;
  supplier_name: string;
  day: string;
  bill: { id: string; source: string; lines: number; imported_at: Date; imported_by: string };
}

/** The report of a supplier and day, computed from the imported bill and our records as they are now. */
export async function reconciliationReport(ctx: AppContext, supplierRef: string, dayText: string): Promise<ReconciliationReport> {
  const day = checkDay(dayText);
  const s = await findSupplier(ctx.db, supplierRef);
  if (!s) throw fail('supplier_not_found', `Supplier ${supplierRef} does not exist.`);
  const bill = await getBill(ctx.db, s.id, day);
  if (!bill) throw notFound('Bill', `${s.name} ${day}`);
  const q = { customerOrderNos: bill.lines.map((l) => l.customer_order_no), supplierOrderIds: bill.lines.map((l) => l.supplier_order_id), ...chinaDayRange(day) };
  const [attempts, purchases] = await Promise.all([attemptsForReconciliation(ctx.db, s.id, q), purchasesForReconciliation(ctx.db, s.id, q)]);
  const ours: OurRecord[] = [
    ...attempts.map((a) => ({ kind: 'recharge' as const, id: a.id, customerOrderNo: a.customer_order_no, supplierOrderId: a.supplier_order_id, state: a.state, agreedFen: a.unit_cost_fen, finishedAt: a.finished_at })),
    ...purchases.map((p) => ({ kind: 'purchase' as const, id: p.id, customerOrderNo: p.id, supplierOrderId: p.supplier_order_id, state: p.state, agreedFen: p.unit_cost_fen * p.quantity, finishedAt: p.finished_at })),
  ];
  const { from, to } = chinaDayRange(day);
  const onDay = ours.filter((r) => r.state === 'succeeded' && r.finishedAt && r.finishedAt >= from && r.finishedAt < to);
  const result = reconcile(bill.lines, ours, onDay);
  return {
    supplier_id: s.id,
    supplier_name: s.name,
    day,
    bill: { id: bill.bill.id, source: bill.bill.source, lines: bill.bill.line_count, imported_at: bill.bill.imported_at, imported_by: bill.bill.imported_by },
    ...result,
  };
}

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
// a cell starting like a formula is neutralised: finance opens this in a spreadsheet
const cell = (v: string | number | null) => {
  const t = v === null ? '' : String(v);
  return quote(/^[=+\-@\t\r]/.test(t) && typeof v !== 'number' ? "'" + t : t);
};

/** The report as CSV: one row per line, amounts in 元 (2 decimals) and 分. */
export function reportCsv(r: ReconciliationReport): string {
  const head = ['category', 'customer_order_no', 'supplier_order_id', 'our_kind', 'our_id', 'our_state', 'their_state', 'their_yuan', 'our_yuan', 'difference_yuan', 'their_fen', 'our_fen', 'difference_fen', 'bill_line'];
  const rows = r.lines.map((l) =>
    [l.category, l.customer_order_no, l.supplier_order_id, l.our_kind, l.our_id, l.our_state, l.their_state, fenToYuan(l.their_fen), fenToYuan(l.our_fen), fenToYuan(l.difference_fen), l.their_fen, l.our_fen, l.difference_fen, l.bill_line].map(cell).join(','),
  );
  return [head.join(','), ...rows].join('\n') + '\n';
}
