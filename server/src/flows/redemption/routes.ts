import { createHash, randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { clientAuthOf, requireClient } from '../../platform/auth/client-auth.ts';
import { badRequest, validationFailed } from '../../platform/errors.ts';
import { problems } from '../../platform/http/schemas.ts';
import { normalisePhone, PHONE_PATTERN } from '../../platform/phone.ts';
import { Grant } from '../../modules/grants/index.ts';
import type { ClaimRecipient } from '../../modules/redemption/index.ts';
import { FACTS } from '../../modules/risk/index.ts';
import { claimRedemptionCode, type ClaimInput } from './claim.ts';

// The two ways to claim a redemption code. Guessing is throttled as for redeem tokens (modules/redeem): on the
// public API the per-IP budget and the budget of unknown codes per IP (the same one as unknown redeem tokens:
// one guesser, one budget), reserved before the lookup and given back when the code exists; on the signed API
// the per-client limit and the unknown-code budget per recipient. A typo caught by the check character costs
// nothing from the guessing budget.

const InReview = Type.Object(
  { status: Type.Literal('in_review'), review_id: Type.String() },
  { description: 'risk control holds the claim for an operator; the grant follows once approved (on the signed API too: the rules apply to what the call says of its user)' },
);

const CodeField = Type.String({ minLength: 1, maxLength: 64, description: 'the redemption code as typed (case, spaces and dashes do not matter)' });
const ClientClaimBody = Type.Object(
  {
    code: CodeField,
    recipient: Type.Object(
      {
        external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN, maxLength: 32 })),
        email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
        account: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'direct recharge: the account to top up' })),
      },
      { additionalProperties: false, minProperties: 1, description: 'who claims; the per-user limit counts by external_id, else phone, else email, else account' },
    ),
    risk: Type.Optional(
      Type.Object(
        {
          ip: Type.Optional(Type.String({ minLength: 2, maxLength: 64, description: "the user's IP address as your system saw it (IP blacklists and IP limits apply only with it)" })),
          device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "your system's id of the user's device" })),
          facts: Type.Optional(
            Type.Object(
              Object.fromEntries(Object.entries(FACTS).map(([name, f]) => [name, Type.Optional(f.type === 'boolean' ? Type.Boolean({ description: f.description }) : Type.Integer({ minimum: 0, description: f.description }))])),
              { additionalProperties: false, description: 'what your system vouches for, checked by the new-user thresholds of risk control' },
            ),
          ),
        },
        { additionalProperties: false, description: "what your system knows of the user, for risk control (the rules of the set's product and client apply to every claim)" },
      ),
    ),
  },
  { additionalProperties: false },
);
const PublicClaimBody = Type.Object(
  {
    code: CodeField,
    phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN, maxLength: 32 })),
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'direct recharge: the account to top up' })),
  },
  { additionalProperties: false },
);
const ClientClaimed = Type.Object({ claim_id: Type.String(), set_id: Type.String(), grant: Grant });
const PublicClaimed = Type.Object({
  claim_id: Type.String(),
  status: Type.String({ description: 'the grant: issued, or pending for a direct recharge' }),
  redeem_url: Type.Union([Type.String(), Type.Null()], { description: 'open it to reveal (the H5 goes to /r/<token>)' }),
  product: Type.Object({ name: Type.String(), platform: Type.String(), kind: Type.String() }),
  expires_at: Type.Union([Type.String(), Type.Null()]),
});

// the cookie the H5 script (assets/h5.js) keeps its device id in, and sends as X-Quanyi-Device: one name, one
// id. Not HttpOnly: the script must read the id the server set (a device id is not a credential).
export const DEVICE_COOKIE = 'qy_dev';
export const DEVICE_HEADER = 'x-quanyi-device';
const DEVICE_ID = /^[A-Za-z0-9_-]{16,128}$/;

/** The budget of unknown codes for `key` (an IP on the public API), reserved before the lookup. */
function guardOf(ctx: AppContext, key: string, reply: FastifyReply): ClaimInput['guard'] {
  return {
    beforeLookup: () => ctx.limits.redeemMissesPerIp.reserve(key, reply),
    found: () => ctx.limits.redeemMissesPerIp.refund(key),
  };
}

/**
 * Who claims on the public page: the phone when given (normalised), else the device id from the
 * `X-Quanyi-Device` header or the `qy_dev` cookie; a browser without one gets a new cookie. A device id
 * is weak (a cleared cookie is a new user): risk control adds IP and device limits on top.
 */
function publicIdentity(req: FastifyRequest, reply: FastifyReply, phone: string | null): { identity: string; device: string | null } {
  if (phone) return { identity: 'phone:' + phone, device: null };
  const header = req.headers[DEVICE_HEADER];
  let device = typeof header === 'string' && DEVICE_ID.test(header) ? header : req.cookies?.[DEVICE_COOKIE];
  if (!device || !DEVICE_ID.test(device)) {
    device = randomBytes(18).toString('base64url');
    reply.setCookie(DEVICE_COOKIE, device, { path: '/', httpOnly: false, secure: req.protocol === 'https', sameSite: 'lax', maxAge: 365 * 86_400 });
  }
  return { identity: 'device:' + device, device };
}

