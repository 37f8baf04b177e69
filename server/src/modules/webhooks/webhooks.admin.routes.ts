import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { findEndpoint, listEndpoints, setEndpointStatus, toEndpoint } from './endpoints.service.ts';
import { getDelivery, getEvent, listDeliveries, listEvents, resendEvent } from './events.service.ts';
import { Delivery, Endpoint, EventListQuery, ResendBody, WebhookEvent } from './webhooks.schemas.ts';

// The console's view over every client's webhooks: see endpoints, events and deliveries, re-send, and
// re-enable an endpoint that was disabled after failing for a day.
export async function webhookAdminRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'webhooks:read');
  const write = requireAdmin(ctx, 'webhooks:write');
  const id = (req: FastifyRequest) => (req.params as { id: string }).id;
  const ClientFilter = Type.Object({ client_id: Type.Optional(Type.String({ maxLength: 100 })), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])) }, { additionalProperties: false });

  app.get('/v1/admin/webhooks/endpoints', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Webhook endpoints of all clients', querystring: ClientFilter, response: { 200: Type.Object({ data: Type.Array(Endpoint) }), ...problems(400, 401, 403) } },
    handler: async (req) => {
      const q = req.query as { client_id?: string; status?: 'active' | 'disabled' };
      return { data: await listEndpoints(ctx.db, { clientId: q.client_id, status: q.status }) };
    },
  });

  app.get('/v1/admin/webhooks/endpoints/:id', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'A webhook endpoint', params: IdParam, response: { 200: Endpoint, ...problems(401, 403, 404) } },
    handler: async (req) => toEndpoint(await findEndpoint(ctx.db, id(req))),
  });

  app.get('/v1/admin/webhooks/endpoints/:id/deliveries', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Deliveries to an endpoint with attempt logs', params: IdParam, querystring: Type.Object(ListQuery, { additionalProperties: false }), response: { 200: Page(Delivery), ...problems(400, 401, 403, 404) } },
    handler: async (req) => {
      await findEndpoint(ctx.db, id(req));
      const q = req.query as { limit?: number; cursor?: string };
      return listDeliveries(ctx.db, { endpointId: id(req), limit: q.limit, cursor: q.cursor });
    },
  });

  for (const action of ['enable', 'disable'] as const) {
    app.post(`/v1/admin/webhooks/endpoints/:id/${action}`, {
      preValidation: write,
      schema: { tags: ['admin'], summary: `${action === 'enable' ? 'Re-enable' : 'Disable'} a webhook endpoint`, params: IdParam, response: { 200: Endpoint, ...problems(401, 403, 404) } },
      handler: async (req) => ctx.db.transaction().execute((tx) => setEndpointStatus(tx, id(req), action, req.admin!.id)),
    });
  }

  app.get('/v1/admin/webhooks/events', {
    preValidation: read,
    schema: {
      tags: ['admin'], summary: 'Webhook events of all clients',
      querystring: Type.Composite([EventListQuery, Type.Object({ client_id: Type.Optional(Type.String({ maxLength: 100 })) })], { additionalProperties: false }),
      response: { 200: Page(WebhookEvent), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query as EventListQuery & { client_id?: string };
      return listEvents(ctx.db, { ...q, clientId: q.client_id });
    },
  });

  app.get('/v1/admin/webhooks/events/:id', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'An event with its deliveries and attempt logs', params: IdParam, response: { 200: WebhookEvent, ...problems(401, 403, 404) } },
    handler: async (req) => getEvent(ctx.db, id(req)),
  });

  app.get('/v1/admin/webhooks/deliveries/:id', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'A delivery with its attempt log', params: IdParam, response: { 200: Delivery, ...problems(401, 403, 404) } },
    handler: async (req) => getDelivery(ctx.db, id(req)),
  });

  app.post('/v1/admin/webhooks/events/:id/resend', {
    preValidation: write,
    schema: { tags: ['admin'], summary: 'Send an event again (same event id)', params: IdParam, body: ResendBody, response: { 202: Type.Object({ deliveries: Type.Array(Type.String()) }), ...problems(400, 401, 403, 404, 409) } },
    handler: async (req, reply) => {
      const body = req.body as { endpoint_id?: string };
      const deliveries = await ctx.db.transaction().execute((tx) => resendEvent(tx, id(req), req.admin!.id, { endpointId: body.endpoint_id }));
      return reply.status(202).send({ deliveries });
    },
  });
}
