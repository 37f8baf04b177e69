import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';

// SQL over the analytics_* tables only (migration 016 keeps them; its triggers are the one place that names
// other modules' tables). Every read sums over the shards.

export interface Filter {
  from: string;
  to: string;
  productId?: string;
  /** '' selects grants issued without a client (admins) */
  clientId?: string;
  supplierId?: string;
}

const where = (f: Filter, opts: { supplier?: boolean } = {}): RawBuilder<unknown> => {
  const parts = [sql`day BETWEEN ${f.from}::date AND ${f.to}::date`];
  if (f.productId !== undefined) parts.push(sql`product_id = ${f.productId}`);
  if (f.clientId !== undefined) parts.push(sql`client_id = ${f.clientId}`);
  if (opts.supplier && f.supplierId !== undefined) parts.push(sql`supplier_id = ${f.supplierId}`);
  return sql.join(parts, sql` AND `);
};

const GRANT_SUMS = sql`COALESCE(sum(issued), 0)::bigint AS issued, COALESCE(sum(redeemed), 0)::bigint AS redeemed,
  COALESCE(sum(cohort_redeemed), 0)::bigint AS redeemed_of_issued, COALESCE(sum(voided), 0)::bigint AS voided,
  COALESCE(sum(expired), 0)::bigint AS expired, COALESCE(sum(failed), 0)::bigint AS failed,
  COALESCE(sum(revenue), 0)::bigint AS revenue, COALESCE(sum(cost), 0)::bigint AS cost`;

export interface GrantSums {
  issued: number;
  redeemed: number;
  redeemed_of_issued: number;
  voided: number;
  expired: number;
  failed: number;
  revenue: number;
  cost: number;
}

const numbers = <T extends object>(row: T): T => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v])) as T;

export async function grantTotals(db: Executor, f: Filter): Promise<GrantSums> {
  const r = await sql<GrantSums>`SELECT ${GRANT_SUMS} FROM analytics_grant_daily WHERE ${where(f)}`.execute(db);
  return numbers(r.rows[0]);
}

export async function grantDaily(db: Executor, f: Filter): Promise<Array<GrantSums & { day: string }>> {
  const r = await sql<GrantSums & { day: string }>`
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, s.*
      FROM generate_series(${f.from}::date, ${f.to}::date, interval '1 day') AS d(day)
      LEFT JOIN LATERAL (SELECT ${GRANT_SUMS} FROM analytics_grant_daily WHERE day = d.day::date AND ${where(f)}) s ON true
     ORDER BY d.day`.execute(db);
  return r.rows.map(numbers);
}

export async function grantsBy(db: Executor, key: 'product_id' | 'client_id', f: Filter, limit: number) {
  const r = await sql<{ key: string; issued: number; redeemed: number; revenue: number }>`
    SELECT ${sql.ref(key)} AS key, sum(issued)::bigint AS issued, sum(redeemed)::bigint AS redeemed, sum(revenue)::bigint AS revenue
      FROM analytics_grant_daily WHERE ${where(f)}
     GROUP BY 1 HAVING sum(issued) <> 0 OR sum(redeemed) <> 0
     ORDER BY 2 DESC, 3 DESC, 1 LIMIT ${limit}`.execute(db);
  return r.rows.map(numbers);
}

/** Grants issued per product from `from` to `to` (inclusive), any client. */
export async function issuedPerProduct(db: Executor, from: string, to: string): Promise<Map<string, number>> {
  const r = await sql<{ product_id: string; n: string }>`
    SELECT product_id, sum(issued) AS n FROM analytics_grant_daily WHERE day BETWEEN ${from}::date AND ${to}::date GROUP BY 1`.execute(db);
  return new Map(r.rows.map((x) => [x.product_id, Number(x.n)]));
}

export async function availablePerProduct(db: Executor): Promise<Map<string, number>> {
  const r = await sql<{ product_id: string; n: string }>`SELECT product_id, sum(available) AS n FROM analytics_stock GROUP BY 1`.execute(db);
  return new Map(r.rows.map((x) => [x.product_id, Number(x.n)]));
}

export interface AttemptSums {
  supplier_id: string;
  started: number;
  succeeded: number;
  failed: number;
  rejected: number;
  latency_count: number;
  latency_sum_ms: number;
}

export async function attemptsPerSupplier(db: Executor, f: Filter): Promise<AttemptSums[]> {
  const r = await sql<AttemptSums>`
    SELECT supplier_id, sum(started)::bigint AS started, sum(succeeded)::bigint AS succeeded, sum(failed)::bigint AS failed,
           sum(rejected)::bigint AS rejected, sum(latency_count)::bigint AS latency_count, sum(latency_sum_ms)::bigint AS latency_sum_ms
      FROM analytics_attempt_daily WHERE ${where(f, { supplier: true })}
     GROUP BY 1 ORDER BY 1`.execute(db);
  return r.rows.map(numbers);
}

/** Latency histogram per supplier: bucket → count. */
export async function latencyHistograms(db: Executor, f: Filter): Promise<Map<string, Map<number, number>>> {
  const r = await sql<{ supplier_id: string; bucket: number; n: string }>`
    SELECT supplier_id, bucket, sum(n) AS n FROM analytics_attempt_latency WHERE ${where(f, { supplier: true })} GROUP BY 1, 2`.execute(db);
  const out = new Map<string, Map<number, number>>();
  for (const x of r.rows) {
    if (!out.has(x.supplier_id)) out.set(x.supplier_id, new Map());
    out.get(x.supplier_id)!.set(Number(x.bucket), Number(x.n));
  }
  return out;
}

export async function failureReasons(db: Executor, f: Filter) {
  // grant failures have no supplier: with a supplier filter only attempts match
  const r = await sql<{ source: 'grant' | 'attempt'; reason: string; count: string }>`
    SELECT source, reason, sum(n) AS count FROM analytics_failure_daily WHERE ${where(f, { supplier: true })}
     GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 3 DESC, 1, 2`.execute(db);
  return r.rows.map((x) => ({ source: x.source, reason: x.reason, count: Number(x.count) }));
}

/** Recomputes every counter from the rows (migration 016's function), in `db`'s transaction. */
export async function backfill(db: Executor): Promise<void> {
  await sql`SELECT quanyi_analytics_backfill()`.execute(db);
}
