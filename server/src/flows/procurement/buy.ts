import type { AppContext } from '../../platform/context.ts';
import { checkAgain, enqueue, type CheckAgain } from '../../platform/jobs/jobs.ts';
import { fail, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../../modules/audit/index.ts';
import { findProduct } from '../../modules/catalog/index.ts';
import { stockLevels, storePurchasedCodes, type CodeSecret } from '../../modules/inventory/index.ts';
import {
  circuitAllows,
  parseChinaTime,
  recordSupplierCall,
  supplierConnection,
  supplierRoute,
  type QueryResult,
  type SubmitResult,
  type SupplierCard,
  type SupplierOrder,
} from '../../modules/suppliers/index.ts';
import {
  PURCHASE_JOB,
  getPurchase,
  getSetting,
  insertPurchaseIfNoneOpen,
  logPurchaseEvent,
  movePurchase,
  notePurchasePoll,
  openPurchaseOf,
  suppliersThatRefused,
  purchaseMachine,
  type PurchaseRow,
} from '../../modules/procurement/index.ts';

// Buying codes (采货, issue 5 §2). A scan finds card-code products whose available stock is below their
// safety stock and opens ONE purchase order per product (the partial unique index on open orders decides
// between concurrent scans); the order's job buys through the supplier with customer_order_no = the
// purchase order id, polls until the order is final, and stores the codes as a new encrypted batch
// (inventory's storePurchasedCodes: idempotent per purchase order, audited) in the transaction that
// marks the order succeeded. A lost answer is `unknown` and is resolved only by querying — never by buying
// again blind; "no such order" several times over the configured time sends the SAME number again, which the
// supplier deduplicates (2002). Codes exist in plaintext only in memory, between the supplier's answer and
// the seal; they are never logged and never stored outside the batch.

type Outcome = Record<string, unknown> | CheckAgain;

const delayFor = (ctx: AppContext, polls: number) => {
  const s = ctx.config.recharge.pollScheduleMs;
  return s[Math.min(polls, s.length - 1)];
};

export interface PurchaseRequest {
  productId: string;
  reason: 'safety_stock' | 'manual';
  actor: string;
  /** manual: a quantity other than the configured one */
  quantity?: number;
}

export type RequestOutcome =
  | { kind: 'created'; purchase: PurchaseRow }
  | { kind: 'open_already'; purchase: PurchaseRow }
  | { kind: 'not_needed'; available: number; safety_stock: number }
  | { kind: 'no_supplier' }
  | { kind: 'not_configured' };

/** How long a supplier's refusal of a product sends the next purchase to the next supplier. */
export const REFUSAL_MEMORY_MS = 30 * 60_000;

/**
 * Opens a purchase order for the product when it needs one (below safety stock; or asked by hand) and none is
 * open, with its job, in one transaction. Safe to call from any number of workers at once.
 */
export async function requestPurchase(ctx: AppContext, req: PurchaseRequest): Promise<RequestOutcome> {
  return ctx.db.transaction().execute(async (tx) => {
    const setting = await getSetting(tx, req.productId);
    if (!setting || (req.reason === 'safety_stock' && !setting.enabled)) return { kind: 'not_configured' } as const;
    const open = await openPurchaseOf(tx, req.productId);
    if (open) return { kind: 'open_already', purchase: open } as const;
    if (req.reason === 'safety_stock') {
      const [level] = await stockLevels(tx, { product: req.productId });
      if (!level || !level.below_safety_stock) return { kind: 'not_needed', available: level?.available ?? 0, safety_stock: level?.safety_stock ?? 0 } as const;
    }
    // failover in the product's order: skip a supplier whose circuit is open, or that refused this product
    // within the last REFUSAL_MEMORY_MS (3001–3004, 5000: asking again at once would be refused again); when
    // every supplier refused lately, the first one is asked again
    const route = (await supplierRoute(tx, req.productId)).filter((r) => circuitAllows(r.supplierId));
    if (route.length === 0) return { kind: 'no_supplier' } as const;
    const refused = new Set(await suppliersThatRefused(tx, req.productId, new Date(Date.now() - REFUSAL_MEMORY_MS)));
    const first = route.find((r) => !refused.has(r.supplierId)) ?? route[0];
    const created = await insertPurchaseIfNoneOpen(tx, {
      id: newId('po'),
      productId: req.productId,
      supplierId: first.supplierId,
      supplierProductId: first.supplierProductId,
      quantity: req.quantity ?? setting.reorder_quantity,
      unitCostFen: first.unitCostFen,
      reason: req.reason,
      actor: req.actor,
    });
    if (!created) {
      // a concurrent scan opened one first (the unique index waited for it to commit)
      const other = await openPurchaseOf(tx, req.productId);
      return other ? ({ kind: 'open_already', purchase: other } as const) : ({ kind: 'not_needed', available: 0, safety_stock: 0 } as const);
    }
    await enqueue(tx, PURCHASE_JOB, { purchase_id: created.id }, { dedupeKey: created.id });
    await appendAudit(tx, {
      actor: req.actor,
      action: 'purchase_order.create',
      target: created.id,
      details: { product_id: req.productId, supplier_id: first.supplierId, quantity: created.quantity, unit_cost_fen: created.unit_cost_fen, reason: req.reason },
    });
    return { kind: 'created', purchase: created } as const;
  });
}

/** One pass over the products with procurement switched on. Returns the orders it opened. */
export async function scanStock(ctx: AppContext, productIds: string[]): Promise<PurchaseRow[]> {
  const opened: PurchaseRow[] = [];
  for (const id of productIds) {
    const r = await requestPurchase(ctx, { productId: id, reason: 'safety_stock', actor: 'system' });
    if (r.kind === 'created') opened.push(r.purchase);
  }
  return opened;
}

/** Manual trigger: the product must be a card-code product with procurement configured and a supplier. */
export async function purchaseByHand(ctx: AppContext, product: string, actor: string, quantity?: number) {
  const p = await findProduct(ctx.db, product);
  if (!p) throw notFound('Product', product);
  const r = await requestPurchase(ctx, { productId: p.id, reason: 'manual', actor, quantity });
  if (r.kind === 'not_configured') throw fail('procurement_not_configured', `Product ${p.sku} has no reorder quantity configured.`);
  if (r.kind === 'no_supplier') throw fail('procurement_no_supplier', `Product ${p.sku} has no active supplier whose circuit allows an order.`);
  if (r.kind === 'created' || r.kind === 'open_already') return { created: r.kind === 'created', purchase: r.purchase };
  throw new Error('unreachable');
}

// ---- the job

export async function runPurchase(ctx: AppContext, purchaseId: string): Promise<Outcome> {
  let po = await getPurchase(ctx.db, purchaseId);
  if (!po) return { purchase: purchaseId, missing: true };
  if (po.state === 'submitting') {
    // the run that moved it there died during the call: the request may have left
    const moved = await ctx.db.transaction().execute(async (tx) => {
      const m = await movePurchase(tx, po!.id, 'lose', { result_message: 'found submitting when its job started again (the request may have left)' });
      if (m) await logPurchaseEvent(tx, { purchaseId: po!.id, kind: 'recover', outcome: 'unknown' });
      return m;
    });
    po = moved ?? (await getPurchase(ctx.db, purchaseId))!;
    if (po.state === 'unknown') return checkAgain(delayFor(ctx, 0), 'purchase unknown after a restart: query first');
  }
  if (po.state === 'created') return submit(ctx, po, 'submit');
  if (purchaseMachine.isFinal(po.state)) return { purchase: po.id, state: po.state };
  return poll(ctx, po);
}

async function submit(ctx: AppContext, po: PurchaseRow, event: 'submit' | 'resubmit'): Promise<Outcome> {
  if (event === 'submit' && !circuitAllows(po.supplier_id)) {
    await ctx.db.transaction().execute(async (tx) => {
      if (await movePurchase(tx, po.id, 'reject', { result_message: 'circuit_open' })) await logPurchaseEvent(tx, { purchaseId: po.id, kind: 'submit', outcome: 'rejected:circuit_open' });
    });
    return { purchase: po.id, state: 'rejected', reason: 'circuit_open' };
  }
  const conn = await supplierConnection(ctx, po.supplier_id);
  const sending = await movePurchase(ctx.db, po.id, event, { submitted: true });
  if (!sending) return checkAgain(delayFor(ctx, 0), 'the purchase order moved meanwhile');
  let res: SubmitResult;
  try {
    res = await conn.adapter.buyCards(conn.creds, { productId: po.supplier_product_id, customerOrderNo: po.id, buyNum: po.quantity }, { timeoutMs: ctx.config.recharge.submitTimeoutMs });
  } catch (e) {
    res = { kind: 'unknown', countsForCircuit: true, reason: e instanceof Error ? e.message : String(e) };
  }
  recordSupplierCall(po.supplier_id, callOutcome(res));
  const after = await ctx.db.transaction().execute(async (tx) => {
    if (res.kind === 'accepted') {
      await logPurchaseEvent(tx, { purchaseId: po.id, kind: 'submit', outcome: (res.duplicate ? 'accepted:duplicate:' : 'accepted:') + res.order.state, supplierCode: res.duplicate ? 2002 : 0, detail: { supplier_order_id: res.order.orderId, price_fen: res.order.priceFen } });
      await applyOrder(ctx, tx, sending, res.order);
    } else if (res.kind === 'rejected' && res.safeToFailover) {
      await logPurchaseEvent(tx, { purchaseId: po.id, kind: 'submit', outcome: 'rejected', supplierCode: res.code, detail: { message: res.message.slice(0, 200) } });
      await movePurchase(tx, po.id, 'reject', { result_code: res.code, result_message: res.message.slice(0, 500) });
    } else {
      // a timeout, a network error, or a refusal not declared safe: the order may exist — query, never re-buy blind
      const reason = res.kind === 'rejected' ? `code ${res.code}: ${res.message}` : res.reason;
      await logPurchaseEvent(tx, { purchaseId: po.id, kind: 'submit', outcome: 'unknown', supplierCode: res.kind === 'rejected' ? res.code : null, detail: { reason: reason.slice(0, 200) } });
      await movePurchase(tx, po.id, 'lose', { result_message: reason.slice(0, 500) });
    }
    return getPurchase(tx, po.id);
  });
  if (!after || purchaseMachine.isFinal(after.state)) return { purchase: po.id, state: after?.state ?? null };
  return checkAgain(delayFor(ctx, after.polls), `purchase ${after.state}`);
}

function callOutcome(res: SubmitResult | QueryResult) {
  if (res.kind === 'unknown') return { countsForCircuit: res.countsForCircuit, reason: res.reason };
  if (res.kind === 'rejected' && res.countsForCircuit) return { countsForCircuit: true, reason: `code ${res.code}` };
  return { ok: true } as const;
}

/** Applies what the supplier says about the order: accepted, failed, or success with its codes stored. */
async function applyOrder(ctx: AppContext, tx: Parameters<typeof movePurchase>[0], po: PurchaseRow, o: SupplierOrder): Promise<void> {
  const patch = { supplier_order_id: o.orderId, price_fen: o.priceFen, supplier_state: o.state };
  if (o.state === 'failed') {
    await movePurchase(tx, po.id, 'fail', patch);
    return;
  }
  if (o.state !== 'success' || !o.cards || o.cards.length === 0) {
    await movePurchase(tx, po.id, 'accept', patch); // a no-op when accepted already
    return;
  }
  const stored = await storePurchasedCodes(
    { db: tx, keyring: ctx.keyring, secrets: ctx.secrets },
    { productId: po.product_id, supplier: po.supplier_id, unitCost: po.unit_cost_fen, purchaseOrderNo: po.id, codes: o.cards.map(toSecret), expiresAt: earliestDeadline(o.cards) },
  );
  await movePurchase(tx, po.id, 'succeed', { ...patch, batch_id: stored.batch_id, received_count: o.cards.length });
  await logPurchaseEvent(tx, { purchaseId: po.id, kind: 'store', outcome: stored.replayed ? 'stored:replayed' : 'stored', detail: { batch_id: stored.batch_id, received: o.cards.length, imported: stored.imported, duplicates: stored.duplicates } });
}

const toSecret = (c: SupplierCard): CodeSecret => (c.cardPwd ? { card_number: c.cardNumber, password: c.cardPwd } : { code: c.cardNumber });

/** The batch carries one expiry: the earliest deadline the supplier gave (China time), if any. */
function earliestDeadline(cards: SupplierCard[]): Date | null {
  const times = cards.map((c) => parseChinaTime(c.deadline)).filter((t): t is number => t !== null);
  return times.length ? new Date(Math.min(...times)) : null;
}

async function poll(ctx: AppContext, po: PurchaseRow): Promise<Outcome> {
  const after = await queryPurchase(ctx, po);
  const r = ctx.config.recharge;
  const resubmit =
    after.state === 'unknown' &&
    after.not_found_count >= r.resubmitAfterNotFound &&
    after.not_found_since !== null &&
    Date.now() - new Date(after.not_found_since).getTime() >= r.resubmitAfterMs;
  if (resubmit) return submit(ctx, after, 'resubmit');
  if (purchaseMachine.isFinal(after.state)) return { purchase: po.id, state: after.state, batch_id: after.batch_id };
  return checkAgain(delayFor(ctx, after.polls), `purchase ${after.state}, supplier ${after.supplier_state ?? '?'}`);
}

/** Queries the supplier about the purchase order and applies the answer (also the admin's "query now"). */
export async function queryPurchase(ctx: AppContext, po: PurchaseRow): Promise<PurchaseRow> {
  const conn = await supplierConnection(ctx, po.supplier_id);
  let res: QueryResult;
  try {
    res = await conn.adapter.queryOrder(conn.creds, po.id, { timeoutMs: ctx.config.recharge.queryTimeoutMs });
  } catch (e) {
    res = { kind: 'unknown', countsForCircuit: true, reason: e instanceof Error ? e.message : String(e) };
  }
  recordSupplierCall(po.supplier_id, callOutcome(res));
  return ctx.db.transaction().execute(async (tx) => {
    if (res.kind === 'found') {
      await logPurchaseEvent(tx, { purchaseId: po.id, kind: 'query', outcome: 'found:' + res.order.state, supplierCode: 0, detail: { supplier_order_id: res.order.orderId } });
      await notePurchasePoll(tx, po.id, { supplierState: res.order.state });
      const current = (await getPurchase(tx, po.id))!;
      if (!purchaseMachine.isFinal(current.state)) await applyOrder(ctx, tx, current, res.order);
    } else if (res.kind === 'not_found') {
      await logPurchaseEvent(tx, { purchaseId: po.id, kind: 'query', outcome: 'not_found', supplierCode: 2001 });
      await notePurchasePoll(tx, po.id, { notFound: true });
    } else {
      await logPurchaseEvent(tx, { purchaseId: po.id, kind: 'query', outcome: 'unknown', detail: { reason: res.reason.slice(0, 200) } });
      await notePurchasePoll(tx, po.id, {});
    }
    return (await getPurchase(tx, po.id))!;
  });
}
