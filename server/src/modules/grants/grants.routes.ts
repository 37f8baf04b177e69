import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { clientAuthOf, requireClient } from '../../platform/auth/client-auth.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { badRequest } from '../../platform/errors.ts';
import { IdParam, Page, problems } from '../../platform/http/schemas.ts';
import { AdminGrantQuery, Grant, GrantListQuery, IssueGrantBody, VoidGrantBody } from './grants.schemas.ts';
import { getGrant, issueGrant, listGrants, voidGrant } from './grants.service.ts';
import { grantIssuerFor, productKindOf } from './grant-issuers.ts';

const SIGNED = [{ signature: [] }];

export async function grantRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const auth = clientAuthOf(ctx);
  const write = requireClient(auth, 'grants:write');
  const read = requireClient(auth, 'grants:read');

  app.post('/v1/grants', {
    preValidation: write,
    schema: {
      tags: ['grants'],
      summary: 'Issue an entitlement to a recipient',
      description: 'Card codes: claims exactly one code atomically (201). Direct recharge: needs recipient.account, answers 202 with the grant pending; it becomes redeemed or failed (webhooks grant.redeemed / grant.failed). Requires Idempotency-Key; a replay with the same key and body returns the same grant. The response never contains the code: the recipient reveals it at redeem_url.',
      security: SIGNED,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
      body: IssueGrantBody,
      response: { 201: Grant, 202: Grant, ...problems(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
        throw badRequest('idempotency_key_required', 'Send an Idempotency-Key header (1–255 printable characters) with every POST.');
      }
      const input = { clientId: req.client!.id, issuedBy: req.client!.id, body: req.body as IssueGrantBody, idempotencyKey: key, requestHash: ctx.secrets.requestHash(req.rawBody) };
      // kinds issued by a flow (direct recharge → 202 pending); card codes and links here
      const kind = await productKindOf(ctx.db, input.body.product);
      const issuer = kind ? grantIssuerFor(kind) : undefined;
      const r = issuer
        ? await issuer(ctx, input)
        : await issueGrant(ctx, input).then((out) => ({
            ...out,
            // a replay answers the first response's status: 202 while a direct recharge is (or was) pending
            status: (out.grant.product.kind === 'direct_recharge' ? 202 : 201) as 201 | 202,
          }));
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(r.status).send(r.grant);
    },
  });

  app.get('/v1/grants/:id', {
    preValidation: read,
    schema: { tags: ['grants'], summary: 'Get a grant', security: SIGNED, params: IdParam, response: { 200: Grant, ...problems(401, 404) } },
    handler: async (req) => getGrant(ctx, (req.params as { id: string }).id, req.client!.id),
  });

  app.get('/v1/grants', {
    preValidation: read,
    schema: { tags: ['grants'], summary: 'List grants (newest first)', security: SIGNED, querystring: GrantListQuery, response: { 200: Page(Grant), ...problems(400, 401) } },
    handler: async (req) => listGrants(ctx, { ...(req.query as GrantListQuery), clientId: req.client!.id }),
  });

  app.post('/v1/grants/:id/void', {
    preValidation: write,
    schema: {
      tags: ['grants'],
      summary: 'Void an unredeemed grant; its code returns to stock',
      security: SIGNED,
      params: IdParam,
      body: VoidGrantBody,
      response: { 200: Grant, ...problems(401, 404, 409) },
    },
    handler: async (req) =>
      voidGrant(ctx, { id: (req.params as { id: string }).id, clientId: req.client!.id, actor: req.client!.id, reason: (req.body as { reason?: string } | undefined)?.reason }),
  });

  // Admin console (a grant with its whole trail: flows/grant-trail.routes.ts, which reads several modules)
  app.get('/v1/admin/grants', {
    preValidation: requireAdmin(ctx, 'grants:read'),
    schema: { tags: ['admin'], summary: 'Search grants, newest first', description: 'Filters combine (AND); each is served by an index. created_from is inclusive, created_to exclusive.', querystring: AdminGrantQuery, response: { 200: Page(Grant), ...problems(400, 401, 403) } },
    handler: async (req) => listGrants(ctx, req.query as never),
  });

  app.post('/v1/admin/grants/:id/void', {
    preValidation: requireAdmin(ctx, 'grants:void'),
    schema: { tags: ['admin'], summary: 'Void an unredeemed grant', params: IdParam, body: VoidGrantBody, response: { 200: Grant, ...problems(401, 403, 404, 409) } },
    handler: async (req) =>
      voidGrant(ctx, { id: (req.params as { id: string }).id, actor: req.admin!.id, reason: (req.body as { reason?: string } | undefined)?.reason }),
  });
}
