import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { fail } from '../../platform/errors.ts';
import { problems } from '../../platform/http/schemas.ts';
import { RateLimit } from '../../platform/http/rate-limit.ts';
import { brandFor, sendH5Page } from '../../modules/h5/index.ts';
import { phoneProofFrom, PHONE_PROOF_COOKIE } from '../../modules/notify/index.ts';
import { myPage } from './me-page.ts';
import { markMyMessagesRead, myEntitlements } from './me.service.ts';

// 我的权益: the public API of one verified phone (the quanyi_phone cookie of POST /v1/public/phone-codes/verify)
// and its H5 page /me. Throttled per IP like the redeem views. No Idempotency-Key on the POSTs: marking read
// and logging out are idempotent by nature.

const Period = Type.Union([Type.Object({ unit: Type.String(), count: Type.Integer() }), Type.Null()]);
const MyGrant = Type.Object({
  id: Type.String(),
  status: Type.String({ description: 'pending (直充中) | issued (待领取) | redeemed (已领取) | expired | voided | failed' }),
  product: Type.Object({ id: Type.String(), name: Type.String(), platform: Type.String(), kind: Type.String(), period: Period, renewal: Type.Boolean() }),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  redeemed_at: Type.Union([Type.String(), Type.Null()]),
  period_ends_at: Type.Union([Type.String(), Type.Null()], { description: 'a redeemed membership: when its period ends' }),
  reminder: Type.Union([Type.Literal('expiring'), Type.Literal('period_ending'), Type.Null()], { description: 'unclaimed and expiring within 7 days, or the membership ends within 7 days' }),
  renewal_url: Type.Union([Type.String(), Type.Null()]),
  redeem_url: Type.String({ description: '/r/<token>: view (or view again) the entitlement' }),
});
const Message = Type.Object({ id: Type.String(), event: Type.String(), grant_id: Type.Union([Type.String(), Type.Null()]), title: Type.String(), body: Type.String(), read: Type.Boolean(), created_at: Type.String() });
const Mine = Type.Object({
  phone_masked: Type.String(),
  grants: Type.Array(MyGrant, { description: 'newest first, at most 100 per page' }),
  next_before: Type.Union([Type.String(), Type.Null()], { description: 'more, older grants: pass as ?before=' }),
  messages: Type.Array(Message, { description: 'in-app messages (站内信), newest first, with the first page only' }),
});

export async function myEntitlementsRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const perIp = new RateLimit('me-ip', ctx.config.limits.redeemPerIpPerMinute, 60, ctx.redis, ctx.config.redisPrefix);
  const proven = async (req: Parameters<typeof phoneProofFrom>[1], reply: Parameters<RateLimit['consume']>[1]) => {
    await perIp.consume(req.ip, reply);
    reply!.header('cache-control', 'no-store');
    const proof = phoneProofFrom(ctx, req);
    if (!proof) throw fail('phone_not_verified');
    return proof;
  };

  app.get('/v1/public/me', {
    schema: {
      tags: ['my-entitlements'],
      summary: '我的权益: the grants and in-app messages of the phone verified by SMS code (public)',
      description: 'Needs the quanyi_phone cookie of POST /v1/public/phone-codes/verify (401 phone_not_verified without it).',
      querystring: Type.Object({ before: Type.Optional(Type.String({ pattern: '^grt_[A-Za-z0-9]{1,60}$' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false }),
      response: { 200: Mine, ...problems(400, 401, 429) },
    },
    handler: async (req, reply) => myEntitlements(ctx, await proven(req, reply), req.query as { before?: string; limit?: number }),
  });

  app.post('/v1/public/me/messages/read', {
    schema: {
      tags: ['my-entitlements'],
      summary: 'Mark in-app messages of the verified phone read (public)',
      body: Type.Object({ ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 200 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ read: Type.Integer({ description: 'messages newly marked read' }) }), ...problems(400, 401, 429) },
    },
    handler: async (req, reply) => ({ read: await markMyMessagesRead(ctx, await proven(req, reply), (req.body as { ids: string[] }).ids) }),
  });

  app.post('/v1/public/me/logout', {
    schema: { tags: ['my-entitlements'], summary: 'Forget the verified phone on this browser (clears the quanyi_phone cookie)', response: { 204: Type.Null(), ...problems(429) } },
    handler: async (req, reply) => {
      await perIp.consume(req.ip, reply);
      reply.clearCookie(PHONE_PROOF_COOKIE, { path: '/' }).header('cache-control', 'no-store');
      return reply.status(204).send();
    },
  });

  // the page: the widget, or (cookie still valid) straight to the list; the data comes from the API above
  // the brand the link names (`/me?brand=brd_…`, from the client's app), else the default
  app.get('/me', { schema: { hide: true, querystring: Type.Object({ brand: Type.Optional(Type.String({ maxLength: 80 })) }) } }, async (req, reply) => {
    let verifiedAs: string | null = null;
    try {
      await perIp.consume(req.ip, reply);
      verifiedAs = phoneProofFrom(ctx, req)?.masked ?? null;
    } catch {
      // throttled: the page still renders, its script says so
    }
    reply.removeHeader('retry-after');
    const brand = await brandFor(ctx.db, { brandId: (req.query as { brand?: string }).brand });
    return sendH5Page(reply.status(200), myPage(brand, verifiedAs));
  });
}
