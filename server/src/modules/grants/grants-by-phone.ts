import type { AppContext } from '../../platform/context.ts';
import type { GrantStatus } from '../../platform/db/schema.ts';
import { redeemUrl } from './grant-view.ts';

// 我的权益 (flows/my-entitlements): the grants sent to one verified phone, found by its keyed fingerprint
// (grants never store the number in plain text). Newest first, capped, with the redeem link: the caller proved
// the phone by SMS code, and the link is what the recipient got in that SMS anyway.
export interface PhoneGrant {
  id: string;
  status: GrantStatus;
  product: { id: string; name: string; platform: string; kind: string; period: { unit: string; count: number } | null; renewal: boolean };
  expires_at: string | null;
  redeemed_at: string | null;
  created_at: string;
  redeem_url: string;
}

export const PHONE_GRANTS_MAX = 100;

/** Top-level grants (no bundle components) of this phone fingerprint, newest first; `before` pages by id. */
export async function grantsForPhone(ctx: AppContext, phoneFingerprint: Buffer, opts: { limit?: number; before?: string } = {}): Promise<PhoneGrant[]> {
  const limit = Math.max(1, Math.min(opts.limit ?? PHONE_GRANTS_MAX, PHONE_GRANTS_MAX));
  let q = ctx.db
    .selectFrom('grants as g')
    .innerJoin('products as p', 'p.id', 'g.product_id')
    .select(['g.id', 'g.status', 'g.expires_at', 'g.redeemed_at', 'g.created_at', 'p.id as product_id', 'p.name', 'p.platform', 'p.kind', 'p.period_unit', 'p.period_count', 'p.renewal'])
    .where('g.recipient_phone_fp', '=', phoneFingerprint)
    .where('g.parent_grant_id', 'is', null)
    .orderBy('g.id', 'desc') // grants_phone_id_idx (recipient_phone_fp, id DESC)
    .limit(limit);
  if (opts.before) q = q.where('g.id', '<', opts.before);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    product: { id: r.product_id, name: r.name, platform: r.platform, kind: r.kind, period: r.period_unit ? { unit: r.period_unit, count: r.period_count ?? 1 } : null, renewal: r.renewal },
    expires_at: r.expires_at ? r.expires_at.toISOString() : null,
    redeemed_at: r.redeemed_at ? r.redeemed_at.toISOString() : null,
    created_at: r.created_at.toISOString(),
    redeem_url: redeemUrl(ctx.config.publicUrl, ctx.secrets, r.id),
  }));
}
