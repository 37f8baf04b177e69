import type { Kysely, Transaction } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import type { BundleTables } from '../../platform/db/schema.ts';

// SQL for the bundles module's own tables (migration 022): product_bundles, product_components, choice_picks.
const bdb = (db: Executor) => (db as unknown as Kysely<object>).withTables<BundleTables>() as Kysely<BundleTables> | Transaction<BundleTables>;

export interface SpecRow {
  pick_count: number | null;
  components: { position: number; component_id: string }[];
}

export async function readSpec(db: Executor, productId: string): Promise<SpecRow | null> {
  const b = await bdb(db).selectFrom('product_bundles').select('pick_count').where('product_id', '=', productId).executeTakeFirst();
  if (!b) return null;
  const components = await bdb(db)
    .selectFrom('product_components')
    .select(['position', 'component_id'])
    .where('bundle_id', '=', productId)
    .orderBy('position')
    .execute();
  return { pick_count: b.pick_count, components };
}

/** Replaces the spec of a bundle product (the caller's transaction holds the product row). */
export async function writeSpec(db: Executor, productId: string, pickCount: number | null, componentIds: readonly string[]): Promise<void> {
  await bdb(db)
    .insertInto('product_bundles')
    .values({ product_id: productId, pick_count: pickCount })
    .onConflict((oc) => oc.column('product_id').doUpdateSet({ pick_count: pickCount, updated_at: new Date() }))
    .execute();
  await bdb(db).deleteFrom('product_components').where('bundle_id', '=', productId).execute();
  await bdb(db)
    .insertInto('product_components')
    .values(componentIds.map((id, i) => ({ bundle_id: productId, position: i + 1, component_id: id })))
    .execute();
}

/**
 * Records the pick of a choice-pack grant. The primary key makes it happen once: of two concurrent picks
 * the second waits for the first's transaction and then inserts nothing (false) — or, when the first rolled
 * back (a pick ran out), goes ahead.
 */
export async function insertPick(db: Executor, grantId: string, productIds: readonly string[]): Promise<boolean> {
  const r = await bdb(db)
    .insertInto('choice_picks')
    .values({ grant_id: grantId, products: [...productIds] })
    .onConflict((oc) => oc.column('grant_id').doNothing())
    .returning('grant_id')
    .executeTakeFirst();
  return Boolean(r);
}
