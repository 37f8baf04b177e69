import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Executor } from '../../platform/db/db.ts';
import type { AdminAgent } from '../../testutil/harness.ts';

// The dashboard's figures counted directly over the raw tables — the independent definition the counters
// are checked against (tests only: the module itself never reads these tables). The day is computed with
// PostgreSQL's own Asia/Shanghai zone, not the migration's fixed offset.

export interface Period {
  from: string;
  to: string;
  product?: string;
  client?: string;
  supplier?: string;
}

const DAY = (col: string) => sql.raw(`((${col}) AT TIME ZONE 'Asia/Shanghai')::date`);

const n = (v: unknown) => Number(v ?? 0);

export async function directSummary(db: Executor, p: Period) {
  const inP = (col: string) => sql`${DAY(col)} BETWEEN ${p.from}::date AND ${p.to}::date`;
  const keys = sql`(${p.product ?? null}::text IS NULL OR g.product_id = ${p.product ?? null}) AND (${p.client ?? null}::text IS NULL OR COALESCE(g.client_id, '') = ${p.client ?? null})`;
  const r = await sql<Record<string, string>>`
    SELECT
      (SELECT count(*) FROM grants g WHERE ${keys} AND ${inP('g.created_at')}) AS issued,
      (SELECT count(*) FROM grants g WHERE ${keys} AND g.status = 'redeemed' AND ${inP('g.redeemed_at')}) AS redeemed,
      (SELECT count(*) FROM grants g WHERE ${keys} AND g.status = 'redeemed' AND ${inP('g.created_at')}) AS redeemed_of_issued,
      (SELECT count(*) FROM grants g WHERE ${keys} AND g.status = 'voided' AND ${inP('g.ended_at')}) AS voided,
      (SELECT count(*) FROM grants g WHERE ${keys} AND g.status = 'expired' AND ${inP('g.ended_at')}) AS expired,
      (SELECT count(*) FROM grants g WHERE ${keys} AND g.status = 'failed' AND ${inP('g.ended_at')}) AS failed,
      -- a pack's revenue is its own price; its children (parent_grant_id) fulfil it and only add their cost
      (SELECT COALESCE(sum(pr.price), 0) FROM grants g JOIN products pr ON pr.id = g.product_id
        WHERE ${keys} AND g.status = 'redeemed' AND g.parent_grant_id IS NULL AND ${inP('g.redeemed_at')}) AS revenue,
      (SELECT COALESCE(sum(b.unit_cost), 0) FROM grants g JOIN codes c ON c.id = g.code_id JOIN batches b ON b.id = c.batch_id
        WHERE ${keys} AND g.status = 'redeemed' AND ${inP('g.redeemed_at')})
      + (SELECT COALESCE(sum(a.unit_cost_fen), 0) FROM recharge_attempts a JOIN recharge_orders g ON g.id = a.order_id
          WHERE ${keys} AND a.state = 'succeeded' AND ${inP('a.finished_at')}) AS cost`.execute(db);
  return Object.fromEntries(Object.entries(r.rows[0]).map(([k, v]) => [k, n(v)]));
}

export async function directStock(db: Executor) {
  const r = await sql<{ product_id: string; n: string }>`SELECT product_id, count(*) AS n FROM codes WHERE status = 'available' GROUP BY 1`.execute(db);
  return new Map(r.rows.map((x) => [x.product_id, n(x.n)]));
}

