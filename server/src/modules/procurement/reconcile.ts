import type { BillLineRow } from './procurement.repo.ts';

// Matching a supplier's bill of one day against our records (issue 5 §2). Pure: the flow gathers our side
// (recharge attempts through the recharges front door, purchase orders from this module) and hands it here.
//
// What each side says it cost, in 分: a line the supplier marks `success` costs its order_price, any other
// state nothing (a failed order is refunded). Ours: the agreed cost (unit cost × quantity from the product's
// supplier list at the time of the order) when our record succeeded, nothing otherwise. So "amount differs"
// covers a price the supplier changed without telling us, and an order they bill that we consider failed.
//   matched         — the line is ours and both amounts agree
//   amount_differs  — the line is ours and the amounts differ
//   only_theirs     — nobody here placed that order (no attempt, no purchase order)
//   only_ours       — our succeeded record, finished that China-time day, that the bill lacks

export type Category = 'matched' | 'amount_differs' | 'only_theirs' | 'only_ours';
export const CATEGORIES: readonly Category[] = ['matched', 'amount_differs', 'only_theirs', 'only_ours'];

export interface OurRecord {
  kind: 'recharge' | 'purchase';
  /** the attempt or purchase order id */
  id: string;
  customerOrderNo: string;
  supplierOrderId: string | null;
  state: string;
  /** agreed cost if it succeeded (the caller computes unit cost × quantity) */
  agreedFen: number;
  finishedAt?: Date | null;
}

export interface ReportLine {
  category: Category;
  customer_order_no: string;
  supplier_order_id: string | null;
  our_kind: 'recharge' | 'purchase' | null;
  our_id: string | null;
  our_state: string | null;
  their_state: string | null;
  their_fen: number;
  our_fen: number;
  difference_fen: number;
  bill_line: number | null;
}

export interface Totals {
  count: number;
  their_fen: number;
  our_fen: number;
}

export interface ReconcileResult {
  lines: ReportLine[];
  totals: Record<Category, Totals> & { all: Totals };
}

const theirAmount = (l: BillLineRow) => (l.order_state === 'success' ? l.price_fen : 0);
const ourAmount = (r: OurRecord) => (r.state === 'succeeded' ? r.agreedFen : 0);

/**
 * `onOursDay`: our succeeded records that finished on the bill's day (only these can be "only ours");
 * `lookup`: every record of ours the bill's lines may name (by customer_order_no or supplier order id).
 */
export function reconcile(billLines: BillLineRow[], lookup: OurRecord[], onOursDay: OurRecord[]): ReconcileResult {
  const byCon = new Map(lookup.map((r) => [r.customerOrderNo, r]));
  const bySoid = new Map(lookup.filter((r) => r.supplierOrderId).map((r) => [r.supplierOrderId!, r]));
  const seen = new Set<string>();
  const lines: ReportLine[] = [];
  for (const l of billLines) {
    const ours = byCon.get(l.customer_order_no) ?? bySoid.get(l.supplier_order_id);
    const their = theirAmount(l);
    if (!ours) {
      lines.push({ category: 'only_theirs', customer_order_no: l.customer_order_no, supplier_order_id: l.supplier_order_id, our_kind: null, our_id: null, our_state: null, their_state: l.order_state, their_fen: their, our_fen: 0, difference_fen: their, bill_line: l.line_no });
      continue;
    }
    seen.add(ours.kind + ':' + ours.id);
    const mine = ourAmount(ours);
    lines.push({
      category: mine === their ? 'matched' : 'amount_differs',
      customer_order_no: l.customer_order_no,
      supplier_order_id: l.supplier_order_id,
      our_kind: ours.kind,
      our_id: ours.id,
      our_state: ours.state,
      their_state: l.order_state,
      their_fen: their,
      our_fen: mine,
      difference_fen: their - mine,
      bill_line: l.line_no,
    });
  }
  for (const r of onOursDay) {
    if (seen.has(r.kind + ':' + r.id) || r.state !== 'succeeded') continue;
    const mine = ourAmount(r);
    lines.push({ category: 'only_ours', customer_order_no: r.customerOrderNo, supplier_order_id: r.supplierOrderId, our_kind: r.kind, our_id: r.id, our_state: r.state, their_state: null, their_fen: 0, our_fen: mine, difference_fen: -mine, bill_line: null });
  }
  const zero = (): Totals => ({ count: 0, their_fen: 0, our_fen: 0 });
  const totals = { matched: zero(), amount_differs: zero(), only_theirs: zero(), only_ours: zero(), all: zero() };
  for (const l of lines) {
    for (const t of [totals[l.category], totals.all]) {
      t.count++;
      t.their_fen += l.their_fen;
      t.our_fen += l.our_fen;
    }
  }
  return { lines, totals };
}
