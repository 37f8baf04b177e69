import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, ERROR_CODES, fail } from '../../platform/errors.ts';
import { problems } from '../../platform/http/schemas.ts';
import { RateLimit } from '../../platform/http/rate-limit.ts';
import { SLUG_PATTERN } from '../../modules/campaigns/index.ts';
import { claimCampaign, verifiedPhoneOf } from './claim.ts';
import { campaignPageRoute, publicCampaign } from './campaign-page.ts';

// The public side of a campaign link, for the H5 page at PUBLIC_URL/c/<slug>: what the campaign is, and the
// claim. Throttled per IP (the claim more tightly: each one costs an SMS-verified phone, and a budget unit).

const SlugParam = Type.Object({ slug: Type.String({ pattern: SLUG_PATTERN, description: 'the 10 characters after /c/' }) });

const CampaignPage = Type.Object({
  campaign_id: Type.String({ description: 'brand reference (the H5 shell brands per campaign, else per client)' }),
  client_id: Type.String({ description: 'brand reference' }),
  name: Type.String(),
  description: Type.String(),
  instructions: Type.String(),
  product: Type.Object({ name: Type.String(), platform: Type.String(), kind: Type.String(), period: Type.Unknown(), renewal: Type.Boolean() }),
  starts_at: Type.String({ format: 'date-time' }),
  ends_at: Type.String({ format: 'date-time' }),
  per_person_limit: Type.Integer(),
  available: Type.Boolean({ description: 'grants still available (the count is not shown)' }),
  state: Type.Union(['open', 'not_started', 'paused', 'sold_out', 'ended'].map((s) => Type.Literal(s)), {
    description: 'open: claims accepted; otherwise the claim answers the matching error (campaign_not_started, campaign_paused, campaign_sold_out, campaign_ended)',
  }),
});

const ClaimBody = Type.Object({ device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' })) }, { additionalProperties: false });
const Claimed = Type.Object({ claim_id: Type.String(), grant_id: Type.String(), redeem_url: Type.String({ description: '/r/<token>: send the visitor there' }) });
const InReview = Type.Object({ status: Type.Literal('in_review'), detail: Type.String() }, { description: 'risk control holds the claim for an operator; the grant follows once approved' });


/** The device id risk control counts by: the body's, else the X-Quanyi-Device header the H5 pages send. */
function deviceOf(req: FastifyRequest): string | undefined {
  const body = (req.body as { device_id?: string } | undefined)?.device_id;
  const header = req.headers['x-quanyi-device'];
  return body ?? (typeof header === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(header) ? header : undefined);
}

export async function campaignClaimRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const views = new RateLimit('campaign-view-ip', ctx.config.limits.redeemPerIpPerMinute, 60, ctx.redis, ctx.config.redisPrefix);
  const claims = new RateLimit('campaign-claim-ip', ctx.config.limits.campaignClaimsPerIpPerMinute, 60, ctx.redis, ctx.config.redisPrefix);

  app.get('/v1/public/campaigns/:slug', {
    schema: {
      tags: ['campaigns'],
      summary: 'What a campaign link shows (public)',
      params: SlugParam,
      response: { 200: CampaignPage, ...problems(400, 404, 429) },
    },
    handler: async (req, reply) => {
      await views.consume(req.ip, reply);
      reply.header('cache-control', 'no-store');
      return publicCampaign(ctx, (req.params as { slug: string }).slug);
    },
  });

  app.post('/v1/public/campaigns/:slug/claim', {
    schema: {
      tags: ['campaigns'],
      summary: 'Claim one grant with the phone verified by SMS code (public)',
      description:
        'The phone comes from the HttpOnly cookie set by POST /v1/public/phone-codes/verify (401 phone_not_verified without it). 201 with the redeem URL; a phone over the per-person limit gets 409 campaign_limit_reached with the redeem_url of the grant it already has. No Idempotency-Key: a repeated claim is answered by the per-person limit.',
      params: SlugParam,
      body: Type.Optional(ClaimBody),
      response: { 201: Claimed, 202: InReview, ...problems(400, 401, 403, 404, 409, 410, 429) },
    },
    handler: async (req, reply) => {
      await claims.consume(req.ip, reply);
      const phone = await verifiedPhoneOf(ctx, req);
      if (!phone) throw fail('phone_not_verified');
      const r = await claimCampaign(ctx, { slug: (req.params as { slug: string }).slug, phone, ip: req.ip, deviceId: deviceOf(req) });
      if (r.outcome === 'issued') return reply.status(201).send({ claim_id: r.claim_id, grant_id: r.grant_id, redeem_url: r.redeem_url });
      if (r.outcome === 'review') return reply.status(202).send({ status: 'in_review', detail: r.detail });
      const e = ERROR_CODES[r.code];
      throw new AppError(e.status, r.code, e.title, r.detail, r.redeem_url !== undefined ? { redeem_url: r.redeem_url } : {});
    },
  });

  // the H5 page PUBLIC_URL/c/<slug>, throttled like the API view
  campaignPageRoute(app, ctx, views);
}
