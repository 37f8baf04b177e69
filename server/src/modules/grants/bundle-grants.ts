import { sql } from 'kysely';
import type { Executor, Tx } from '../../platform/db/db.ts';
import type { ServerSecrets } from '../../platform/crypto/server-secrets.ts';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { normalisePhone } from '../../platform/phone.ts';
import { grantMachine } from './grant.machine.ts';
import { maskPhone, type GrantRow } from './grant-view.ts';
import type { IssueGrantBody } from './grants.schemas.ts';
import { grantQuery } from './grants.search.ts';
import { textArray } from '../../platform/db/literals.ts';

// The grants front door for bundles and choice packs (migration 022). A pack is a PARENT grant of the
// bundle product — the one the client holds (redeem link, idempotency key, out_order_no) — and one CHILD
// grant per component (`parent_grant_id`), each a plain grant of its own product and kind: a card-code child
// holds its code and is `issued`, a direct-recharge child is `pending` beside its recharge order. The grant
// machine, the expiry sweeper, the recharge flow and the per-product counters then work on each child as on
// any grant, so every component is fulfilled and tracked on its own. Children copy the parent's recipient.

export const PACK_KINDS: readonly string[] = ['bundle', 'choice_pack'];

export interface ParentGrantInput {
  id: string;
  clientId: string | null;
  productId: string;
  body: IssueGrantBody;
  idempotencyKey: string | null;
  requestHash: string;
  issuedBy: string;
  expiresAt: Date;
}

/** Inserts the `issued` parent grant of a bundle or choice pack (it holds no code itself). */
export async function insertParentGrant(tx: Tx, secrets: ServerSecrets, g: ParentGrantInput): Promise<void> {
  const phone = g.body.recipient.phone === undefined ? null : normalisePhone(g.body.recipient.phone);
  await tx
    .insertInto('grants')
    .values({
      id: g.id,
      client_id: g.clientId,
      product_id: g.productId,
      status: 'issued',
      recipient_external_id: g.body.recipient.external_id ?? null,
      recipient_phone_enc: phone ? secrets.sealPii(phone, 'phone:' + g.id) : null,
      recipient_phone_masked: phone ? maskPhone(phone) : null,
      recipient_phone_fp: phone ? secrets.phoneFingerprint(phone) : null,
      recipient_email: g.body.recipient.email?.toLowerCase() ?? null,
      out_order_no: g.body.out_order_no ?? null,
      idempotency_key: g.idempotencyKey,
      request_hash: g.requestHash,
      metadata: JSON.stringify(g.body.metadata ?? {}),
      token_hash: tokenHash(secrets.redeemToken(g.id)),
      code_id: null,
      expires_at: g.expiresAt,
      issued_by: g.issuedBy,
    })
    .execute();
}

export interface ChildGrantInput {
  id: string;
  parentId: string;
  productId: string;
  /** card code / link: `issued` with its code; direct recharge: `pending` */
  status: 'issued' | 'pending';
  codeId: number | null;
  accountMasked?: string | null;
}

/**
 * Inserts a component's grant, copying client, recipient, metadata and expiry from the parent (a pending
 * recharge does not expire). The phone is re-sealed under the child's own id context (it is bound to it).
 */
