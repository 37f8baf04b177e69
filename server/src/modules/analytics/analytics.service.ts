import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { notFound, validationFailed } from '../../platform/errors.ts';
import { findProduct, listProducts } from '../catalog/index.ts';
import { listClients } from '../clients/index.ts';
import * as repo from './analytics.repo.ts';
import type { FiguresQuery, Summary } from './analytics.schemas.ts';

// The dashboard's figures, read from the counters of migration 016 (never from the raw tables): each answer
// is a handful of index range scans over a few rows per day and key, whatever the number of grants.

export const MAX_SPAN_DAYS = 366;
const DAY_MS = 86_400_000;

/** Today in Asia/Shanghai (UTC+8, no daylight saving time). */
export const shanghaiToday = (now = Date.now()) => new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => new Date(Date.parse(day + 'T00:00:00Z') + n * DAY_MS).toISOString().slice(0, 10);
const isRealDay = (d: string) => !Number.isNaN(Date.parse(d + 'T00:00:00Z')) && new Date(Date.parse(d + 'T00:00:00Z')).toISOString().slice(0, 10) === d;

/** Checks the period and resolves the filters to counter keys. */
export async function resolveFilter(ctx: AppContext, q: FiguresQuery): Promise<repo.Filter> {
  const to = q.to ?? shanghaiToday();
  const from = q.from ?? addDays(to, -29);
  const errors = [];
  for (const [field, d] of [['from', from], ['to', to]] as const) if (!isRealDay(d)) errors.push({ field, message: 'must be a real calendar day (YYYY-MM-DD)' });
  if (errors.length) throw validationFailed(errors);
  if (from > to) throw validationFailed([{ field: 'from', message: 'must not be after to' }]);
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS + 1 > MAX_SPAN_DAYS) throw validationFailed([{ field: 'to', message: `the period spans at most ${MAX_SPAN_DAYS} days` }]);
  const f: repo.Filter = { from, to };
  if (q.product) {
    const p = await findProduct(ctx.db, q.product);
    if (!p) throw notFound('Product', q.product);
    f.productId = p.id;
  }
  if (q.client) f.clientId = q.client === 'none' ? '' : q.client;
  if (q.supplier) f.supplierId = q.supplier;
  return f;
}

const period = (f: repo.Filter) => ({ from: f.from, to: f.to });
const rate = (n: number, d: number) => (d > 0 ? n / d : null);

export async function summary(ctx: AppContext, q: FiguresQuery): Promise<Summary> {
  const f = await resolveFilter(ctx, q);
  const t = await repo.grantTotals(ctx.db, f);
  return { period: period(f), ...t, redemption_rate: rate(t.redeemed_of_issued, t.issued), margin: t.revenue - t.cost, currency: 'CNY' };
}

export async function daily(ctx: AppContext, q: FiguresQuery) {
  const f = await resolveFilter(ctx, q);
  return { period: period(f), data: await repo.grantDaily(ctx.db, f) };
}

async function productsById(ctx: AppContext) {
  // the catalog is small (hundreds of products); one page holds it
  const page = await listProducts(ctx.db, { limit: 10_000 });
  return new Map(page.data.map((p) => [p.id, p]));
}

export async function topProducts(ctx: AppContext, q: FiguresQuery) {
  const f = await resolveFilter(ctx, q);
  const [rows, products] = await Promise.all([repo.grantsBy(ctx.db, 'product_id', f, q.limit ?? 10), productsById(ctx)]);
  return {
    period: period(f),
    data: rows.map((r) => ({ product_id: r.key, sku: products.get(r.key)?.sku ?? null, name: products.get(r.key)?.name ?? null, issued: r.issued, redeemed: r.redeemed, revenue: r.revenue })),
  };
}

