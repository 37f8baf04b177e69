import { sql } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import { notFound } from '../../platform/errors.ts';
import { findProduct } from '../catalog/index.ts';

// Stock per product, counted from the codes themselves (no counter row to drift or to contend on).
// An available code past its expiry counts as expired even before the sweeper has marked it.
export interface StockRow {
  product_id: string;
  sku: string;
  name: string;
  available: number;
  reserved: number;
  delivered: number;
  expired: number;
  voided: number;
  total: number;
  safety_stock: number;
  below_safety_stock: boolean;
}

export async function stockLevels(db: Executor, opts: { product?: string } = {}): Promise<StockRow[]> {
  let productId: string | null = null;
  if (opts.product) {
    const p = await findProduct(db, opts.product);
    if (!p) throw notFound('Product', opts.product);
    productId = p.id;
  }
  const res = await sql<Omit<StockRow, 'below_safety_stock'>>`
    SELECT p.id AS product_id, p.sku, p.name, p.safety_stock,
           count(c.id) FILTER (WHERE c.status = 'available' AND (c.expires_at IS NULL OR c.expires_at > now()))::int AS available,
           count(c.id) FILTER (WHERE c.status = 'reserved')::int AS reserved,
           count(c.id) FILTER (WHERE c.status = 'delivered')::int AS delivered,
           count(c.id) FILTER (WHERE c.status = 'expired' OR (c.status = 'available' AND c.expires_at <= now()))::int AS expired,
           count(c.id) FILTER (WHERE c.status = 'voided')::int AS voided,
           count(c.id)::int AS total
      FROM products p
      LEFT JOIN codes c ON c.product_id = p.id
     WHERE p.kind IN ('card_code', 'link')
       AND (${productId}::text IS NULL OR p.id = ${productId})
     GROUP BY p.id
     ORDER BY p.sku`.execute(db);
  return res.rows.map((r) => ({ ...r, safety_stock: Number(r.safety_stock), below_safety_stock: r.available < Number(r.safety_stock) }));
}

/**
 * Marks available codes past their expiry as expired, at most `limit` per call (one bounded UPDATE that
 * skips rows being claimed right now). Returns how many changed; call again while it returns `limit`.
 */
export async function expireCodes(db: Executor, opts: { limit?: number } = {}): Promise<number> {
  const limit = opts.limit ?? 10_000;
  // a materialized CTE: `id IN (SELECT … LIMIT n)` may be re-run by the planner and touch more than n rows
  const res = await sql`
    WITH due AS MATERIALIZED (
      SELECT id FROM codes
       WHERE status = 'available' AND expires_at <= now()
       ORDER BY expires_at
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED)
    UPDATE codes SET status = 'expired', updated_at = now()
      FROM due
     WHERE codes.id = due.id AND codes.status = 'available'`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
