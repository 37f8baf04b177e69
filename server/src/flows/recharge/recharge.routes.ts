import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { fail, notFound } from '../../platform/errors.ts';
import { IdParam, problems } from '../../platform/http/schemas.ts';
import { registerGrantIssuer } from '../../modules/grants/index.ts';
import { RechargeOrderDetail } from '../../modules/recharges/index.ts';
import { queryNow, resolveByHand } from './admin.ts';
import { handleSupplierCallback } from './callback.ts';
import { directRechargeIssuer } from './issue.ts';
import { submitRechargeAccount } from './account.ts';
import { redeemGuards, RedeemRecharge } from '../../modules/redeem/index.ts';
import type { RechargePorts } from './ports.ts';

// HTTP of the recharge flows: the suppliers' callback address, and the operator's "query now" and
// "resolve by hand". Registering also hands POST /v1/grants its issuer for direct-recharge products.
export function rechargeFlowRoutes(ports: RechargePorts) {
  return async function routes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
    registerGrantIssuer('direct_recharge', directRechargeIssuer(ports));

    // the recipient gives the account of a direct recharge issued without one (docs/direct-recharge.md);
    // throttled like the other redeem routes (a token guessed here costs the same as one guessed there)
    const { throttle, countMiss } = redeemGuards(ctx);
    app.post('/v1/redeem/:token/recharge', {
      preValidation: throttle,
      schema: {
        tags: ['redeem'],
        summary: 'Give the account of a direct recharge that waits for it; starts the recharge (202). Same account again: the same answer',
        params: Type.Object({ token: Type.String({ maxLength: 200 }) }),
        body: Type.Object({ account: Type.String({ minLength: 1, maxLength: 64, description: 'the platform account to top up (see recharge.account_types)' }) }, { additionalProperties: false }),
        response: { 202: RedeemRecharge, ...problems(400, 404, 409, 410, 429) },
      },
      handler: async (req, reply) => {
        const { token } = req.params as { token: string };
        const state = await countMiss(req, () => submitRechargeAccount(ctx, ports, token, (req.body as { account: string }).account));
        return reply.status(202).send(state);
      },
    });

    app.post('/v1/callbacks/suppliers/:supplier_id', {
      schema: {
        tags: ['recharges'],
        summary: 'Supplier callback (signed by the supplier); answers the literal body `success` once recorded',
        security: [],
        params: Type.Object({ supplier_id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: Type.String(), ...problems(400, 401, 404) },
      },
      handler: async (req, reply) => {
        const supplierId = (req.params as { supplier_id: string }).supplier_id;
        const raw = req.rawBody?.toString('utf8') ?? '';
        const out = await handleSupplierCallback(ctx, ports, supplierId, raw);
        if (out.kind === 'unknown_supplier') throw notFound('Supplier', supplierId);
        if (out.kind === 'bad_signature') throw fail('invalid_callback_signature', 'The callback signature does not verify with this supplier\'s credentials.');
        return reply.status(200).type('text/plain; charset=utf-8').send('success');
      },
    });

    app.post('/v1/admin/recharges/:id/query', {
      preValidation: requireAdmin(ctx, 'recharges:write'),
      schema: { tags: ['recharges'], summary: 'Query the supplier about the live attempt now and apply the answer', params: IdParam, response: { 200: RechargeOrderDetail, ...problems(401, 403, 404) } },
      handler: async (req) => queryNow(ctx, ports, (req.params as { id: string }).id, req.admin!.id),
    });

    app.post('/v1/admin/recharges/:id/resolve', {
      preValidation: requireAdmin(ctx, 'recharges:write'),
      schema: {
        tags: ['recharges'],
        summary: 'Resolve an unknown attempt by hand (audited)',
        params: IdParam,
        body: Type.Object(
          { outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]), reason: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: RechargeOrderDetail, ...problems(400, 401, 403, 404, 409) },
      },
      handler: async (req) => {
        const body = req.body as { outcome: 'succeeded' | 'failed'; reason: string };
        return resolveByHand(ctx, ports, { id: (req.params as { id: string }).id, outcome: body.outcome, reason: body.reason, actor: req.admin!.id });
      },
    });
  };
}
