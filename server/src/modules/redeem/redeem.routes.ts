import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { problems } from '../../platform/http/schemas.ts';
import { brandFor, DEFAULT_BRAND, qrImage, sendH5Page, type PageBrand } from '../h5/index.ts';
import { redeemPage } from './redeem-page.ts';
import { redeemPageData, revealCode, TokenNotFound, viewRedeem, type RedeemView } from './redeem.service.ts';
import { PackRedeemFields, RevealedComponent } from './redeem-components.ts';

const TokenParam = Type.Object({ token: Type.String({ maxLength: 200 }) });

/** direct recharge: what the H5 page asks for and then watches (docs/direct-recharge.md) */
export const RedeemRecharge = Type.Object({
  status: Type.Union([Type.Literal('awaiting_account'), Type.Literal('pending'), Type.Literal('redeemed'), Type.Literal('failed')], {
    description: 'awaiting_account: ask for the account (POST /v1/redeem/{token}/recharge); pending: the supplier is recharging; then redeemed or failed',
  }),
  account_masked: Type.Union([Type.String(), Type.Null()]),
  account_types: Type.Array(Type.String(), { description: 'what the account may be: mobile, qq, uid, email' }),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
});

const RedeemView = Type.Object({
  status: Type.String(),
  product: Type.Object({
    name: Type.String(),
    platform: Type.String(),
    kind: Type.String(),
    period: Type.Union([Type.Object({ unit: Type.String(), count: Type.Integer() }), Type.Null()]),
    renewal: Type.Boolean(),
  }),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  redeemed_at: Type.Union([Type.String(), Type.Null()]),
  code_hint: Type.Union([Type.String(), Type.Null()]),
  account_hint: Type.Union([Type.String(), Type.Null()], { description: 'direct recharge: the account, masked' }),
  ...PackRedeemFields,
  recharge: Type.Optional(RedeemRecharge),
});

const Revealed = Type.Object({
  card_number: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  code_expires_at: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'the code\'s own expiry at the platform' })),
  components: Type.Optional(Type.Array(RevealedComponent, { description: 'bundle / choice pack: every component; card codes and links with their secret' })),
});

/**
 * The limits of every route under /v1/redeem/:token (also the flows' POST …/recharge): `throttle` as the
 * route's preValidation, `countMiss` around the work so only unknown tokens spend the guessing budget.
 */
export function redeemGuards(ctx: AppContext) {
  const { redeemPerIp, redeemPerToken, redeemMissesPerIp } = ctx.limits;

  // Limits: a generous per-IP budget (an office shares one address), a per-token budget, and a strict
  // budget of *unknown* tokens per IP, which is what stops guessing without slowing honest users. The
  // unknown-token budget is reserved before the lookup and refunded when the token exists: checked after,
  // every guess in flight would be looked up (200 parallel guesses once got 50 lookups against 30).
  async function throttle(req: FastifyRequest, reply: FastifyReply) {
    const token = (req.params as { token: string }).token;
    await redeemPerIp.consume(req.ip, reply);
    await redeemPerToken.consume(token.slice(0, 64), reply);
    await redeemMissesPerIp.reserve(req.ip, reply);
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  }

  async function countMiss<T>(req: FastifyRequest, work: () => Promise<T>): Promise<T> {
    try {
      const found = await work();
      await redeemMissesPerIp.refund(req.ip);
      return found;
    } catch (e) {
      if (!(e instanceof TokenNotFound)) await redeemMissesPerIp.refund(req.ip); // the token exists (410 …) or we failed
      throw e;
    }
  }

  return { throttle, countMiss };
}

export async function redeemRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const { throttle, countMiss } = redeemGuards(ctx);

  app.get('/v1/redeem/:token', {
    preValidation: throttle,
    schema: { tags: ['redeem'], summary: 'What a redeem link holds (never the code; for a direct recharge, `recharge`); 410 once expired or voided', params: TokenParam, response: { 200: RedeemView, ...problems(404, 410, 429) } },
    handler: async (req) => countMiss(req, () => viewRedeem(ctx, (req.params as { token: string }).token)),
  });

  app.post('/v1/redeem/:token/reveal', {
    preValidation: throttle,
    schema: { tags: ['redeem'], summary: 'Reveal the code; the first reveal redeems the grant', params: TokenParam, response: { 200: Revealed, ...problems(404, 409, 410, 429) } },
    handler: async (req) => countMiss(req, () => revealCode(ctx, (req.params as { token: string }).token, { ip: req.ip })),
  });

  for (const format of ['png', 'svg'] as const) {
    app.get(`/v1/redeem/:token/qr.${format}`, {
      preValidation: throttle,
      schema: { tags: ['redeem'], summary: `The redeem link as a QR code (${format.toUpperCase()})`, params: TokenParam, response: { 200: Type.String({ description: format === 'png' ? 'image/png' : 'image/svg+xml' }), ...problems(404, 429) } },
      handler: async (req, reply) => {
        const token = (req.params as { token: string }).token;
        await countMiss(req, () => redeemPageData(ctx, token)); // 404 for an unknown token, counted as a guess
        const img = await qrImage(`${ctx.config.publicUrl}/r/${token}`, format);
        return reply.type(img.type).header('x-content-type-options', 'nosniff').send(img.body);
      },
    });
  }

  // The page, on the H5 shell in the brand of the grant's campaign or client. Its lookup is throttled and
  // counted like the API's; when it is refused (unknown token, throttled, database down) the page still
  // renders in the default brand and its script tells the holder what happened.
  app.get('/r/:token', { schema: { hide: true, params: TokenParam } }, async (req, reply) => {
    let brand: PageBrand = DEFAULT_BRAND;
    let view: RedeemView | null = null;
    try {
      await throttle(req, reply);
      const data = await countMiss(req, () => redeemPageData(ctx, (req.params as { token: string }).token));
      view = data.view;
      brand = await brandFor(ctx.db, data);
    } catch {
      // unknown, throttled or unreachable: the default look, and the script reports what the API says
    }
    reply.removeHeader('retry-after');
    return sendH5Page(reply.status(200), redeemPage(brand, view));
  });
}
