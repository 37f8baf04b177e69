import type { AppContext } from '../../platform/context.ts';
import { toGrant, type GrantRow } from './grant-view.ts';
import { grantQuery, searchGrants, type GrantSearch } from './grants.search.ts';
import type { Grant } from './grants.schemas.ts';

// Read functions for the console (the grant trail flow, the grants export): what an operator may see of a
// grant — never its token, code or full phone number.

export interface GrantDetail {
  grant: Grant;
  client_id: string | null;
  channel: string | null;
  campaign: string | null;
  /** cli_… (issued over the API), usr_… (an admin), or `system` */
  issued_by: string;
  reveal_count: number;
  end_reason: string | null;
}

/** A grant as the console sees it (no redeem link) with who issued it and how often it was revealed. */
export async function grantDetail(ctx: AppContext, id: string): Promise<GrantDetail | null> {
  const row = await grantQuery(ctx.db)
    .select(['g.channel', 'g.campaign', 'g.issued_by', 'g.reveal_count', 'g.end_reason'])
    .where('g.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  return {
    grant: toGrant(row as GrantRow, ctx.config.publicUrl, null),
    client_id: row.client_id,
    channel: row.channel,
    campaign: row.campaign,
    issued_by: row.issued_by,
    reveal_count: row.reveal_count,
    end_reason: row.end_reason,
  };
}

/** One row of a grants export: flat, phone and account masked. */
export interface GrantExportRow {
  id: string;
  status: string;
  product_id: string;
  product_sku: string;
  product_name: string;
  client_id: string | null;
  out_order_no: string | null;
  external_id: string | null;
  phone: string | null;
  email: string | null;
  account: string | null;
  created_at: Date;
  redeemed_at: Date | null;
  ended_at: Date | null;
  expires_at: Date | null;
  failure_code: string | null;
}

/** A page of the console search, newest first, for an export: the rows after `cursor` (an id). */
export async function grantExportPage(ctx: AppContext, filter: GrantSearch, cursor: string | null, limit: number): Promise<GrantExportRow[]> {
  const rows = await (await searchGrants(ctx, { ...filter, cursor: cursor ?? undefined }, limit)).execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    product_id: r.product_id,
    product_sku: r.sku,
    product_name: r.name,
    client_id: r.client_id,
    out_order_no: r.out_order_no,
    external_id: r.recipient_external_id,
    phone: r.recipient_phone_masked,
    email: r.recipient_email,
    account: r.recipient_account_masked,
    created_at: r.created_at,
    redeemed_at: r.redeemed_at,
    ended_at: r.ended_at,
    expires_at: r.expires_at,
    failure_code: r.failure_code,
  }));
}
