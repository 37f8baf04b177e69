import { sql } from 'kysely';
import type { Executor } from '../platform/db/db.ts';

/** Code counts by status for a product, straight from the table (tests check the real rows). */
export async function codeCounts(db: Executor, productId: string): Promise<Record<string, number>> {
  const r = await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM codes WHERE product_id = ${productId} GROUP BY status`.execute(db);
  return Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)]));
}
