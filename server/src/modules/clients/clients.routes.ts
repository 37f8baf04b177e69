import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { notFound } from '../../platform/errors.ts';
import { IdParam, problems } from '../../platform/http/schemas.ts';
import { knownScopes } from '../../platform/auth/permissions.ts';
import { createClient, listClients, parseScopes, setClientStatus } from './clients.service.ts';

const Client = Type.Object({ id: Type.String(), key_id: Type.String(), name: Type.String(), scopes: Type.Array(Type.String()), status: Type.String(), created_at: Type.String() });

export async function clientRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get('/v1/admin/clients', {
    preValidation: requireAdmin(ctx, 'clients:read'),
    schema: { tags: ['admin'], summary: 'Client systems', response: { 200: Type.Object({ data: Type.Array(Client) }), ...problems(401, 403) } },
    handler: async () => ({ data: (await listClients(ctx.db)).map((c) => ({ ...c, created_at: c.created_at.toISOString() })) }),
  });

  app.post('/v1/admin/clients', {
    preValidation: requireAdmin(ctx, 'clients:write'),
    schema: {
      tags: ['admin'],
      summary: 'Create a client key; the secret is shown once',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), scopes: Type.Array(Type.Union(knownScopes().map((s) => Type.Literal(s))), { minItems: 1 }) }, { additionalProperties: false }),
      response: { 201: Type.Object({ id: Type.String(), key_id: Type.String(), secret: Type.String(), name: Type.String(), scopes: Type.Array(Type.String()) }), ...problems(400, 401, 403) },
    },
    handler: async (req, reply) => {
      const body = req.body as { name: string; scopes: string[] };
      const created = await createClient(ctx.db, ctx.keyring, { name: body.name, scopes: parseScopes(body.scopes) }, req.admin!.id);
      return reply.status(201).send(created);
    },
  });

  app.post('/v1/admin/clients/:id/disable', {
    preValidation: requireAdmin(ctx, 'clients:write'),
    schema: {
      tags: ['admin'],
      summary: 'Disable a client key',
      params: IdParam,
      response: { 200: Type.Object({ id: Type.String(), key_id: Type.String(), status: Type.String() }), ...problems(401, 403, 404) },
    },
    handler: async (req) => {
      const id = (req.params as { id: string }).id;
      const row = await setClientStatus(ctx.db, id, 'disabled', req.admin!.id);
      if (!row) throw notFound('Client', id);
      ctx.clients.forget(row.key_id);
      return row;
    },
  });
}