export async function redemptionClaimRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const write = requireClient(clientAuthOf(ctx), 'grants:write');

  app.post('/v1/redemption-codes/claim', {
    preValidation: write,
    schema: {
      tags: ['redemption'],
      summary: 'Claim a redemption code for a recipient: issues a grant of the code set\'s product',
      description: 'Requires Idempotency-Key: a replay returns the same claim and grant. Only codes of your own sets. 400 redemption_code_typo (caught by the check character, nothing looked up), 404 redemption_code_not_found, 409 redemption_code_exhausted / redemption_limit_reached / redemption_code_not_started / redemption_code_paused / out_of_stock, 410 redemption_code_expired / redemption_code_voided. Risk control (the rules of the set\'s product and client, on the recipient and the optional `risk` facts) may refuse — 403 risk_blacklisted / risk_threshold_not_met, 429 risk_limit_exceeded — or hold the claim for an operator: 202 in_review.',
      security: [{ signature: [] }],
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
      body: ClientClaimBody,
      response: { 201: ClientClaimed, 202: Type.Union([ClientClaimed, InReview]), ...problems(400, 401, 403, 404, 409, 410, 429) },
    },
    handler: async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
        throw badRequest('idempotency_key_required', 'Send an Idempotency-Key header (1–255 printable characters) with every POST.');
      }
      const body = req.body as { code: string; recipient: ClaimRecipient; risk?: { ip?: string; device_id?: string; facts?: Record<string, unknown> } };
      const r = body.recipient;
      const phone = r.phone === undefined ? null : normalisePhone(r.phone);
      if (r.phone !== undefined && !phone) throw validationFailed([{ field: 'recipient.phone', message: 'must be a phone number (6–20 digits)' }]);
      const identity = r.external_id ? 'ext:' + r.external_id : phone ? 'phone:' + phone : r.email ? 'email:' + r.email.toLowerCase() : 'account:' + r.account;
      const out = await claimRedemptionCode(ctx, {
        code: body.code,
        channel: 'api',
        recipient: r,
        identity,
        caller: { clientId: req.client!.id, idempotencyKey: key, requestHash: ctx.secrets.requestHash(req.rawBody) },
        // a client's server sends every user's claims from its few addresses: the per-client request limit
        // applies, and the unknown-code budget is per recipient of that client (not per IP)
        guard: guardOf(ctx, `${req.client!.id}:${ctx.secrets.redemptionUserKey(identity).toString('base64url')}`, reply),
        ip: body.risk?.ip,
        deviceId: body.risk?.device_id,
        facts: body.risk?.facts,
      });
      if ('held' in out) return reply.status(202).send({ status: 'in_review', review_id: out.review_id });
      if (out.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(out.grant.status === 'pending' ? 202 : 201).send({ claim_id: out.claim_id, set_id: out.set_id, grant: out.grant });
    },
  });

  app.post('/v1/public/redemption/claim', {
    schema: {
      tags: ['redemption'],
      summary: 'Claim a redemption code on the H5 page (public, throttled)',
      description: `The per-user limit counts by phone when given, else by a device id: the ${DEVICE_HEADER} header, or the ${DEVICE_COOKIE} cookie (set on first use). Errors as for the signed claim; 429 when guessing.`,
      body: PublicClaimBody,
      response: { 201: PublicClaimed, 202: Type.Union([PublicClaimed, InReview]), ...problems(400, 403, 404, 409, 410, 429) },
    },
    handler: async (req, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      await ctx.limits.redeemPerIp.consume(req.ip, reply);
      const body = req.body as { code: string; phone?: string; account?: string };
      const phone = body.phone === undefined ? null : normalisePhone(body.phone);
      if (body.phone !== undefined && !phone) throw validationFailed([{ field: 'phone', message: 'must be a phone number (6–20 digits)' }]);
      const { identity, device } = publicIdentity(req, reply, phone);
      const recipient: ClaimRecipient = {
        ...(phone ? { phone } : { external_id: 'h5-device:' + createHash('sha256').update(device!).digest('hex').slice(0, 24) }),
        ...(body.account ? { account: body.account } : {}),
      };
      const deviceHeader = req.headers[DEVICE_HEADER];
      const deviceId = device ?? (typeof deviceHeader === 'string' && DEVICE_ID.test(deviceHeader) ? deviceHeader : req.cookies?.[DEVICE_COOKIE]);
      const out = await claimRedemptionCode(ctx, { code: body.code, channel: 'h5', recipient, identity, guard: guardOf(ctx, req.ip, reply), ip: req.ip, deviceId });
      if ('held' in out) return reply.status(202).send({ status: 'in_review', review_id: out.review_id });
      const g = out.grant;
      return reply.status(g.status === 'pending' ? 202 : 201).send({
        claim_id: out.claim_id,
        status: g.status,
        redeem_url: g.redeem_url,
        product: { name: g.product.name, platform: g.product.platform, kind: g.product.kind },
        expires_at: g.expires_at,
      });
    },
  });
}
