import type { AppContext } from '../../platform/context.ts';
import { validationFailed } from '../../platform/errors.ts';
import { idBoundary } from '../../platform/ids.ts';
import { normalisePhone } from '../../platform/phone.ts';
import type { GrantListQuery } from './grants.schemas.ts';
import { maskPhone } from './grant-view.ts';
import type { Executor } from '../../platform/db/db.ts';

// The one grant search behind the client list, the console search and the grants export. Every filter is
// served by an index in the list's order (id DESC, newest first; migrations 001 and 017), so a page reads
// about `limit` rows whatever the table's size.
export interface GrantSearch extends GrantListQuery {
  /** the signed client asking: restricts to its own grants */
  clientId?: string;
  /** console filter: grants issued through this client (cli_…) */
  client?: string;
  external_id?: string;
  phone?: string;
  /** a phone already fingerprinted (exports keep the fingerprint, never the number) */
  phone_fp?: Buffer;
  /** issued at or after (ISO time) */
  created_from?: string;
  /** issued before (ISO time) */
  created_to?: string;
}

// Grant ids are ULIDs made by the app when it issues; created_at is the database's clock. The id range (what
// the index serves) is widened by this much so a clock skew between the two never drops a grant; created_at
// then cuts exactly.
const CLOCK_SLACK_MS = 60_000;

/** A phone to search by: its keyed fingerprint (what grants store to match) and its masked form (to show). */
export function phoneFilterOf(ctx: AppContext, raw: string, field = 'phone'): { fp: Buffer; masked: string } {
  const phone = normalisePhone(raw);
  if (!phone) throw validationFailed([{ field, message: 'must be a phone number (6–20 digits)' }]);
  return { fp: ctx.secrets.phoneFingerprint(phone), masked: maskPhone(phone) };
}

export async function searchGrants(ctx: AppContext, q: GrantSearch, limit: number) {
  let query = grantQuery(ctx.db).orderBy('g.id', 'desc').limit(limit);
  if (q.clientId) query = query.where('g.client_id', '=', q.clientId);
  if (q.client) query = query.where('g.client_id', '=', q.client);
  if (q.cursor) query = query.where('g.id', '<', q.cursor);
  if (q.out_order_no) query = query.where('g.out_order_no', '=', q.out_order_no);
  if (q.status) query = query.where('g.status', '=', q.status as never);
  // resolved to its id first: a constant lets the planner see how rare the product is and choose the
  // (product_id, id DESC) index for a rare one (behind a subquery it guesses, and walks the whole table)
  if (q.product) {
    const product = q.product;
    const p = await ctx.db.selectFrom('products').select('id').where((w) => w.or([w('id', '=', product), w('sku', '=', product)])).executeTakeFirst();
    query = query.where('g.product_id', '=', p?.id ?? '');
  }
  if (q.external_id) query = query.where('g.recipient_external_id', '=', q.external_id);
  const fp = q.phone_fp ?? (q.phone === undefined ? undefined : phoneFilterOf(ctx, q.phone).fp);
  if (fp) query = query.where('g.recipient_phone_fp', '=', fp);
  if (q.created_from) {
    const from = new Date(q.created_from);
    query = query.where('g.id', '>=', idBoundary('grt', new Date(from.getTime() - CLOCK_SLACK_MS))).where('g.created_at', '>=', from);
  }
  if (q.created_to) {
    const to = new Date(q.created_to);
    query = query.where('g.id', '<', idBoundary('grt', new Date(to.getTime() + CLOCK_SLACK_MS))).where('g.created_at', '<', to);
  }
  return query;
}

/** Grants joined with their product, as every grant view reads them (also the recharge front door's). */
export function grantQuery(db: Executor) {
  return db
    .selectFrom('grants as g')
    .innerJoin('products as p', 'p.id', 'g.product_id')
    .select([
      'g.id', 'g.status', 'g.product_id', 'p.sku', 'p.name', 'p.platform', 'p.kind', 'p.period_unit', 'p.period_count', 'p.renewal',
      'g.recipient_external_id', 'g.recipient_phone_masked', 'g.recipient_email', 'g.out_order_no', 'g.metadata',
      'g.expires_at', 'g.created_at', 'g.redeemed_at', 'g.ended_at', 'g.request_hash', 'g.client_id',
      'g.recipient_account_masked', 'g.failure_code', 'g.failure_message',
    ]);
}
