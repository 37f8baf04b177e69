import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { problems } from '../../platform/http/schemas.ts';
import * as S from './analytics.schemas.ts';
import * as svc from './analytics.service.ts';

// GET /v1/admin/dashboard/*: the console's dashboards. Thin: schema → service → answer.
type Handler = (ctx: AppContext, q: S.FiguresQuery) => Promise<unknown>;

const ENDPOINTS: Array<{ path: string; summary: string; description?: string; query: TSchema; response: TSchema; handler: Handler }> = [
  {
    path: 'summary',
    summary: 'Totals for a period: issued, redeemed, redemption rate, voided, expired, failed, revenue, cost',
    description: 'Redemption rate (核销率) = of the grants issued in the period, the share redeemed now (redeemed_of_issued ÷ issued). `redeemed` counts redemptions that happened in the period, whenever the grant was issued. Revenue: product price of grants redeemed in the period; cost: the redeemed code’s batch unit cost or the succeeded recharge attempt’s unit cost.',
    query: S.GrantFiguresQuery,
    response: S.Summary,
    handler: svc.summary,
  },
  { path: 'daily', summary: 'The summary’s figures per day (Asia/Shanghai), every day of the period', query: S.GrantFiguresQuery, response: S.DailySeries, handler: svc.daily },
  {
    path: 'stock',
    summary: 'Stock per card-code product against its safety stock, with days of stock left at the last 7 days’ rate',
    query: S.StockQuery,
    response: S.StockLevels,
    handler: svc.stock,
  },
  { path: 'top-products', summary: 'Products by grants issued in the period', query: S.TopProductsQuery, response: S.TopProducts, handler: svc.topProducts },
  { path: 'clients', summary: 'Volume per client (channel) in the period', query: S.ClientsQuery, response: S.ClientVolumes, handler: svc.clientVolumes },
  {
    path: 'suppliers',
    summary: 'Direct recharge per supplier: attempts, success rate, latency from submit to final (p50/p95 estimated)',
    query: S.RechargeFiguresQuery,
    response: S.SupplierRecharges,
    handler: svc.supplierRecharges,
  },
  {
    path: 'failures',
    summary: 'Failures by reason: failed grants by failure code, failed and rejected recharge attempts by supplier code',
    description: 'With `supplier`, only attempts at that supplier (a failed grant has no single supplier).',
    query: S.RechargeFiguresQuery,
    response: S.Failures,
    handler: svc.failures,
  },
];

export async function analyticsRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'dashboard:read');
  for (const e of ENDPOINTS) {
    app.get(`/v1/admin/dashboard/${e.path}`, {
      preValidation: read,
      schema: { tags: ['dashboard'], summary: e.summary, description: e.description, querystring: e.query, response: { 200: e.response, ...problems(400, 401, 403, 404) } },
      handler: async (req) => e.handler(ctx, req.query as S.FiguresQuery),
    });
  }
}
