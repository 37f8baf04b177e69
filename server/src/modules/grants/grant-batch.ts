import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { newId } from '../../platform/ids.ts';
import { normalisePhone } from '../../platform/phone.ts';
import { isSubscribed } from '../webhooks/index.ts';
import { maskPhone } from './grant-view.ts';

// Card-code grants for many recipients of one client and one product in ONE statement (bulk issuance):
// the codes are claimed in one scan (quanyi_claim_codes, migration 021: SKIP LOCKED, the plan pinned as in
// quanyi_claim_code) and the grants inserted together, so a batch of 250 costs one round trip instead of 250. The
// invariants are those of quanyi_issue_grant: one code per grant, the claim and the grant in one
// statement, the Idempotency-Key unique per client (a key seen before answers its first grant), the phone
// sealed and fingerprinted, the redeem token stored as a hash. Rows the batch cannot answer exactly as
// the single path would — an out_order_no, a client listening for grant.issued (events are written per
// grant), a product that is not an active card-code or link product, a race on a key — get `null` and go
// through issueGrant one by one.
export interface BatchGrantRow {
  idempotencyKey: string;
  requestHash: string;
  recipient: { external_id?: string; phone?: string; email?: string };
  metadata: Record<string, unknown>;
}

export type BatchGrantOutcome = { grantId: string; replayed: boolean } | { code: 'out_of_stock' | 'idempotency_key_reused'; message: string };

export async function issueCardGrantsBatch(
  ctx: AppContext,
  input: { clientId: string; issuedBy: string; productId: string; rows: BatchGrantRow[] },
): Promise<Map<string, BatchGrantOutcome> | null> {
  if (!input.rows.length) return new Map();
  if (await isSubscribed(ctx.db, input.clientId, 'grant.issued')) return null;
  const product = await ctx.db.selectFrom('products').select(['id', 'status', 'kind']).where('id', '=', input.productId).executeTakeFirst();
  if (!product || product.status !== 'active' || (product.kind !== 'card_code' && product.kind !== 'link')) return null;

  const out = new Map<string, BatchGrantOutcome>();
  const keys = input.rows.map((r) => r.idempotencyKey);
  const existing = await ctx.db
    .selectFrom('grants')
    .select(['id', 'idempotency_key', 'request_hash'])
    .where('client_id', '=', input.clientId)
    .where('idempotency_key', 'in', keys)
    .execute();
  const byKey = new Map(existing.map((e) => [e.idempotency_key!, e]));
  const fresh: (BatchGrantRow & { id: string; phone: string | null })[] = [];
  for (const r of input.rows) {
    const e = byKey.get(r.idempotencyKey);
    if (e) {
      out.set(r.idempotencyKey, e.request_hash === r.requestHash ? { grantId: e.id, replayed: true } : { code: 'idempotency_key_reused', message: 'This Idempotency-Key was used with a different request body.' });
      continue;
    }
    const phone = r.recipient.phone === undefined ? null : normalisePhone(r.recipient.phone);
    if (r.recipient.phone !== undefined && !phone) return null; // the single path says why
    fresh.push({ ...r, id: newId('grt'), phone });
  }
  if (!fresh.length) return out;
  const hex = (b: Buffer | null) => (b ? b.toString('hex') : null);
  try {
    const res = await sql<{ id: string; idempotency_key: string }>`
      WITH input AS (
        SELECT * FROM unnest(
          ${fresh.map((r) => r.id)}::text[], ${fresh.map((r) => r.recipient.external_id ?? null)}::text[],
          ${fresh.map((r) => hex(r.phone ? ctx.secrets.sealPii(r.phone, 'phone:' + r.id) : null))}::text[],
          ${fresh.map((r) => (r.phone ? maskPhone(r.phone) : null))}::text[],
          ${fresh.map((r) => hex(r.phone ? ctx.secrets.phoneFingerprint(r.phone) : null))}::text[],
          ${fresh.map((r) => r.recipient.email?.toLowerCase() ?? null)}::text[],
          ${fresh.map((r) => r.idempotencyKey)}::text[], ${fresh.map((r) => r.requestHash)}::text[],
          ${fresh.map((r) => JSON.stringify(r.metadata))}::text[], ${fresh.map((r) => tokenHash(ctx.secrets.redeemToken(r.id)).toString('hex'))}::text[]
        ) AS t(id, external_id, phone_enc, phone_masked, phone_fp, email, idem, request_hash, metadata, token_hash)
      ), claimed AS (
        SELECT i.*, k.code_id FROM input i JOIN quanyi_claim_codes(${product.id}, ${fresh.map((r) => r.id)}::text[]) k ON k.grant_id = i.id
      )
      INSERT INTO grants (id, client_id, product_id, status, recipient_external_id, recipient_phone_enc, recipient_phone_masked,
                          recipient_phone_fp, recipient_email, idempotency_key, request_hash, metadata, token_hash, code_id,
                          expires_at, issued_by)
      SELECT c.id, ${input.clientId}, p.id, 'issued', c.external_id, decode(c.phone_enc, 'hex'), c.phone_masked,
             decode(c.phone_fp, 'hex'), c.email, c.idem, c.request_hash, c.metadata::jsonb, decode(c.token_hash, 'hex'), c.code_id,
             now() + make_interval(days => COALESCE(p.validity_days, ${ctx.config.grantDefaultValidityDays}::int)), ${input.issuedBy}
        FROM claimed c, products p
       WHERE p.id = ${product.id} AND c.code_id IS NOT NULL
      RETURNING id, idempotency_key`.execute(ctx.db);
    const issued = new Map(res.rows.map((r) => [r.idempotency_key, r.id]));
    for (const r of fresh) {
      const id = issued.get(r.idempotencyKey);
      out.set(r.idempotencyKey, id ? { grantId: id, replayed: false } : { code: 'out_of_stock', message: `Product ${product.id} has no available stock.` });
    }
    return out;
  } catch (e) {
    // another worker issued one of these keys meanwhile: the statement wrote nothing; answer one by one
    if ((e as { code?: string }).code === '23505') return null;
    throw e;
  }
}