export async function directSuppliers(db: Executor, p: Period) {
  const inP = (col: string) => sql`${DAY(col)} BETWEEN ${p.from}::date AND ${p.to}::date`;
  const r = await sql<{ supplier_id: string; started: string; succeeded: string; failed: string; rejected: string; latency_count: string; latency_sum_ms: string; lat: number[] | null }>`
    SELECT a.supplier_id,
           count(*) FILTER (WHERE ${inP('a.created_at')}) AS started,
           count(*) FILTER (WHERE a.state = 'succeeded' AND ${inP('a.finished_at')}) AS succeeded,
           count(*) FILTER (WHERE a.state = 'failed' AND ${inP('a.finished_at')}) AS failed,
           count(*) FILTER (WHERE a.state = 'rejected' AND ${inP('a.finished_at')}) AS rejected,
           count(*) FILTER (WHERE a.state IN ('succeeded', 'failed', 'rejected') AND a.submitted_at IS NOT NULL AND ${inP('a.finished_at')}) AS latency_count,
           COALESCE(sum(floor(extract(epoch FROM a.finished_at - a.submitted_at) * 1000)) FILTER (WHERE a.state IN ('succeeded', 'failed', 'rejected') AND a.submitted_at IS NOT NULL AND ${inP('a.finished_at')}), 0) AS latency_sum_ms,
           array_agg(floor(extract(epoch FROM a.finished_at - a.submitted_at) * 1000) ORDER BY a.finished_at - a.submitted_at)
             FILTER (WHERE a.state IN ('succeeded', 'failed', 'rejected') AND a.submitted_at IS NOT NULL AND ${inP('a.finished_at')}) AS lat
      FROM recharge_attempts a JOIN recharge_orders o ON o.id = a.order_id
     WHERE (${p.supplier ?? null}::text IS NULL OR a.supplier_id = ${p.supplier ?? null})
       AND (${p.product ?? null}::text IS NULL OR o.product_id = ${p.product ?? null})
       AND (${p.client ?? null}::text IS NULL OR COALESCE(o.client_id, '') = ${p.client ?? null})
     GROUP BY 1 ORDER BY 1`.execute(db);
  return r.rows.map((x) => ({
    supplier_id: x.supplier_id,
    started: n(x.started),
    succeeded: n(x.succeeded),
    failed: n(x.failed),
    rejected: n(x.rejected),
    latency_count: n(x.latency_count),
    latency_sum_ms: n(x.latency_sum_ms),
    latencies: (x.lat ?? []).map(Number),
  }));
}

export async function directFailures(db: Executor, p: Period) {
  const inP = (col: string) => sql`${DAY(col)} BETWEEN ${p.from}::date AND ${p.to}::date`;
  const r = await sql<{ source: string; reason: string; count: string }>`
    SELECT source, reason, count(*) AS count FROM (
      SELECT 'grant' AS source, COALESCE(failure_code, 'unknown') AS reason FROM grants g
       WHERE g.status = 'failed' AND ${inP('g.ended_at')} AND ${p.supplier ? sql`false` : sql`true`}
         AND (${p.product ?? null}::text IS NULL OR g.product_id = ${p.product ?? null})
         AND (${p.client ?? null}::text IS NULL OR COALESCE(g.client_id, '') = ${p.client ?? null})
      UNION ALL
      SELECT 'attempt', a.state || COALESCE(':' || a.result_code, '') FROM recharge_attempts a JOIN recharge_orders o ON o.id = a.order_id
       WHERE a.state IN ('failed', 'rejected') AND ${inP('a.finished_at')}
         AND (${p.supplier ?? null}::text IS NULL OR a.supplier_id = ${p.supplier ?? null})
         AND (${p.product ?? null}::text IS NULL OR o.product_id = ${p.product ?? null})
         AND (${p.client ?? null}::text IS NULL OR COALESCE(o.client_id, '') = ${p.client ?? null})
    ) x GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`.execute(db);
  return r.rows.map((x) => ({ source: x.source, reason: x.reason, count: n(x.count) }));
}

const qs = (p: Period) => new URLSearchParams(Object.entries({ ...p, client: p.client === '' ? 'none' : p.client }).filter(([, v]) => v !== undefined) as [string, string][]).toString();

