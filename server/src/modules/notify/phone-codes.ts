import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { AppError, badRequest, fail } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { RateLimit } from '../../platform/http/rate-limit.ts';
import { normalisePhone } from '../../platform/phone.ts';
import { safeEqualHex } from '../../platform/crypto/server-secrets.ts';
import { maskPhone } from '../grants/index.ts';
import { enqueueNotification } from './notify.service.ts';

// Phone verification by SMS code (issue 7 §2 campaign links, §6 我的权益). A 6-digit code, stored only as a
// keyed hash, valid 5 minutes, at most 5 verify attempts (counted by a conditional UPDATE, so parallel
// guesses cannot exceed it), a resend not before 60 s, and per-phone / per-IP limits (Redis when configured).
// A verified phone gets a 30-minute HttpOnly cookie holding a proof sealed with the server's keys.
export const PHONE_CODE_TTL_SECONDS = 300;
export const PHONE_CODE_MAX_ATTEMPTS = 5;
export const PHONE_CODE_RESEND_SECONDS = 60;
export const PHONE_PROOF_COOKIE = 'quanyi_phone';
export const PHONE_PROOF_TTL_SECONDS = 1800;
export const PHONE_CODE_PURPOSES = ['campaign', 'my_entitlements'] as const;

const limitsOf = new WeakMap<AppContext, { perPhone: RateLimit; perIp: RateLimit }>();
function limits(ctx: AppContext) {
  let l = limitsOf.get(ctx);
  if (!l) {
    l = {
      perPhone: new RateLimit('phone-code-phone', 10, 3600, ctx.redis, ctx.config.redisPrefix),
      perIp: new RateLimit('phone-code-ip', 30, 3600, ctx.redis, ctx.config.redisPrefix),
    };
    limitsOf.set(ctx, l);
  }
  return l;
}

function phoneOf(input: string): string {
  const phone = normalisePhone(input);
  if (!phone) throw badRequest('validation_failed', 'The phone number is not valid.', [{ field: 'phone', message: 'not a phone number' }]);
  return phone;
}

const codeHash = (ctx: AppContext, id: string, code: string) => ctx.secrets.requestHash(`phone-code\0${id}\0${code}`);

