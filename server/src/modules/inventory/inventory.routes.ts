import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { badRequest } from '../../platform/errors.ts';
import { IdParam, Page, problems } from '../../platform/http/schemas.ts';
import { getBatch, listBatches, voidBatch } from './batches.service.ts';
import { importRoutes } from './import.routes.ts';
import { Batch, BatchDetail, BatchListQuery, StockQuery, StockRow, VoidResult } from './inventory.schemas.ts';
import { stockLevels } from './stock.service.ts';

// Admin inventory API: stock levels, batches (list, detail with the import report, void), imports, jobs.
export async function inventoryRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get('/v1/admin/stock', {
    preValidation: requireAdmin(ctx, 'stock:read'),
    schema: {
      tags: ['admin'],
      summary: 'Stock per product: available, reserved, delivered, expired, voided; below safety stock',
      querystring: StockQuery,
      response: { 200: Type.Object({ data: Type.Array(StockRow) }), ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => ({ data: await stockLevels(ctx.db, req.query as { product?: string }) }),
  });

  app.get('/v1/admin/batches', {
    preValidation: requireAdmin(ctx, 'batches:read'),
    schema: { tags: ['admin'], summary: 'List batches (newest first)', querystring: BatchListQuery, response: { 200: Page(Batch), ...problems(400, 401, 403, 404) } },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; product?: string };
      return listBatches(ctx.db, { limit: q.limit ?? 50, cursor: q.cursor, product: q.product });
    },
  });

  app.get('/v1/admin/batches/:id', {
    preValidation: requireAdmin(ctx, 'batches:read'),
    schema: { tags: ['admin'], summary: 'A batch with its per-row import report', params: IdParam, response: { 200: BatchDetail, ...problems(401, 403, 404) } },
    handler: async (req) => getBatch(ctx.db, (req.params as { id: string }).id),
  });

  app.post('/v1/admin/batches/:id/void', {
    preValidation: requireAdmin(ctx, 'batches:void'),
    schema: {
      tags: ['admin'],
      summary: 'Void a batch: its still-available codes become voided',
      description: 'Optional JSON body {reason}. Reserved and delivered codes are not affected.',
      params: IdParam,
      response: { 200: VoidResult, ...problems(400, 401, 403, 404, 409) },
    },
    handler: async (req) => {
      const body = req.body as { reason?: unknown } | undefined;
      const reason = body?.reason;
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) {
        throw badRequest('validation_failed', 'reason must be a string of at most 500 characters.', [{ field: 'reason', message: 'must be a string (≤ 500)' }]);
      }
      return voidBatch(ctx.db, (req.params as { id: string }).id, req.admin!.id, reason as string | undefined);
    },
  });

  await app.register(importRoutes, { ctx });
}