/** Every figure of every dashboard endpoint against the direct counts, for the period `p`. */
export async function expectFiguresMatch(db: Executor, admin: AdminAgent, p: Period) {
  const grantQ = qs({ from: p.from, to: p.to, product: p.product, client: p.client });
  const summary = await admin.request('GET', `/v1/admin/dashboard/summary?${grantQ}`);
  expect(summary.status).toBe(200);
  const direct = await directSummary(db, p);
  const { period: _p, redemption_rate, margin, currency: _c, ...counts } = summary.body;
  expect(counts, `summary ${grantQ}`).toEqual(direct);
  expect(redemption_rate).toBe(direct.issued ? direct.redeemed_of_issued / direct.issued : null);
  expect(margin).toBe(direct.revenue - direct.cost);

  const daily = await admin.request('GET', `/v1/admin/dashboard/daily?${grantQ}`);
  expect(daily.status).toBe(200);
  for (const d of daily.body.data as Array<Record<string, number> & { day: string }>) {
    const { day, ...figures } = d;
    expect(figures, `daily ${day}`).toEqual(await directSummary(db, { ...p, from: day, to: day }));
  }

  if (!p.product) {
    const top = await admin.request('GET', `/v1/admin/dashboard/top-products?${qs({ from: p.from, to: p.to, client: p.client, limit: '100' } as Period)}`);
    expect(top.status).toBe(200);
    for (const row of top.body.data) {
      const d = await directSummary(db, { ...p, product: row.product_id });
      expect({ issued: row.issued, redeemed: row.redeemed, revenue: row.revenue }, `top ${row.product_id}`).toEqual({ issued: d.issued, redeemed: d.redeemed, revenue: d.revenue });
    }
  }
  if (!p.client && p.client !== '') {
    const clients = await admin.request('GET', `/v1/admin/dashboard/clients?${qs({ from: p.from, to: p.to, product: p.product, limit: '100' } as Period)}`);
    expect(clients.status).toBe(200);
    const sum = clients.body.data.reduce((a: number, r: { issued: number }) => a + r.issued, 0);
    expect(sum).toBe(direct.issued);
    for (const row of clients.body.data) {
      const d = await directSummary(db, { ...p, client: row.client_id ?? '' });
      expect({ issued: row.issued, redeemed: row.redeemed, revenue: row.revenue }).toEqual({ issued: d.issued, redeemed: d.redeemed, revenue: d.revenue });
    }
  }

  const rq = qs(p);
  const sup = await admin.request('GET', `/v1/admin/dashboard/suppliers?${rq}`);
  expect(sup.status).toBe(200);
  const bounds = (await sql<{ b: number[] }>`SELECT quanyi_analytics_latency_bounds() AS b`.execute(db)).rows[0].b.map(Number);
  const ds = (await directSuppliers(db, p)).filter((s) => s.started + s.succeeded + s.failed + s.rejected > 0);
  expect(sup.body.data.map((s: { supplier_id: string }) => s.supplier_id)).toEqual(ds.map((s) => s.supplier_id));
  for (const [i, s] of ds.entries()) {
    const got = sup.body.data[i];
    expect({ started: got.started, succeeded: got.succeeded, failed: got.failed, rejected: got.rejected, latency_count: got.latency.count }).toEqual({
      started: s.started, succeeded: s.succeeded, failed: s.failed, rejected: s.rejected, latency_count: s.latency_count,
    });
    const finished = s.succeeded + s.failed + s.rejected;
    expect(got.success_rate).toBe(finished ? s.succeeded / finished : null);
    expect(got.latency.avg_ms).toBe(s.latency_count ? Math.round(s.latency_sum_ms / s.latency_count) : null);
    for (const [q, est] of [[0.5, got.latency.p50_ms], [0.95, got.latency.p95_ms]] as const) {
      if (!s.latencies.length) {
        expect(est).toBeNull();
        continue;
      }
      // the estimate lies in the bucket of the true (nearest-rank) percentile
      const truth = s.latencies[Math.max(0, Math.ceil(q * s.latencies.length) - 1)];
      const b = bounds.findIndex((x) => truth < x);
      const lo = b === -1 ? bounds[bounds.length - 1] : b === 0 ? 0 : bounds[b - 1];
      const hi = b === -1 ? lo : bounds[b];
      expect(est).toBeGreaterThanOrEqual(lo);
      expect(est).toBeLessThanOrEqual(hi);
    }
  }

  const failures = await admin.request('GET', `/v1/admin/dashboard/failures?${rq}`);
  expect(failures.status).toBe(200);
  expect(failures.body.data).toEqual(await directFailures(db, p));
}

export async function expectStockMatches(db: Executor, admin: AdminAgent) {
  const stock = await admin.request('GET', '/v1/admin/dashboard/stock');
  expect(stock.status).toBe(200);
  const direct = await directStock(db);
  for (const row of stock.body.data) expect(row.available, `stock ${row.sku}`).toBe(direct.get(row.product_id) ?? 0);
  return stock.body.data as Array<{ product_id: string; available: number; issued_last_7_days: number; days_left: number | null; below_safety_stock: boolean; safety_stock: number }>;
}
