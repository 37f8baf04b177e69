import { sql } from 'kysely';
import type { Executor, Tx } from '../../platform/db/db.ts';

// Claims for callers that write a grant themselves (bundles, choice packs): the same SQL function as the
// single-grant issue (migration 003: SKIP LOCKED, plan pinned to the claim index), in the caller's
// transaction, so a rollback returns the code to stock with everything else.

/** Reserves one available code of `productId` for `grantId`; null when none is left (or all are locked). */
export async function claimCode(tx: Tx, productId: string, grantId: string): Promise<number | null> {
  const r = await sql<{ id: string | number | null }>`SELECT quanyi_claim_code(${productId}, ${grantId}) AS id`.execute(tx);
  const id = r.rows[0]?.id;
  return id === null || id === undefined ? null : Number(id);
}

/** Which of `productIds` have at least one available, unexpired code now (one index probe per product). */
export async function productsInStock(db: Executor, productIds: readonly string[]): Promise<Set<string>> {
  if (productIds.length === 0) return new Set();
  const r = await sql<{ product_id: string }>`
    SELECT p.id AS product_id FROM unnest(${[...productIds]}::text[]) AS p(id)
     WHERE EXISTS (SELECT 1 FROM codes c WHERE c.product_id = p.id AND c.status = 'available'
                     AND (c.expires_at IS NULL OR c.expires_at > now()))`.execute(db);
  return new Set(r.rows.map((x) => x.product_id));
}
