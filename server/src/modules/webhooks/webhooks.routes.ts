import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { clientAuthOf, requireClient } from '../../platform/auth/client-auth.ts';
import { badRequest } from '../../platform/errors.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { createEndpoint, findEndpoint, listEndpoints, rotateSecret, setEndpointStatus, toEndpoint, updateEndpoint } from './endpoints.service.ts';
import { getDelivery, getEvent, listDeliveries, listEvents, resendEvent } from './events.service.ts';
import { assertDeliverableUrl } from './url-guard.ts';
import { Delivery, Endpoint, EndpointBody, EndpointPatch, EndpointWithSecret, EventListQuery, ResendBody, RotateBody, WebhookEvent } from './webhooks.schemas.ts';

// The signed client API: a client sees and changes only its own endpoints, events and deliveries (another
// client's id answers 404).
const SIGNED = [{ signature: [] }];
const TAGS = ['webhooks'];

export function idempotencyKey(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw badRequest('idempotency_key_required', 'Send an Idempotency-Key header (1–255 printable characters) with every POST.');
  }
  return key;
}

export async function webhookClientRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const auth = clientAuthOf(ctx);
  const write = requireClient(auth, 'webhooks:write');
  const read = requireClient(auth, 'webhooks:read');
  const idem = Type.Object({ 'idempotency-key': Type.Optional(Type.String()) });
  const cid = (req: FastifyRequest) => req.client!.id;
  const id = (req: FastifyRequest) => (req.params as { id: string }).id;

  app.post('/v1/webhooks/endpoints', {
    preValidation: write,
    schema: {
      tags: TAGS, security: SIGNED, headers: idem, body: EndpointBody,
      summary: 'Register a webhook endpoint; its signing secret is returned only in this response',
      description: 'Requires Idempotency-Key (a replay returns the same endpoint and secret). The URL must be on a public address.',
      response: { 201: EndpointWithSecret, ...problems(400, 401, 403, 409) },
    },
    handler: async (req, reply) => {
      const key = idempotencyKey(req);
      const body = req.body as EndpointBody;
      const url = (await assertDeliverableUrl(body.url, ctx.config.allowPrivateWebhooks)).toString();
      const out = await ctx.db.transaction().execute((tx) =>
        createEndpoint(tx, ctx.keyring, { clientId: cid(req), url, events: body.events, description: body.description, actor: cid(req), idempotencyKey: key, requestHash: ctx.secrets.requestHash(req.rawBody) }),
      );
      if (out.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send({ ...out.endpoint, secret: out.secret });
    },
  });

  app.get('/v1/webhooks/endpoints', {
    preValidation: read,
    schema: { tags: TAGS, security: SIGNED, summary: 'Your webhook endpoints', response: { 200: Type.Object({ data: Type.Array(Endpoint) }), ...problems(401, 403) } },
    handler: async (req) => ({ data: await listEndpoints(ctx.db, { clientId: cid(req) }) }),
  });

  app.get('/v1/webhooks/endpoints/:id', {
    preValidation: read,
    schema: { tags: TAGS, security: SIGNED, summary: 'A webhook endpoint', params: IdParam, response: { 200: Endpoint, ...problems(401, 403, 404) } },
    handler: async (req) => toEndpoint(await findEndpoint(ctx.db, id(req), cid(req))),
  });

  app.patch('/v1/webhooks/endpoints/:id', {
    preValidation: write,
    schema: { tags: TAGS, security: SIGNED, summary: 'Change the URL, events or description', params: IdParam, body: EndpointPatch, response: { 200: Endpoint, ...problems(400, 401, 403, 404) } },
    handler: async (req) => {
      const patch = req.body as EndpointPatch;
      const url = patch.url === undefined ? undefined : (await assertDeliverableUrl(patch.url, ctx.config.allowPrivateWebhooks)).toString();
      return ctx.db.transaction().execute((tx) => updateEndpoint(tx, id(req), { ...patch, url }, cid(req), cid(req)));
    },
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post(`/v1/webhooks/endpoints/:id/${action}`, {
      preValidation: write,
      schema: { tags: TAGS, security: SIGNED, summary: action === 'disable' ? 'Stop deliveries to an endpoint (open ones are cancelled)' : 'Resume deliveries to an endpoint', params: IdParam, response: { 200: Endpoint, ...problems(401, 403, 404) } },
      handler: async (req) => ctx.db.transaction().execute((tx) => setEndpointStatus(tx, id(req), action, cid(req), { clientId: cid(req) })),
    });
  }

  app.delete('/v1/webhooks/endpoints/:id', {
    preValidation: write,
    schema: { tags: TAGS, security: SIGNED, summary: 'Delete an endpoint (its delivery log is kept)', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
    handler: async (req, reply) => {
      await ctx.db.transaction().execute((tx) => setEndpointStatus(tx, id(req), 'delete', cid(req), { clientId: cid(req) }));
      return reply.status(204).send();
    },
  });

  app.post('/v1/webhooks/endpoints/:id/rotate-secret', {
    preValidation: write,
    schema: {
      tags: TAGS, security: SIGNED, params: IdParam, body: RotateBody,
      summary: 'A new signing secret (returned only now); the old one keeps signing as a second v1= for a while',
      response: { 200: EndpointWithSecret, ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => {
      const body = req.body as { previous_valid_for_seconds?: number };
      const out = await ctx.db.transaction().execute((tx) => rotateSecret(tx, ctx.keyring, id(req), cid(req), { clientId: cid(req), previousValidForSeconds: body.previous_valid_for_seconds }));
      return { ...out.endpoint, secret: out.secret };
    },
  });

  app.get('/v1/webhooks/endpoints/:id/deliveries', {
    preValidation: read,
    schema: { tags: TAGS, security: SIGNED, summary: 'Deliveries to an endpoint with their attempt logs (newest first)', params: IdParam, querystring: Type.Object(ListQuery, { additionalProperties: false }), response: { 200: Page(Delivery), ...problems(400, 401, 403, 404) } },
    handler: async (req) => {
      await findEndpoint(ctx.db, id(req), cid(req));
      const q = req.query as { limit?: number; cursor?: string };
      return listDeliveries(ctx.db, { endpointId: id(req), clientId: cid(req), limit: q.limit, cursor: q.cursor });
    },
  });

  app.get('/v1/webhooks/events', {
    preValidation: read,
    schema: { tags: TAGS, security: SIGNED, summary: 'Your events (newest first)', querystring: EventListQuery, response: { 200: Page(WebhookEvent), ...problems(400, 401, 403) } },
    handler: async (req) => listEvents(ctx.db, { ...(req.query as EventListQuery), clientId: cid(req) }),
  });

  app.get('/v1/webhooks/events/:id', {
    preValidation: read,
    schema: { tags: TAGS, security: SIGNED, summary: 'An event with its deliveries and their attempt logs', params: IdParam, response: { 200: WebhookEvent, ...problems(401, 403, 404) } },
    handler: async (req) => getEvent(ctx.db, id(req), cid(req)),
  });

  app.get('/v1/webhooks/deliveries/:id', {
    preValidation: read,
    schema: { tags: TAGS, security: SIGNED, summary: 'A delivery with its attempt log', params: IdParam, response: { 200: Delivery, ...problems(401, 403, 404) } },
    handler: async (req) => getDelivery(ctx.db, id(req), cid(req)),
  });

  app.post('/v1/webhooks/events/:id/resend', {
    preValidation: write,
    schema: {
      tags: TAGS, security: SIGNED, params: IdParam, body: ResendBody,
      headers: idem,
      summary: 'Send an event again (same event id) as a new delivery',
      description: 'Requires Idempotency-Key: a retried request answers the deliveries the first one created.',
      response: { 202: Type.Object({ deliveries: Type.Array(Type.String()) }), ...problems(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => {
      const key = idempotencyKey(req);
      const body = req.body as { endpoint_id?: string };
      const deliveries = await ctx.db.transaction().execute((tx) => resendEvent(tx, id(req), cid(req), { clientId: cid(req), endpointId: body.endpoint_id, idempotencyKey: key }));
      return reply.status(202).send({ deliveries });
    },
  });
}
