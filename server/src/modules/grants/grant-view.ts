import type { ServerSecrets } from '../../platform/crypto/server-secrets.ts';
import type { Grant, GrantComponent } from './grants.schemas.ts';

// Renders a grant row (joined with its product) for the API. The redeem URL is derived, never stored.
export interface GrantRow {
  id: string;
  status: Grant['status'];
  product_id: string;
  sku: string;
  name: string;
  platform: string;
  kind: Grant['product']['kind'];
  period_unit: string | null;
  period_count: number | null;
  renewal: boolean;
  recipient_external_id: string | null;
  recipient_phone_masked: string | null;
  recipient_email: string | null;
  out_order_no: string | null;
  metadata: Record<string, unknown>;
  expires_at: Date | null;
  created_at: Date;
  redeemed_at: Date | null;
  ended_at: Date | null;
  /** direct recharge (absent from card-code rows) */
  recipient_account_masked?: string | null;
  failure_code?: string | null;
  failure_message?: string | null;
  /** bundle / choice pack: the component grants (bundle-grants.ts `withComponents`) */
  components?: GrantRow[];
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function redeemUrl(publicUrl: string, secrets: ServerSecrets, grantId: string) {
  return `${publicUrl}/r/${secrets.redeemToken(grantId)}`;
}

/**
 * `secrets` is given only when the caller is the client system that issued the grant: only it delivers the
 * link. Admin views get `redeem_url: null`, or console staff could open links and see codes (DESIGN §3.4).
 */
export function toGrant(r: GrantRow, publicUrl: string, secrets: ServerSecrets | null): Grant {
  return {
    id: r.id,
    status: r.status,
    product: {
      id: r.product_id,
      sku: r.sku,
      name: r.name,
      platform: r.platform,
      kind: r.kind,
      period: r.period_unit ? { unit: r.period_unit as never, count: r.period_count! } : null,
      renewal: r.renewal,
    },
    recipient: {
      external_id: r.recipient_external_id,
      phone: r.recipient_phone_masked,
      email: r.recipient_email,
      ...(r.kind === 'direct_recharge' ? { account: r.recipient_account_masked ?? null } : {}),
    },
    out_order_no: r.out_order_no,
    redeem_url: secrets ? redeemUrl(publicUrl, secrets, r.id) : null,
    metadata: r.metadata ?? {},
    expires_at: iso(r.expires_at),
    created_at: iso(r.created_at)!,
    redeemed_at: iso(r.redeemed_at),
    ended_at: iso(r.ended_at),
    ...(r.kind === 'direct_recharge' ? { failure: r.failure_code ? { code: r.failure_code, message: r.failure_message ?? '' } : null } : {}),
    ...(r.components ? { components: r.components.map(toComponent) } : {}),
  };
}

/** A component of a bundle or choice pack as its pack's grant shows it: what it is and how far it got. */
function toComponent(c: GrantRow): GrantComponent {
  const g = toGrant(c, '', null);
  return {
    grant_id: g.id,
    status: g.status,
    product: g.product,
    ...(c.kind === 'direct_recharge' ? { account: g.recipient.account ?? null, failure: g.failure ?? null } : {}),
    expires_at: g.expires_at,
    redeemed_at: g.redeemed_at,
    ended_at: g.ended_at,
  };
}

export function maskPhone(phone: string): string {
  const d = phone.replace(/^\+/, '');
  if (d.length <= 7) return d.slice(0, 2) + '*'.repeat(Math.max(0, d.length - 4)) + d.slice(-2);
  return d.slice(0, 3) + '*'.repeat(d.length - 7) + d.slice(-4);
}