export async function insertChildGrant(tx: Tx, secrets: ServerSecrets, c: ChildGrantInput): Promise<void> {
  const parent = await tx
    .selectFrom('grants')
    .select(['client_id', 'recipient_external_id', 'recipient_phone_enc', 'recipient_phone_masked', 'recipient_phone_fp', 'recipient_email', 'metadata', 'expires_at', 'issued_by'])
    .where('id', '=', c.parentId)
    .executeTakeFirstOrThrow();
  const phone = parent.recipient_phone_enc ? secrets.openPii(Buffer.from(parent.recipient_phone_enc), 'phone:' + c.parentId) : null;
  await tx
    .insertInto('grants')
    .values({
      id: c.id,
      client_id: parent.client_id,
      product_id: c.productId,
      status: c.status,
      recipient_external_id: parent.recipient_external_id,
      recipient_phone_enc: phone ? secrets.sealPii(phone, 'phone:' + c.id) : null,
      recipient_phone_masked: parent.recipient_phone_masked,
      recipient_phone_fp: parent.recipient_phone_fp,
      recipient_email: parent.recipient_email,
      recipient_account_masked: c.accountMasked ?? null,
      out_order_no: null,
      idempotency_key: null,
      request_hash: null,
      metadata: JSON.stringify(parent.metadata ?? {}),
      token_hash: tokenHash(secrets.redeemToken(c.id)),
      code_id: c.codeId,
      expires_at: c.status === 'pending' ? null : parent.expires_at,
      issued_by: parent.issued_by,
      parent_grant_id: c.parentId,
    })
    .execute();
}

/** The component grants of a pack grant, in the order they were written (ids are time-ordered). */
export async function componentRows(db: Executor, parentId: string): Promise<GrantRow[]> {
  const rows = await grantQuery(db).where('g.parent_grant_id', '=', parentId).orderBy('g.id').execute();
  return rows as GrantRow[];
}

/** Adds `components` to a pack grant's row (GET /v1/grants/{id}, webhooks, replays); other rows unchanged. */
export async function withComponents<R extends GrantRow>(db: Executor, row: R): Promise<R> {
  if (!PACK_KINDS.includes(row.kind)) return row;
  return { ...row, components: await componentRows(db, row.id) };
}

/** A grant by its redeem token, for the pack pages and the pick (status, kind, expiry). */
export async function grantForToken(db: Executor, hash: Buffer) {
  return db
    .selectFrom('grants as g')
    .innerJoin('products as p', 'p.id', 'g.product_id')
    .select(['g.id', 'g.status', 'g.product_id', 'p.kind', 'g.expires_at', 'g.client_id', 'g.parent_grant_id'])
    .where('g.token_hash', '=', hash)
    .executeTakeFirst();
}

/**
 * Reveals a pack's card-code and link components with the parent (the first reveal redeems each, later
 * ones count): the same machine event and guard as a single grant's reveal. Direct-recharge children are
 * left alone — they end when their recharge does.
 */
export async function revealComponents(tx: Tx, parentId: string) {
  const r = await sql<{ id: string; code_id: number; reveal_count: number; client_id: string | null; product_id: string }>`
    UPDATE grants SET status = ${grantMachine.targetOf('reveal')}, redeemed_at = COALESCE(redeemed_at, now()), reveal_count = reveal_count + 1
     WHERE parent_grant_id = ${parentId} AND code_id IS NOT NULL
       AND (status = ${grantMachine.targetOf('reveal')}
            OR (status = ANY(${textArray(grantMachine.sourcesOf('reveal'))}) AND (expires_at IS NULL OR expires_at > now())))
    RETURNING id, code_id, reveal_count, client_id, product_id`.execute(tx);
  return r.rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * Voids the unredeemed components of a pack whose parent was just voided (same transaction), by the grant
 * machine's `void` guard: card-code children give their codes back (the caller releases them); a pending
 * direct recharge cannot be voided — a supplier may be recharging it — and ends on its own.
 */
export async function voidComponents(tx: Tx, parentId: string, reason: string): Promise<{ id: string; code_id: number | null; client_id: string | null }[]> {
  const r = await sql<{ id: string; code_id: number | null; client_id: string | null }>`
    UPDATE grants g SET status = ${grantMachine.targetOf('void')}, ended_at = now(), end_reason = ${reason}, code_id = NULL
      FROM (SELECT id, code_id FROM grants WHERE parent_grant_id = ${parentId} FOR UPDATE) old
     WHERE g.id = old.id AND g.status = ANY(${textArray(grantMachine.sourcesOf('void'))})
    RETURNING g.id, old.code_id, g.client_id`.execute(tx);
  return r.rows;
}
