import type { Tx } from '../platform/db/db.ts';
import { validationFailed } from '../platform/errors.ts';
import { setProductSuppliers, type ProductSupplierInput, type ProductSuppliers } from '../modules/suppliers/index.ts';

// A product and its supplier list set together (CLI `products create|update --suppliers …`): catalog must
// not know suppliers' tables, so the use case that spans both lives here and calls both front doors.

/**
 * Parses "NAME:SUPPLIER_PRODUCT_ID:COST_FEN,…" (failover order). A name may itself hold ':' — the last two
 * fields are taken from the right. An empty string is an empty list (clears the product's suppliers).
 */
export function parseSupplierSpec(spec: string): ProductSupplierInput[] {
  const items = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const problems: Array<{ field: string; message: string }> = [];
  const out: ProductSupplierInput[] = [];
  items.forEach((item, i) => {
    const parts = item.split(':');
    const cost = parts.pop();
    const productId = parts.pop();
    const name = parts.join(':').trim();
    if (!name || !productId || cost === undefined || !/^\d{1,12}$/.test(cost.trim())) {
      problems.push({ field: `suppliers.${i}`, message: `"${item}" is not NAME:SUPPLIER_PRODUCT_ID:COST_FEN (cost in 分, an integer)` });
      return;
    }
    out.push({ supplier_id: name, supplier_product_id: productId.trim(), unit_cost: Number(cost.trim()) });
  });
  if (problems.length) throw validationFailed(problems, 'Invalid --suppliers list.');
  return out;
}

/** Sets the product's supplier list in the caller's transaction (the suppliers service audits it). */
export async function attachSuppliers(tx: Tx, productId: string, spec: string, actor: string): Promise<ProductSuppliers> {
  return setProductSuppliers(tx, productId, parseSupplierSpec(spec), actor);
}
