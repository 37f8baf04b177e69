import type { Selectable } from 'kysely';
import { inTx, type Executor } from '../../platform/db/db.ts';
import type { ProductsTable } from '../../platform/db/schema.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Product, ProductCreate, ProductUpdate } from './catalog.schemas.ts';
import { appendAudit } from '../audit/index.ts';

type Row = Selectable<ProductsTable>;

export function toProduct(r: Row): Product {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    platform: r.platform,
    kind: r.kind,
    period: r.period_unit ? { unit: r.period_unit, count: r.period_count! } : null,
    renewal: r.renewal,
    currency: r.currency,
    face_value: r.face_value,
    cost: r.cost,
    price: r.price,
    validity_days: r.validity_days,
    safety_stock: r.safety_stock,
    account_types: r.account_types,
    status: r.status,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

/** `kind` may be bundle / choice_pack only from modules/bundles, which writes the components in the same transaction */
export async function createProduct(db: Executor, input: Omit<ProductCreate, 'kind'> & { kind: Product['kind'] }, actor: string): Promise<Product> {
  return inTx(db, async (db) => {
    const row = await db
      .insertInto('products')
      .values({
        id: newId('prd'),
        sku: input.sku,
        name: input.name,
        platform: input.platform,
        kind: input.kind,
        period_unit: input.period?.unit ?? null,
        period_count: input.period?.count ?? null,
        renewal: input.renewal ?? false,
        currency: input.currency ?? 'CNY',
        face_value: input.face_value ?? 0,
        cost: input.cost ?? 0,
        price: input.price ?? 0,
        validity_days: input.validity_days ?? null,
        safety_stock: input.safety_stock ?? 0,
        ...(input.account_types ? { account_types: input.account_types } : {}),
        status: input.status ?? 'active',
      })
      .onConflict((oc) => oc.column('sku').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw conflict('sku_taken', `A product with sku ${input.sku} already exists.`);
    const p = toProduct(row);
    await appendAudit(db, { actor, action: 'product.create', target: p.id, details: { sku: p.sku, name: p.name, kind: p.kind, price: p.price } });
    return p;
  });
}

export async function updateProduct(db: Executor, id: string, input: ProductUpdate, actor: string): Promise<Product> {
  return inTx(db, async (db) => {
    const set: Partial<Row> & Record<string, unknown> = { updated_at: new Date() };
    for (const k of ['name', 'platform', 'renewal', 'currency', 'face_value', 'cost', 'price', 'validity_days', 'safety_stock', 'account_types', 'status'] as const) {
      if (input[k] !== undefined) set[k] = input[k] as never;
    }
    if (input.period !== undefined) {
      set.period_unit = input.period?.unit ?? null;
      set.period_count = input.period?.count ?? null;
    }
    const row = await db.updateTable('products').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw notFound('Product', id);
    const p = toProduct(row);
    await appendAudit(db, { actor, action: 'product.update', target: p.id, details: { changes: input as Record<string, unknown> } });
    return p;
  });
}

/** A product by id (`prd_…`) or by sku. */
export async function findProduct(db: Executor, ref: string): Promise<Product | null> {
  const row = await db
    .selectFrom('products')
    .selectAll()
    .where(ref.startsWith('prd_') ? 'id' : 'sku', '=', ref)
    .executeTakeFirst();
  return row ? toProduct(row) : null;
}

export async function getProduct(db: Executor, ref: string): Promise<Product> {
  const p = await findProduct(db, ref);
  if (!p) throw notFound('Product', ref);
  return p;
}

export async function listProducts(db: Executor, opts: { limit: number; cursor?: string; status?: string; platform?: string }) {
  let q = db.selectFrom('products').selectAll().orderBy('id', 'desc').limit(opts.limit + 1);
  if (opts.cursor) q = q.where('id', '<', opts.cursor);
  if (opts.status) q = q.where('status', '=', opts.status as Row['status']);
  if (opts.platform) q = q.where('platform', '=', opts.platform);
  const rows = await q.execute();
  const more = rows.length > opts.limit;
  const data = rows.slice(0, opts.limit).map(toProduct);
  return { data, next_cursor: more ? data[data.length - 1].id : null };
}
