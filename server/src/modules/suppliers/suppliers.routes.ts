import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { refreshBalance } from './balance.ts';
import {
  ProductSuppliers, ProductSuppliersPut, Supplier, SupplierCreate, SupplierStatus, SupplierUpdate,
  type ProductSupplierInput,
} from './suppliers.schemas.ts';
import { createSupplier, getProductSuppliers, getSupplier, listSuppliers, setProductSuppliers, updateSupplier } from './suppliers.service.ts';

// Thin HTTP for the admin console: schema → service → response. The services audit their own changes.
export async function supplierRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get('/v1/admin/suppliers', {
    preValidation: requireAdmin(ctx, 'suppliers:read'),
    schema: {
      tags: ['admin', 'suppliers'],
      summary: 'List suppliers (with balance and circuit state)',
      querystring: Type.Object({ ...ListQuery, status: Type.Optional(SupplierStatus) }, { additionalProperties: false }),
      response: { 200: Page(Supplier), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; status?: 'active' | 'disabled' };
      return listSuppliers(ctx, ctx.db, { ...q, limit: q.limit ?? 50 });
    },
  });

  app.post('/v1/admin/suppliers', {
    preValidation: requireAdmin(ctx, 'suppliers:write'),
    schema: {
      tags: ['admin', 'suppliers'],
      summary: 'Create a supplier; answers its callback_url (the app_secret is never shown again)',
      body: SupplierCreate,
      response: { 201: Supplier, ...problems(400, 401, 403, 409) },
    },
    handler: async (req, reply) => {
      const s = await ctx.db.transaction().execute((tx) => createSupplier(ctx, tx, req.body as SupplierCreate, req.admin!.id));
      return reply.status(201).send(s);
    },
  });

  app.get('/v1/admin/suppliers/:id', {
    preValidation: requireAdmin(ctx, 'suppliers:read'),
    schema: { tags: ['admin', 'suppliers'], summary: 'A supplier by id or name', params: IdParam, response: { 200: Supplier, ...problems(401, 403, 404) } },
    handler: async (req) => getSupplier(ctx, ctx.db, (req.params as { id: string }).id),
  });

  app.patch('/v1/admin/suppliers/:id', {
    preValidation: requireAdmin(ctx, 'suppliers:write'),
    schema: {
      tags: ['admin', 'suppliers'],
      summary: 'Update a supplier: endpoint, credentials (rotation), status, low-balance threshold',
      params: IdParam,
      body: SupplierUpdate,
      response: { 200: Supplier, ...problems(400, 401, 403, 404, 409) },
    },
    handler: async (req) =>
      ctx.db.transaction().execute((tx) => updateSupplier(ctx, tx, (req.params as { id: string }).id, req.body as SupplierUpdate, req.admin!.id)),
  });

  app.post('/v1/admin/suppliers/:id/balance/refresh', {
    preValidation: requireAdmin(ctx, 'suppliers:write'),
    schema: {
      tags: ['admin', 'suppliers'],
      summary: "Query the supplier's balance now",
      params: IdParam,
      response: {
        200: Type.Object({ supplier: Supplier, refresh: Type.Object({ ok: Type.Boolean(), reason: Type.Optional(Type.String()), alerted: Type.Optional(Type.Boolean()) }) }),
        ...problems(401, 403, 404),
      },
    },
    handler: async (req) => {
      const current = await getSupplier(ctx, ctx.db, (req.params as { id: string }).id);
      const r = await refreshBalance(ctx, current.id, req.log);
      const supplier = await getSupplier(ctx, ctx.db, current.id);
      return { supplier, refresh: r.kind === 'ok' ? { ok: true, alerted: r.alerted } : { ok: false, reason: r.reason } };
    },
  });

  app.get('/v1/admin/products/:id/suppliers', {
    preValidation: requireAdmin(ctx, 'suppliers:read'),
    schema: { tags: ['admin', 'suppliers'], summary: "A product's suppliers in failover order", params: IdParam, response: { 200: ProductSuppliers, ...problems(401, 403, 404) } },
    handler: async (req) => getProductSuppliers(ctx.db, (req.params as { id: string }).id),
  });

  app.put('/v1/admin/products/:id/suppliers', {
    preValidation: requireAdmin(ctx, 'suppliers:write'),
    schema: {
      tags: ['admin', 'suppliers'],
      summary: "Replace a product's supplier list (ordered: the first is tried first)",
      params: IdParam,
      body: ProductSuppliersPut,
      response: { 200: ProductSuppliers, ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => {
      const body = req.body as { suppliers: ProductSupplierInput[] };
      return ctx.db.transaction().execute((tx) => setProductSuppliers(tx, (req.params as { id: string }).id, body.suppliers, req.admin!.id));
    },
  });
}
