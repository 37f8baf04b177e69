import { sql } from 'kysely';
import type { Harness, SignedClient } from '../../testutil/harness.ts';
import { http, idem } from '../../testutil/harness.ts';

// Helpers of the bundle tests: a pack product through the admin API, issue, redeem calls and the stock
// snapshot that shows "nothing reserved".
export async function createPack(h: Harness, body: Record<string, unknown>) {
  const admin = await h.admin('operator');
  const r = await admin.request('POST', '/v1/admin/bundles', { sku: 'PACK-' + Math.random().toString(36).slice(2, 10), name: '追剧宅家礼包', platform: 'mixed', price: 3000, ...body });
  if (r.status !== 201) throw new Error('create pack: ' + JSON.stringify(r.body));
  return r.body as { product: { id: string; sku: string }; pick_count: number | null; components: unknown[] };
}

export function issue(client: SignedClient, product: string, recipient: Record<string, unknown> = { external_id: 'u-1' }) {
  return client.request('POST', '/v1/grants', { product, recipient }, { idempotencyKey: idem() });
}

export const tokenOf = (grant: { redeem_url: string }) => grant.redeem_url.split('/r/')[1];

export const redeem = {
  view: (h: Harness, token: string) => http(`${h.url}/v1/redeem/${token}`, {}),
  pick: (h: Harness, token: string, body: unknown) =>
    http(`${h.url}/v1/redeem/${token}/pick`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  reveal: (h: Harness, token: string) => http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' }),
};

/** Codes per product and status, grants, recharge orders and picks: what an all-or-nothing refusal must leave as it was. */
export async function snapshot(h: Harness, productIds: string[]) {
  const codes = await sql<{ product_id: string; status: string; n: number }>`
    SELECT product_id, status, count(*)::int AS n FROM codes WHERE product_id = ANY(${productIds}::text[]) GROUP BY 1, 2 ORDER BY 1, 2`.execute(h.ctx.db);
  const counts = await sql<{ grants: number; orders: number; picks: number; jobs: number }>`
    SELECT (SELECT count(*)::int FROM grants) AS grants, (SELECT count(*)::int FROM recharge_orders) AS orders,
           (SELECT count(*)::int FROM choice_picks) AS picks, (SELECT count(*)::int FROM jobs) AS jobs`.execute(h.ctx.db);
  return { codes: codes.rows, ...counts.rows[0] };
}
