import { sql } from 'kysely';
import type { Executor } from '../platform/db/db.ts';
import { idBoundary } from '../platform/ids.ts';

/**
 * Inserts `n` grants directly (plans and exports on a large table), one a minute from `start`, with ids that
 * carry their creation time like real ones. Client `clients[2]` holds 1 in 100, product `products[3]` 1 in
 * 200; the others share the rest. External ids `user-<g % 50000>`, phone fingerprints sha256('phone<g % 40000>'),
 * masked phones 139****<g % 10000>, out_order_no ORD-<g>. In slices: one huge statement would block the
 * embedded database (and the test worker) for longer than the runner tolerates.
 */
export async function insertBulkGrants(db: Executor, n: number, opts: { clients: string[]; products: string[]; start: number }) {
  const { clients, products, start } = opts;
  for (let from = 0; from < n; from += 50_000) {
    const ids = Array.from({ length: Math.min(50_000, n - from) }, (_, i) => idBoundary('grt', new Date(start + (from + i) * 60_000)) + String(from + i).padStart(16, '0'));
    await sql`INSERT INTO grants (id, client_id, product_id, status, recipient_external_id, recipient_phone_fp, recipient_phone_masked, out_order_no, token_hash, issued_by, created_at)
              SELECT ids.id, (${clients}::text[])[CASE WHEN g % 100 = 0 THEN 3 ELSE 1 + g % 2 END],
                     (${products}::text[])[CASE WHEN g % 200 = 0 THEN 4 ELSE 1 + g % 3 END],
                     (ARRAY['issued','redeemed','redeemed','redeemed','expired','voided'])[1 + g % 6],
                     'user-' || (g % 50000), sha256(('phone' || (g % 40000))::bytea), '139****' || lpad((g % 10000)::text, 4, '0'),
                     'ORD-' || g, sha256(('t' || g)::bytea), 'test',
                     ${new Date(start).toISOString()}::timestamptz + make_interval(mins => g)
                FROM unnest(${ids}::text[]) WITH ORDINALITY AS ids(id, n), LATERAL (SELECT (${from}::int + n::int - 1) AS g) x`.execute(db);
    await new Promise((r) => setImmediate(r));
  }
}