/** Sends a code: 202 with when a resend is allowed. A resend within 60 s is 429 with Retry-After. */
export async function requestPhoneCode(ctx: AppContext, input: { phone: string; purpose: string; ip: string }, reply?: FastifyReply): Promise<{ retry_after_seconds: number }> {
  const phone = phoneOf(input.phone);
  const fp = ctx.secrets.phoneFingerprint(phone);
  await limits(ctx).perIp.consume(input.ip, reply);
  await limits(ctx).perPhone.consume(fp.toString('hex'), reply);
  const id = newId('pvc');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const sent = await ctx.db.transaction().execute(async (tx) => {
    // the resend rule in the insert itself: no second code within 60 s, whatever runs in parallel (the
    // per-phone advisory lock orders two concurrent requests for one phone)
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${'phone-code:' + fp.toString('hex')}, 0))`.execute(tx);
    const inserted = await sql<{ id: string }>`
      INSERT INTO notify_phone_codes (id, phone_fp, purpose, code_hash, max_attempts, expires_at)
      SELECT ${id}, ${fp}, ${input.purpose}, ${codeHash(ctx, id, code)}, ${PHONE_CODE_MAX_ATTEMPTS}, now() + make_interval(secs => ${PHONE_CODE_TTL_SECONDS})
       WHERE NOT EXISTS (SELECT 1 FROM notify_phone_codes WHERE phone_fp = ${fp} AND purpose = ${input.purpose}
                           AND created_at > now() - make_interval(secs => ${PHONE_CODE_RESEND_SECONDS}))
      RETURNING id`.execute(tx);
    if (!inserted.rows.length) return false;
    await enqueueNotification(ctx, tx, { event: 'phone.verify', channel: 'sms', category: 'transactional', phone, vars: { code, minutes: String(PHONE_CODE_TTL_SECONDS / 60) } });
    return true;
  });
  if (!sent) {
    const last = await ctx.db.selectFrom('notify_phone_codes').select('created_at').where('phone_fp', '=', fp).where('purpose', '=', input.purpose).orderBy('created_at', 'desc').executeTakeFirst();
    const wait = Math.max(1, Math.ceil(((last?.created_at.getTime() ?? Date.now()) + PHONE_CODE_RESEND_SECONDS * 1000 - Date.now()) / 1000));
    reply?.header('retry-after', String(wait));
    throw new AppError(429, 'phone_code_too_soon', 'Too many requests', `A code was sent less than ${PHONE_CODE_RESEND_SECONDS} s ago; retry in ${wait} s.`, { retry_after: wait });
  }
  return { retry_after_seconds: PHONE_CODE_RESEND_SECONDS };
}

export interface PhoneProof {
  phone: string;
  phoneFingerprint: Buffer;
  masked: string;
  purpose: string;
  expiresAt: Date;
}

/** Checks a code. Wrong → phone_code_invalid; expired → phone_code_expired; the 6th try → phone_code_attempts_exceeded. */
export async function verifyPhoneCode(ctx: AppContext, input: { phone: string; code: string; purpose: string }): Promise<{ proof: string; phone_masked: string }> {
  const phone = phoneOf(input.phone);
  const fp = ctx.secrets.phoneFingerprint(phone);
  const latest = await ctx.db
    .selectFrom('notify_phone_codes')
    .select(['id', 'expires_at', 'consumed_at', 'attempts', 'max_attempts'])
    .where('phone_fp', '=', fp)
    .where('purpose', '=', input.purpose)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!latest || latest.consumed_at) throw fail('phone_code_invalid', 'The code is wrong; request a new one if needed.');
  if (latest.expires_at.getTime() <= Date.now()) throw fail('phone_code_expired', 'The code expired; request a new one.');
  // one attempt taken atomically, before comparing: parallel guesses cannot exceed the maximum
  const taken = await ctx.db
    .updateTable('notify_phone_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', latest.id)
    .where('consumed_at', 'is', null)
    .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
    .returning(['code_hash', 'attempts'])
    .executeTakeFirst();
  if (!taken) throw fail('phone_code_attempts_exceeded', 'Too many wrong codes; request a new one.');
  if (!/^\d{6}$/.test(input.code) || !safeEqualHex(codeHash(ctx, latest.id, input.code), taken.code_hash)) {
    throw fail('phone_code_invalid', `The code is wrong (${PHONE_CODE_MAX_ATTEMPTS - taken.attempts} attempts left).`);
  }
  const consumed = await ctx.db.updateTable('notify_phone_codes').set({ consumed_at: new Date() }).where('id', '=', latest.id).where('consumed_at', 'is', null).executeTakeFirst();
  if (Number(consumed.numUpdatedRows) === 0) throw fail('phone_code_invalid', 'The code was used already.');
  return { proof: sealPhoneProof(ctx, phone, input.purpose), phone_masked: maskPhone(phone) };
}

/** The cookie value that proves `phone` for half an hour (sealed: the client can neither read nor forge it). */
export function sealPhoneProof(ctx: AppContext, phone: string, purpose: string): string {
  const expiresAt = Date.now() + PHONE_PROOF_TTL_SECONDS * 1000;
  return ctx.secrets.sealPii(JSON.stringify({ p: phone, u: purpose, e: expiresAt }), 'phone-proof').toString('base64url');
}

/** The phone a request has proven (the quanyi_phone cookie), or null (none, tampered, expired). */
export function phoneProofFrom(ctx: AppContext, request: FastifyRequest): PhoneProof | null {
  const raw = request.cookies?.[PHONE_PROOF_COOKIE];
  if (!raw || raw.length > 1024) return null;
  try {
    const v = JSON.parse(ctx.secrets.openPii(Buffer.from(raw, 'base64url'), 'phone-proof')) as { p: string; u: string; e: number };
    if (typeof v.e !== 'number' || v.e <= Date.now()) return null;
    return { phone: v.p, phoneFingerprint: ctx.secrets.phoneFingerprint(v.p), masked: maskPhone(v.p), purpose: v.u, expiresAt: new Date(v.e) };
  } catch {
    return null;
  }
}
