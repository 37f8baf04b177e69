import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import type { ProductSuppliersTable, SuppliersTable } from '../../platform/db/schema.ts';

// SQL for the suppliers module's own tables (suppliers, product_suppliers) and nothing else.
export type SupplierRow = Selectable<SuppliersTable>;

/** the row without its wrapped secret: what everything but `supplierConnection` reads */
const PUBLIC_COLUMNS = [
  'id', 'name', 'adapter', 'endpoint', 'app_key', 'status', 'balance', 'balance_checked_at', 'low_balance_threshold',
  'low_balance_alerted', 'created_at', 'updated_at',
] as const;
export type SupplierPublicRow = Pick<SupplierRow, (typeof PUBLIC_COLUMNS)[number]>;

/** inserts unless the name is taken (then undefined) */
export async function insertSupplier(db: Executor, row: Insertable<SuppliersTable>): Promise<SupplierPublicRow | undefined> {
  return db.insertInto('suppliers').values(row).onConflict((oc) => oc.column('name').doNothing()).returning(PUBLIC_COLUMNS).executeTakeFirst();
}

/** by id (`sup_…`) or by name */
export async function findSupplierRow(db: Executor, ref: string, opts: { forUpdate?: boolean } = {}): Promise<SupplierPublicRow | undefined> {
  let q = db.selectFrom('suppliers').select(PUBLIC_COLUMNS).where(ref.startsWith('sup_') ? 'id' : 'name', '=', ref);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findSupplierWithSecret(db: Executor, id: string) {
  return db.selectFrom('suppliers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listSupplierRows(db: Executor, opts: { limit: number; cursor?: string; status?: 'active' | 'disabled' }) {
  let q = db.selectFrom('suppliers').select(PUBLIC_COLUMNS).orderBy('id', 'desc').limit(opts.limit);
  if (opts.cursor) q = q.where('id', '<', opts.cursor);
  if (opts.status) q = q.where('status', '=', opts.status);
  return q.execute();
}

export async function updateSupplierRow(db: Executor, id: string, set: Updateable<SuppliersTable>): Promise<SupplierPublicRow | undefined> {
  return db.updateTable('suppliers').set({ ...set, updated_at: new Date() }).where('id', '=', id).returning(PUBLIC_COLUMNS).executeTakeFirst();
}

export async function nameTakenByOther(db: Executor, name: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('suppliers').select('id').where('name', '=', name).where('id', '!=', id).executeTakeFirst();
  return Boolean(row);
}

/** every wrapped secret not under `currentKeyId` (key rotation) */
export async function secretsWrappedUnder(db: Executor, notKeyId: string) {
  return db.selectFrom('suppliers').select(['id', 'app_secret_wrapped', 'master_key_id']).where('master_key_id', '!=', notKeyId).execute();
}

export async function setWrappedSecret(db: Executor, id: string, wrapped: Buffer, masterKeyId: string) {
  await db.updateTable('suppliers').set({ app_secret_wrapped: wrapped, master_key_id: masterKeyId }).where('id', '=', id).execute();
}

export interface RouteRow {
  position: number;
  supplier_id: string;
  supplier_name: string;
  supplier_status: 'active' | 'disabled';
  supplier_product_id: string;
  unit_cost: number;
}

export async function productSupplierRows(db: Executor, productId: string): Promise<RouteRow[]> {
  return db
    .selectFrom('product_suppliers as ps')
    .innerJoin('suppliers as s', 's.id', 'ps.supplier_id')
    .select(['ps.position', 'ps.supplier_id', 's.name as supplier_name', 's.status as supplier_status', 'ps.supplier_product_id', 'ps.unit_cost'])
    .where('ps.product_id', '=', productId)
    .orderBy('ps.position')
    .execute();
}

/** replaces a product's list in the caller's transaction */
export async function replaceProductSuppliers(db: Executor, productId: string, rows: Array<Omit<ProductSuppliersTable, 'product_id'>>) {
  await db.deleteFrom('product_suppliers').where('product_id', '=', productId).execute();
  if (rows.length) await db.insertInto('product_suppliers').values(rows.map((r) => ({ ...r, product_id: productId }))).execute();
}

/** the balance fields of one supplier, locked for the rest of the transaction (one alert per crossing) */
export async function lockBalance(db: Executor, id: string) {
  return db.selectFrom('suppliers').select(['id', 'name', 'low_balance_threshold', 'low_balance_alerted']).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function storeBalance(db: Executor, id: string, balance: number, alerted: boolean) {
  await db.updateTable('suppliers').set({ balance, balance_checked_at: new Date(), low_balance_alerted: alerted }).where('id', '=', id).execute();
}

export async function activeSupplierIds(db: Executor): Promise<string[]> {
  return (await db.selectFrom('suppliers').select('id').where('status', '=', 'active').orderBy('id').execute()).map((r) => r.id);
}