export async function clientVolumes(ctx: AppContext, q: FiguresQuery) {
  const f = await resolveFilter(ctx, q);
  const [rows, clients] = await Promise.all([repo.grantsBy(ctx.db, 'client_id', f, q.limit ?? 10), listClients(ctx.db)]);
  const names = new Map(clients.map((c) => [c.id, c.name]));
  return {
    period: period(f),
    data: rows.map((r) => ({ client_id: r.key || null, name: names.get(r.key) ?? null, issued: r.issued, redeemed: r.redeemed, revenue: r.revenue })),
  };
}

export async function stock(ctx: AppContext, q: { product?: string }) {
  let only: string | undefined;
  if (q.product) {
    const p = await findProduct(ctx.db, q.product);
    if (!p) throw notFound('Product', q.product);
    only = p.id;
  }
  const today = shanghaiToday();
  const [products, available, issued7] = await Promise.all([productsById(ctx), repo.availablePerProduct(ctx.db), repo.issuedPerProduct(ctx.db, addDays(today, -6), today)]);
  const data = [...products.values()]
    .filter((p) => (p.kind === 'card_code' || p.kind === 'link') && (!only || p.id === only))
    .map((p) => {
      const avail = available.get(p.id) ?? 0;
      const issued = issued7.get(p.id) ?? 0;
      const dailyRate = issued / 7;
      return {
        product_id: p.id,
        sku: p.sku,
        name: p.name,
        status: p.status,
        available: avail,
        safety_stock: p.safety_stock ?? 0,
        below_safety_stock: avail < (p.safety_stock ?? 0),
        issued_last_7_days: issued,
        daily_rate: dailyRate,
        days_left: dailyRate > 0 ? Math.round((avail / dailyRate) * 10) / 10 : null,
      };
    })
    .sort((a, b) => a.sku.localeCompare(b.sku));
  return { data };
}

/**
 * A percentile estimated from a histogram: the bucket holding the rank, linear inside it. `bounds` are the
 * buckets' exclusive upper bounds; the last bucket is open, so a rank inside it answers its lower bound.
 */
export function percentileFromHistogram(hist: Map<number, number>, bounds: number[], p: number): number | null {
  const total = [...hist.values()].reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = p * total;
  let seen = 0;
  for (let b = 0; b <= bounds.length; b++) {
    const n = hist.get(b) ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lo = b === 0 ? 0 : bounds[b - 1];
      if (b === bounds.length) return lo;
      return Math.round(lo + ((rank - seen) / n) * (bounds[b] - lo));
    }
    seen += n;
  }
  return bounds[bounds.length - 1];
}

export async function supplierRecharges(ctx: AppContext, q: FiguresQuery) {
  const f = await resolveFilter(ctx, q);
  const [rows, hists, bounds] = await Promise.all([
    repo.attemptsPerSupplier(ctx.db, f),
    repo.latencyHistograms(ctx.db, f),
    sql<{ b: number[] }>`SELECT quanyi_analytics_latency_bounds() AS b`.execute(ctx.db).then((r) => r.rows[0].b.map(Number)),
  ]);
  return {
    period: period(f),
    data: rows.map((r) => {
      const hist = hists.get(r.supplier_id) ?? new Map();
      const finished = r.succeeded + r.failed + r.rejected;
      return {
        supplier_id: r.supplier_id,
        started: r.started,
        succeeded: r.succeeded,
        failed: r.failed,
        rejected: r.rejected,
        success_rate: rate(r.succeeded, finished),
        latency: {
          count: r.latency_count,
          avg_ms: r.latency_count > 0 ? Math.round(r.latency_sum_ms / r.latency_count) : null,
          p50_ms: percentileFromHistogram(hist, bounds, 0.5),
          p95_ms: percentileFromHistogram(hist, bounds, 0.95),
        },
      };
    }),
  };
}

export async function failures(ctx: AppContext, q: FiguresQuery) {
  const f = await resolveFilter(ctx, q);
  return { period: period(f), data: await repo.failureReasons(ctx.db, f) };
}
