import type { AppContext } from '../../platform/context.ts';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { AppError, gone } from '../../platform/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { codeHint, deliverCode, type CodeSecret } from '../inventory/index.ts';
import { grantByTokenHash, grantForToken, PACK_KINDS, recordGrantEvent, revealGrant } from '../grants/index.ts';
import { packRedeemView, revealPack, type RevealedComponent } from './redeem-components.ts';

// Public redemption by bearer token (blind box: only the holder of the link ever sees the code). A use case
// across modules: the grant moves through grants' front door, the code through inventory's, in ONE
// transaction with the audit event. (It lives in the redeem module, not in flows/, because its routes call
// it and the dependency rules keep modules from importing flows; it touches no table itself.)
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class TokenNotFound extends AppError {
  constructor() {
    super(404, 'redeem_token_not_found', 'Not found', 'This redeem link is not valid. Check that it was copied completely.');
  }
}

export interface RedeemView {
  status: string;
  product: { name: string; platform: string; kind: string; period: { unit: string; count: number } | null; renewal: boolean };
  expires_at: string | null;
  redeemed_at: string | null;
  code_hint: string | null;
  /** direct recharge: the account it goes to, masked (null for card codes, or when none was given yet) */
  account_hint: string | null;
  /** bundle / choice pack: redeem-components.ts */
  pick_count?: number | null;
  picked?: boolean;
  options?: unknown[];
  components?: unknown[];
  /** direct recharge only: what the H5 page asks for (the account) and then watches (pending → done) */
  recharge?: RechargeState;
}

export interface RechargeState {
  status: 'awaiting_account' | 'pending' | 'redeemed' | 'failed';
  account_masked: string | null;
  account_types: string[];
  failure: { code: string; message: string } | null;
}

/** A direct-recharge grant as its redeem link shows it: `issued` without a code is waiting for the account. */
export function rechargeStateOf(g: Pick<TokenGrant, 'status' | 'recipient_account_masked' | 'account_types' | 'failure_code' | 'failure_message'>): RechargeState {
  const status = g.status === 'issued' ? 'awaiting_account' : (g.status as RechargeState['status']);
  return {
    status,
    account_masked: g.recipient_account_masked,
    account_types: [...g.account_types],
    failure: g.status === 'failed' && g.failure_code ? { code: g.failure_code, message: g.failure_message ?? '' } : null,
  };
}

/** What reveal answers: the code and the code's own expiry (the platform refuses it after that). */
export type Revealed = CodeSecret & { code_expires_at: string | null };

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function refusal(status: string | null): AppError {
  if (!status) return new TokenNotFound();
  if (status === 'voided') return gone('grant_voided', 'This entitlement was cancelled by the issuer.');
  if (status === 'failed') return gone('grant_failed', 'This entitlement could not be fulfilled.');
  return gone('grant_expired', 'This entitlement has expired.');
}

export async function viewRedeem(ctx: AppContext, token: string): Promise<RedeemView> {
  if (!TOKEN_PATTERN.test(token)) throw new TokenNotFound();
  const g = await grantByTokenHash(ctx.db, tokenHash(token));
  if (!g) throw new TokenNotFound();
  return viewOf(ctx, g);
}

type TokenGrant = NonNullable<Awaited<ReturnType<typeof grantByTokenHash>>>;

async function viewOf(ctx: AppContext, g: TokenGrant): Promise<RedeemView> {
  const expired = g.status === 'expired' || (g.status === 'issued' && g.expires_at !== null && new Date(g.expires_at) <= new Date());
  const recharge = g.kind === 'direct_recharge';
  // a failed direct recharge still answers: its page shows why (the account was refused …)
  if (expired || g.status === 'voided' || (g.status === 'failed' && !recharge)) throw refusal(expired ? 'expired' : g.status);
  const view: RedeemView = {
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
    code_hint: g.status === 'redeemed' && g.code_id !== null ? await codeHint(ctx.db, g.code_id) : null,
    account_hint: g.kind === 'direct_recharge' ? g.recipient_account_masked : null,
    ...(recharge ? { recharge: rechargeStateOf(g) } : {}),
  };
  return PACK_KINDS.includes(g.kind) ? { ...view, ...(await packRedeemView(ctx.db, { id: g.id, kind: g.kind, product_id: g.product_id })) } : view;
}

/**
 * What the page of a token is drawn with: whose brand (the grant's campaign, else its client) and the view,
 * or null when the grant is expired, voided or failed (the page script then says which). One lookup, so the
 * first screen is complete without waiting for the API. Throws TokenNotFound for an unknown token, so the
 * page route counts it against the guessing budget like the API does.
 */
export async function redeemPageData(ctx: AppContext, token: string): Promise<{ clientId: string | null; campaignId: string | null; view: RedeemView | null }> {
  if (!TOKEN_PATTERN.test(token)) throw new TokenNotFound();
  const g = await grantByTokenHash(ctx.db, tokenHash(token));
  if (!g) throw new TokenNotFound();
  const view = await viewOf(ctx, g).catch((e) => {
    if (e instanceof AppError && e.status === 410) return null;
    throw e;
  });
  return { clientId: g.client_id, campaignId: g.campaign, view };
}


/**
 * Reveals the code. The first reveal marks the grant redeemed and the code delivered; later reveals return
 * the same code (people lose it) and are counted. Every reveal is audited in the same transaction.
 */
export async function revealCode(ctx: AppContext, token: string, meta: { ip: string }): Promise<Revealed | { components: RevealedComponent[] }> {
  if (!TOKEN_PATTERN.test(token)) throw new TokenNotFound();
  const hash = tokenHash(token);
  return ctx.db.transaction().execute(async (tx) => {
    const grant = await revealGrant(tx, hash);
    if (!grant.revealed) throw refusal(grant.status);
    // a bundle or choice pack holds no code itself: its components are revealed with it
    const pack = grant.code_id ? null : await grantForToken(tx, hash);
    if (pack && PACK_KINDS.includes(pack.kind)) {
      const out = await revealPack(tx, ctx, { id: grant.id, kind: pack.kind }, meta);
      await appendAudit(tx, { actor: `public:${meta.ip}`, action: 'grant.reveal', target: grant.id, details: { reveal_count: grant.reveal_count, first: grant.reveal_count === 1, components: out.components.length } });
      if (grant.reveal_count === 1) await recordGrantEvent(tx, ctx, 'grant.redeemed', grant.id, grant.client_id);
      return out;
    }
    if (!grant.code_id) throw new AppError(500, 'grant_without_code', 'Internal error', 'This grant has no code attached.');
    const code = await deliverCode(tx, grant.code_id, ctx.keyring);
    await appendAudit(tx, {
      actor: `public:${meta.ip}`,
      action: 'grant.reveal',
      target: grant.id,
      details: { reveal_count: grant.reveal_count, first: grant.reveal_count === 1, code_hint: code.hint },
    });
    if (grant.reveal_count === 1) await recordGrantEvent(tx, ctx, 'grant.redeemed', grant.id, grant.client_id);
    return { ...code.secret, code_expires_at: iso(code.expiresAt) };
  });
}
