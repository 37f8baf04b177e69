import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { problems } from '../../platform/http/schemas.ts';
import { registerGrantIssuer } from '../../modules/grants/index.ts';
import { TokenNotFound } from '../../modules/redeem/index.ts';
import { packIssuer } from './issue.ts';
import { pickChoices, type PickBody } from './pick.ts';

const TokenParam = Type.Object({ token: Type.String({ maxLength: 200 }) });
const PickRequest = Type.Object(
  {
    products: Type.Array(Type.String({ minLength: 1, maxLength: 100, description: 'product id (prd_…) or sku of an option' }), { minItems: 1, maxItems: 20 }),
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the platform account, when a picked product is a direct recharge' })),
  },
  { additionalProperties: false },
);
const Brief = Type.Object({ id: Type.String(), sku: Type.String(), name: Type.String() });
const PickAnswer = Type.Object({
  status: Type.String(),
  pick_count: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  picked: Type.Optional(Type.Boolean()),
  options: Type.Optional(Type.Array(Type.Unknown())),
  components: Type.Optional(Type.Array(Type.Object({ grant_id: Type.String(), product: Brief, status: Type.String(), account: Type.Optional(Type.Union([Type.String(), Type.Null()])) }))),
});

export async function bundleFlowRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  registerGrantIssuer('bundle', packIssuer);
  registerGrantIssuer('choice_pack', packIssuer);

  // the redeem API's limits (redeem.routes.ts): per IP, per token, and a strict budget of unknown tokens
  async function throttle(req: FastifyRequest, reply: FastifyReply) {
    const token = (req.params as { token: string }).token;
    await ctx.limits.redeemPerIp.consume(req.ip, reply);
    await ctx.limits.redeemPerToken.consume(token.slice(0, 64), reply);
    await ctx.limits.redeemMissesPerIp.reserve(req.ip, reply);
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  }

  app.post('/v1/redeem/:token/pick', {
    preValidation: throttle,
    schema: {
      tags: ['redeem'],
      summary: 'Choice pack: pick k of its n products (reserves them all, or none)',
      description: 'Answers the pack with its components. 409 choice_unavailable (with unavailable[]) when a pick ran out meanwhile: nothing was reserved, pick another. 409 choice_already_picked on a second pick. Then POST /v1/redeem/{token}/reveal reveals every card-code component.',
      params: TokenParam,
      body: PickRequest,
      response: { 200: PickAnswer, ...problems(400, 404, 409, 410, 429) },
    },
    handler: async (req) => {
      try {
        const out = await pickChoices(ctx, (req.params as { token: string }).token, req.body as PickBody, { ip: req.ip });
        await ctx.limits.redeemMissesPerIp.refund(req.ip);
        return out;
      } catch (e) {
        if (!(e instanceof TokenNotFound)) await ctx.limits.redeemMissesPerIp.refund(req.ip);
        throw e;
      }
    },
  });
}
