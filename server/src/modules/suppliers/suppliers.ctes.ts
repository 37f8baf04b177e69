import { sql, type RawBuilder } from 'kysely';
import type { Cte } from '../../platform/db/ctes.ts';

/** Columns of `firstSupplierCte`. */
export interface FirstSupplierCteRow {
  supplier_id: string;
  supplier_product_id: string;
  unit_cost_fen: string | number;
}

/**
 * The first active supplier of a product's failover list as a step of a composed statement (what
 * `supplierRoute(...)[0]` answers); no row when the product has none. `productId` is an SQL expression
 * (usually a column of an earlier step).
 */
export function firstSupplierCte(name: string, productId: RawBuilder<unknown>): Cte {
  return {
    name,
    sql: sql`SELECT ps.supplier_id, ps.supplier_product_id, ps.unit_cost AS unit_cost_fen
               FROM product_suppliers ps JOIN suppliers s ON s.id = ps.supplier_id
              WHERE ps.product_id = (${productId}) AND s.status = 'active'
              ORDER BY ps.position LIMIT 1`,
  };
}
