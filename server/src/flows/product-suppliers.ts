import type { Tx } from '../platform/db/db.ts';
import { validationFailed } from '../platform/errors.ts';
import { createProduct, getProduct, updateProduct, type Product, type ProductCreate, type ProductUpdate } from '../modules/catalog/index.ts';
import { setProductSuppliers, type ProductSupplierInput, type ProductSuppliers } from '../modules/suppliers/index.ts';

// A product and its supplier list set together (CLI `products create|update --suppliers …`): catalog must
// not know suppliers' tables, so the use case that spans both lives here and calls both front doors, in
// one transaction — an unknown supplier name leaves no product behind.

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
    const cost = parts.pop()?.trim();
    const productId = parts.pop()?.trim();
    const name = parts.join(':').trim();
    if (!name || !productId || cost === undefined || !/^\d{1,12}$/.test(cost)) {
      problems.push({ field: `suppliers.${i}`, message: `"${item}" is not NAME:SUPPLIER_PRODUCT_ID:COST_FEN (cost in 分, an integer)` });
      return;
    }
    out.push({ supplier_id: name, supplier_product_id: productId, unit_cost: Number(cost) });
  });
  if (problems.length) throw validationFailed(problems, 'Invalid --suppliers list.');
  return out;
}

export interface ProductWithSuppliers {
  product: Product;
  suppliers?: ProductSuppliers['suppliers'];
}

export async function createProductWithSuppliers(tx: Tx, input: ProductCreate, suppliers: ProductSupplierInput[] | undefined, actor: string): Promise<ProductWithSuppliers> {
  const product = await createProduct(tx, input, actor); // audited by the catalog service
  const list = suppliers ? await setProductSuppliers(tx, product.id, suppliers, actor) : undefined;
  return { product, suppliers: list?.suppliers };
}

export async function updateProductWithSuppliers(tx: Tx, ref: string, input: ProductUpdate, suppliers: ProductSupplierInput[] | undefined, actor: string): Promise<ProductWithSuppliers> {
  let product = await getProduct(tx, ref);
  if (Object.keys(input).length) {
    product = await updateProduct(tx, product.id, input, actor); // audited by the catalog service
  }
  const list = suppliers ? await setProductSuppliers(tx, product.id, suppliers, actor) : undefined;
  return { product, suppliers: list?.suppliers };
}
