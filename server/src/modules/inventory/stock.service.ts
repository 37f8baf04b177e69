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
           count(c.id) FILTER (WHERE c.status <> 'staged')::int AS total
      FROM products p
      LEFT JOIN codes c ON c.product_id = p.id
     WHERE p.kind IN ('card_code', 'link')
       AND (${productId}::text IS NULL OR p.id = ${productId})
     GROUP BY p.id
     ORDER BY p.sku`.execute(db);
  return res.rows.map((r) => ({ ...r, safety_stock: Number(r.safety_stock), below_safety_stock: r.available < Number(r.safety_stock) }));
}

/** Code counts by status for a product (staged codes of an import in progress included, under their name). */
export async function codeCounts(db: Executor, productId: string): Promise<Record<string, number>> {
  const r = await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM codes WHERE product_id = ${productId} GROUP BY status`.execute(db);
  return Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)]));
}
