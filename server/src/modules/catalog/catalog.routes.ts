import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { clientAuthOf, requireClient } from '../../platform/auth/client-auth.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { Product, ProductCreate, ProductStatus, ProductUpdate } from './catalog.schemas.ts';
import { createProduct, getProduct, listProducts, updateProduct } from './catalog.service.ts';

export async function catalogRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  // Client systems look up what they can issue (active products only).
  app.get('/v1/products', {
    preValidation: requireClient(clientAuthOf(ctx), 'grants:read'),
    schema: {
      tags: ['grants'],
      summary: 'Active products this platform can issue',
      security: [{ signature: [] }],
      querystring: Type.Object({ ...ListQuery, platform: Type.Optional(Type.String({ maxLength: 50 })) }, { additionalProperties: false }),
      response: { 200: Page(Product), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; platform?: string };
      return listProducts(ctx.db, { ...q, limit: q.limit ?? 50, status: 'active' });
    },
  });

  app.get('/v1/admin/products', {
    preValidation: requireAdmin(ctx, 'products:read'),
    schema: {
      tags: ['admin'],
      summary: 'List products',
      querystring: Type.Object({ ...ListQuery, status: Type.Optional(ProductStatus), platform: Type.Optional(Type.String({ maxLength: 50 })) }, { additionalProperties: false }),
      response: { 200: Page(Product), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; status?: string; platform?: string };
      return listProducts(ctx.db, { ...q, limit: q.limit ?? 50 });
    },
  });

  app.post('/v1/admin/products', {
    preValidation: requireAdmin(ctx, 'products:write'),
    schema: { tags: ['admin'], summary: 'Create a product', body: ProductCreate, response: { 201: Product, ...problems(400, 401, 403, 409) } },
    handler: async (req, reply) => {
      const product = await createProduct(ctx.db, req.body as ProductCreate, req.admin!.id);
      return reply.status(201).send(product);
    },
  });

  app.get('/v1/admin/products/:id', {
    preValidation: requireAdmin(ctx, 'products:read'),
    schema: { tags: ['admin'], summary: 'Get a product by id or sku', params: IdParam, response: { 200: Product, ...problems(401, 403, 404) } },
    handler: async (req) => getProduct(ctx.db, (req.params as { id: string }).id),
  });

  app.patch('/v1/admin/products/:id', {
    preValidation: requireAdmin(ctx, 'products:write'),
    schema: { tags: ['admin'], summary: 'Update a product', params: IdParam, body: ProductUpdate, response: { 200: Product, ...problems(400, 401, 403, 404) } },
    handler: async (req) =>
      ctx.db.transaction().execute(async (tx) => {
        const current = await getProduct(tx, (req.params as { id: string }).id);
        return updateProduct(tx, current.id, req.body as ProductUpdate, req.admin!.id);
      }),
  });
}
