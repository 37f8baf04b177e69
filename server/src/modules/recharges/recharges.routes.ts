import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { notFound } from '../../platform/errors.ts';
import { IdParam, Page, problems } from '../../platform/http/schemas.ts';
import { RechargeListQuery, RechargeOrder, RechargeOrderDetail } from './recharges.schemas.ts';
import { listRechargeOrders, rechargeView } from './recharges.views.ts';

// Admin reads. Querying now and resolving by hand call suppliers and grants: they are in flows/recharge.
export async function rechargeAdminRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'recharges:read');
  app.get('/v1/admin/recharges', {
    preValidation: read,
    schema: {
      tags: ['recharges'],
      summary: 'List recharge orders (newest first)',
      querystring: RechargeListQuery,
      response: { 200: Page(RechargeOrder), ...problems(400, 401, 403) },
    },
    handler: async (req) => listRechargeOrders(ctx.db, req.query as never),
  });
  app.get('/v1/admin/recharges/:id', {
    preValidation: read,
    schema: { tags: ['recharges'], summary: 'A recharge order (by rco_… or its grant grt_…) with every attempt, callback and query', params: IdParam, response: { 200: RechargeOrderDetail, ...problems(401, 403, 404) } },
    handler: async (req) => {
      const id = (req.params as { id: string }).id;
      const v = await rechargeView(ctx.db, id);
      if (!v) throw notFound('Recharge order', id);
      return v;
    },
  });
}
