import { sql } from 'kysely';
import type { TestDatabase } from '../../testutil/database.ts';

// Test support for the batch statements' tests: `n` direct-recharge grants with their orders, first attempts
// and jobs, written directly (no server, no supplier): attempt i is `rca_x{i}`, its order `rco_x{i}`, its
// customer_order_no `rco_x{i}-1`, its job `job_x{i}` (kind recharge.attempt, dedupe key the attempt id).
// With `autovacuum: false` the tables keep no statistics (a young database, as the planner first sees it).
export async function seedRechargeRows(t: TestDatabase, n: number, opts: { attemptState: string; jobStatus?: string; autovacuum?: boolean }) {
  if (opts.autovacuum === false) {
    for (const table of ['grants', 'recharge_orders', 'recharge_attempts', 'jobs']) await sql`ALTER TABLE ${sql.table(table)} SET (autovacuum_enabled = off)`.execute(t.database.db);
  }
  for (const statement of [
    sql`INSERT INTO products (id, platform, name, sku, kind) VALUES ('prd_x', 'iqiyi', 'x', 'SKU-X', 'direct_recharge')`,
    sql`INSERT INTO suppliers (id, master_key_id, app_secret_wrapped, name, adapter, endpoint, app_key) VALUES ('sup_x', 'k', decode('00', 'hex'), 'x', 'fulu', 'http://127.0.0.1:9', 'k')`,
    sql`INSERT INTO grants (id, product_id, status, token_hash, issued_by) SELECT 'grt_x' || i, 'prd_x', 'pending', decode(md5(i::text), 'hex'), 'test' FROM generate_series(0, ${n - 1}) i`,
    sql`INSERT INTO recharge_orders (id, grant_id, product_id, account_enc, account_masked, account_fp)
        SELECT 'rco_x' || i, 'grt_x' || i, 'prd_x', decode(md5('acct' || i), 'hex'), '139****0000', decode(md5('a' || i), 'hex') FROM generate_series(0, ${n - 1}) i`,
    sql`INSERT INTO recharge_attempts (id, order_id, attempt_no, customer_order_no, supplier_id, supplier_product_id, state)
        SELECT 'rca_x' || i, 'rco_x' || i, 1, 'rco_x' || i || '-1', 'sup_x', '1001', ${opts.attemptState} FROM generate_series(0, ${n - 1}) i`,
    sql`INSERT INTO jobs (id, kind, dedupe_key, status) SELECT 'job_x' || i, 'recharge.attempt', 'rca_x' || i, ${opts.jobStatus ?? 'queued'} FROM generate_series(0, ${n - 1}) i`,
  ])
    await statement.execute(t.database.db);
}
