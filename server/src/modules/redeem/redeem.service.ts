import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { AppError, gone } from '../../platform/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { openCode, unwrapBatchKey, type BatchKey, type CodeSecret } from '../inventory/index.ts';

// Public redemption by bearer token (blind box: only the holder of the link ever sees the code).
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface RedeemView {
  status: string;
  product: { name: string; platform: string; kind: string; period: { unit: string; count: number } | null; renewal: boolean };
  expires_at: string | null;
  redeemed_at: string | null;
  code_hint: string | null;
}

export class TokenNotFound extends AppError {
  constructor() {
    super(404, 'redeem_token_not_found', 'Not found', 'This redeem link is not valid. Check that it was copied completely.');
  }
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export async function viewRedeem(ctx: AppContext, token: string): Promise<RedeemView> {
  if (!TOKEN_PATTERN.test(token)) throw new TokenNotFound();
  const r = await sql<{
    status: string; expires_at: Date | null; redeemed_at: Date | null; hint: string | null;
    name: string; platform: string; kind: string; period_unit: string | null; period_count: number | null; renewal: boolean;
  }>`SELECT g.status, g.expires_at, g.redeemed_at, c.hint, p.name, p.platform, p.kind, p.period_unit, p.period_count, p.renewal
       FROM grants g JOIN products p ON p.id = g.product_id LEFT JOIN codes c ON c.id = g.code_id
      WHERE g.token_hash = ${tokenHash(token)}`.execute(ctx.db);
  const g = r.rows[0];
  if (!g) throw new TokenNotFound();
  const expired = g.status === 'expired' || (g.status === 'issued' && g.expires_at !== null && new Date(g.expires_at) <= new Date());
  if (expired) throw gone('grant_expired', 'This entitlement has expired.');
  if (g.status === 'voided') throw gone('grant_voided', 'This entitlement was cancelled by the issuer.');
  if (g.status === 'failed') throw gone('grant_failed', 'This entitlement could not be fulfilled.');
  return {
    status: g.status,
    product: {
      name: g.name,
      platform: g.platform,
      kind: g.kind,
      period: g.period_unit ? { unit: g.period_unit, count: g.period_count! } : null,
      renewal: g.renewal,
    },
    expires_at: iso(g.expires_at),
    redeemed_at: iso(g.redeemed_at),
    code_hint: g.status === 'redeemed' ? g.hint : null,
  };
}

// Unwrapped batch keys, kept briefly: a reveal should not unwrap the same key again and again.
const batchKeys = new Map<string, { key: BatchKey; at: number }>();

function batchKey(ctx: AppContext, batch: { id: string; dek_wrapped: Uint8Array; master_key_id: string }): BatchKey {
  const cacheKey = batch.id + ':' + batch.master_key_id;
  const hit = batchKeys.get(cacheKey);
  if (hit && Date.now() - hit.at < 300_000) return hit.key;
  const key = unwrapBatchKey(ctx.keyring, batch);
  if (batchKeys.size > 1000) batchKeys.clear();
  batchKeys.set(cacheKey, { key, at: Date.now() });
  return key;
}

/**
 * Reveals the code. The first reveal marks the grant redeemed and the code delivered; later reveals return
 * the same code (people lose it) and are counted. Every reveal is audited in the same transaction.
 */
export async function revealCode(ctx: AppContext, token: string, meta: { ip: string }): Promise<CodeSecret> {
  if (!TOKEN_PATTERN.test(token)) throw new TokenNotFound();
  const hash = tokenHash(token);
  return ctx.db.transaction().execute(async (tx) => {
    const g = await sql<{ id: string; code_id: number | null; reveal_count: number }>`
      UPDATE grants SET status = 'redeemed', redeemed_at = COALESCE(redeemed_at, now()), reveal_count = reveal_count + 1
       WHERE token_hash = ${hash}
         AND (status = 'redeemed' OR (status = 'issued' AND (expires_at IS NULL OR expires_at > now())))
      RETURNING id, code_id, reveal_count`.execute(tx);
    const grant = g.rows[0];
    if (!grant) {
      const current = await tx.selectFrom('grants').select(['status']).where('token_hash', '=', hash).executeTakeFirst();
      if (!current) throw new TokenNotFound();
      if (current.status === 'voided') throw gone('grant_voided', 'This entitlement was cancelled by the issuer.');
      if (current.status === 'failed') throw gone('grant_failed', 'This entitlement could not be fulfilled.');
      throw gone('grant_expired', 'This entitlement has expired.');
    }
    if (!grant.code_id) throw new AppError(500, 'grant_without_code', 'Internal error', 'This grant has no code attached.');
    const c = await sql<{ ciphertext: Uint8Array; hint: string; batch_id: string; dek_wrapped: Uint8Array; master_key_id: string }>`
      UPDATE codes c SET status = 'delivered', updated_at = now()
        FROM batches b
       WHERE c.id = ${grant.code_id} AND b.id = c.batch_id AND c.status IN ('reserved', 'delivered')
      RETURNING c.ciphertext, c.hint, c.batch_id, b.dek_wrapped, b.master_key_id`.execute(tx);
    const code = c.rows[0];
    if (!code) throw new AppError(500, 'code_unavailable', 'Internal error', 'The code of this grant is not available.');
    const secret = openCode(batchKey(ctx, { id: code.batch_id, dek_wrapped: code.dek_wrapped, master_key_id: code.master_key_id }), code.ciphertext);
    await appendAudit(tx, {
      actor: `public:${meta.ip}`,
      action: 'grant.reveal',
      target: grant.id,
      details: { reveal_count: grant.reveal_count, first: grant.reveal_count === 1, code_hint: code.hint },
    });
    return secret;
  });
}
