import type { AppContext } from '../../platform/context.ts';
import { fail, notFound } from '../../platform/errors.ts';
import { appendAudit } from '../../modules/audit/index.ts';
import { findProduct } from '../../modules/catalog/index.ts';
import { getPurchase, listPurchases, listSettings, purchaseEvents, upsertSetting, type PurchaseRow } from '../../modules/procurement/index.ts';

// Reorder settings per card-code product, and the views of purchase orders (with every exchange with the
// supplier: the "attempts" of a purchase).

export async function configureProcurement(ctx: AppContext, product: string, input: { reorder_quantity: number; enabled?: boolean }, actor: string) {
  const p = await findProduct(ctx.db, product);
  if (!p) throw notFound('Product', product);
  if (p.kind !== 'card_code') throw fail('wrong_product_kind', `Product ${p.sku} is ${p.kind}: only card-code products are bought into stock.`);
  if (!Number.isSafeInteger(input.reorder_quantity) || input.reorder_quantity < 1 || input.reorder_quantity > 10_000) throw fail('validation_failed', 'reorder_quantity must be an integer 1…10000');
  return ctx.db.transaction().execute(async (tx) => {
    const s = await upsertSetting(tx, { productId: p.id, reorderQuantity: input.reorder_quantity, enabled: input.enabled ?? true, actor });
    await appendAudit(tx, { actor, action: 'procurement.configure', target: p.id, details: { reorder_quantity: s.reorder_quantity, enabled: s.enabled } });
    return settingView(s, p.sku);
  });
}

const settingView = (s: { product_id: string; reorder_quantity: number; enabled: boolean; updated_by: string; updated_at: Date }, sku?: string) => ({
  product_id: s.product_id,
  ...(sku ? { sku } : {}),
  reorder_quantity: s.reorder_quantity,
  enabled: s.enabled,
  updated_by: s.updated_by,
  updated_at: s.updated_at,
});

export async function settingsView(ctx: AppContext) {
  return { data: (await listSettings(ctx.db)).map((s) => settingView(s)) };
}

export function purchaseView(p: PurchaseRow, events: Awaited<ReturnType<typeof purchaseEvents>>) {
  return {
    id: p.id,
    customer_order_no: p.id,
    product_id: p.product_id,
    supplier_id: p.supplier_id,
    supplier_product_id: p.supplier_product_id,
    quantity: p.quantity,
    unit_cost: p.unit_cost_fen,
    reason: p.reason,
    state: p.state,
    supplier_state: p.supplier_state,
    supplier_order_id: p.supplier_order_id,
    price: p.price_fen,
    submits: p.submits,
    polls: p.polls,
    result_code: p.result_code,
    result_message: p.result_message,
    batch_id: p.batch_id,
    received_count: p.received_count,
    created_by: p.created_by,
    created_at: p.created_at,
    submitted_at: p.submitted_at,
    finished_at: p.finished_at,
    attempts: events.filter((e) => e.purchase_id === p.id).map((e) => ({ kind: e.kind, outcome: e.outcome, supplier_code: e.supplier_code, detail: typeof e.detail === 'string' ? JSON.parse(e.detail) : e.detail, at: e.created_at })),
  };
}

export async function purchasesView(ctx: AppContext, q: { product?: string; state?: string; limit?: number; cursor?: string }) {
  let productId: string | undefined;
  if (q.product) {
    const p = await findProduct(ctx.db, q.product);
    if (!p) throw notFound('Product', q.product);
    productId = p.id;
  }
  const limit = q.limit ?? 50;
  const rows = await listPurchases(ctx.db, { productId, state: q.state, limit: limit + 1, cursor: q.cursor });
  const page = rows.slice(0, limit);
  const events = await purchaseEvents(ctx.db, page.map((r) => r.id));
  return { data: page.map((r) => purchaseView(r, events)), next_cursor: rows.length > limit ? page[page.length - 1].id : null };
}

export async function purchaseDetail(ctx: AppContext, id: string) {
  const p = await getPurchase(ctx.db, id);
  if (!p) throw notFound('Purchase order', id);
  return purchaseView(p, await purchaseEvents(ctx.db, [p.id]));
}
