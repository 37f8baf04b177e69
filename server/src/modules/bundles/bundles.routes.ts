import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { IdParam, problems } from '../../platform/http/schemas.ts';
import { BundleCreate, BundleView, ComponentsPut } from './bundles.schemas.ts';
import { createBundle, getBundle, setComponents } from './bundles.service.ts';

// Admin API of bundles and choice packs. The permissions are the catalog's: a bundle is a product.
export async function bundleRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.post('/v1/admin/bundles', {
    preValidation: requireAdmin(ctx, 'products:write'),
    schema: {
      tags: ['admin'],
      summary: 'Create a bundle or choice-pack product with its components',
      description: 'kind bundle: one grant fulfils every component. kind choice_pack: the recipient picks pick_count of the components at redeem time. Components are existing card_code, direct_recharge or link products.',
      body: BundleCreate,
      response: { 201: BundleView, ...problems(400, 401, 403, 409) },
    },
    handler: async (req, reply) => reply.status(201).send(await createBundle(ctx.db, req.body as BundleCreate, req.admin!.id)),
  });

  app.get('/v1/admin/products/:id/components', {
    preValidation: requireAdmin(ctx, 'products:read'),
    schema: { tags: ['admin'], summary: 'A bundle or choice pack with its components', params: IdParam, response: { 200: BundleView, ...problems(401, 403, 404) } },
    handler: async (req) => getBundle(ctx.db, (req.params as { id: string }).id),
  });

  app.put('/v1/admin/products/:id/components', {
    preValidation: requireAdmin(ctx, 'products:write'),
    schema: {
      tags: ['admin'],
      summary: 'Replace the components (and pick count) of a bundle or choice pack',
      description: 'Grants already issued keep the components they were issued with.',
      params: IdParam,
      body: ComponentsPut,
      response: { 200: BundleView, ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => setComponents(ctx.db, (req.params as { id: string }).id, req.body as ComponentsPut, req.admin!.id),
  });
}
