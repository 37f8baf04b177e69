import { sql, type RawBuilder } from 'kysely';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { cteRef, keyedGuard, type Cte } from '../../platform/db/ctes.ts';
import type { ServerSecrets } from '../../platform/crypto/server-secrets.ts';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { grantMachine } from './grant.machine.ts';
import { maskPhone, toGrant, type GrantRow } from './grant-view.ts';
import type { Grant } from './grants.schemas.ts';
import { grantQuery } from './grants.search.ts';
import { withComponents } from './bundle-grants.ts';
import { textArray } from '../../platform/db/literals.ts';

// The grants front door for direct recharge (DESIGN §5: `pending → redeemed | failed`). The recharge flow
// writes the grant in its own transaction, next to the recharge order and the job; these functions take
// that transaction and touch only the grants table.

export interface PendingGrantInput {
  id: string;
  clientId: string | null;
  productId: string;
  externalId: string | null;
  phone: string | null;
  email: string | null;
  accountMasked: string;
  outOrderNo: string | null;
  idempotencyKey: string | null;
  requestHash: string;
  metadata: Record<string, unknown>;
  issuedBy: string;
}

/** Inserts a `pending` grant. A unique violation (idempotency key, out_order_no) aborts the caller's tx. */
export async function insertPendingGrant(tx: Tx, secrets: ServerSecrets, g: PendingGrantInput): Promise<void> {
  await tx.insertInto('grants').values(rechargeGrantValues(secrets, g, 'pending', null)).execute();
}

/**
 * Inserts a direct-recharge grant that waits for its account (links, QR codes, bulk lists): `issued`, no
 * code, no recharge order; the recipient gives the account on the redeem link (`startRechargeGrant`).
 * It expires like an unclaimed card code (nothing returns to stock).
 */
export async function insertAwaitingGrant(tx: Tx, secrets: ServerSecrets, g: Omit<PendingGrantInput, 'accountMasked'> & { expiresAt: Date | null }): Promise<void> {
  await tx.insertInto('grants').values(rechargeGrantValues(secrets, { ...g, accountMasked: null }, 'issued', g.expiresAt)).execute();
}

function rechargeGrantValues(secrets: ServerSecrets, g: Omit<PendingGrantInput, 'accountMasked'> & { accountMasked: string | null }, status: 'pending' | 'issued', expiresAt: Date | null) {
  return {
    id: g.id,
    client_id: g.clientId,
    product_id: g.productId,
    status,
    recipient_external_id: g.externalId,
    recipient_phone_enc: g.phone ? secrets.sealPii(g.phone, 'phone:' + g.id) : null,
    recipient_phone_masked: g.phone ? maskPhone(g.phone) : null,
    recipient_phone_fp: g.phone ? secrets.phoneFingerprint(g.phone) : null,
    recipient_email: g.email?.toLowerCase() ?? null,
    recipient_account_masked: g.accountMasked,
    out_order_no: g.outOrderNo,
    idempotency_key: g.idempotencyKey,
    request_hash: g.requestHash,
    metadata: JSON.stringify(g.metadata),
    token_hash: tokenHash(secrets.redeemToken(g.id)),
    code_id: null,
    expires_at: expiresAt,
    issued_by: g.issuedBy,
  };
}

/**
 * issued → pending: the recipient gave the account of a grant that waited for it. Guarded by the machine
 * and by the expiry (a grant past it cannot start even before the sweeper ends it); concurrent submits
 * serialise on the row, so exactly one of them moves it. False when it was not waiting (any more).
 */
export async function startRechargeGrant(tx: Tx, grantId: string, accountMasked: string): Promise<boolean> {
  const r = await sql`UPDATE grants SET status = ${grantMachine.targetOf('account_given')}, recipient_account_masked = ${accountMasked}, expires_at = NULL
                       WHERE id = ${grantId} AND code_id IS NULL AND status = ANY(${textArray(grantMachine.sourcesOf('account_given'))})
                         AND (expires_at IS NULL OR expires_at > now())`.execute(tx);
  return Number(r.numAffectedRows ?? 0) === 1;
}

/**
 * `insertPendingGrant` as a step of a composed statement (platform/db/ctes.ts): the grant is written once
 * for the row of the step `product` (its `id` column) and only when `when` holds; RETURNING the grant row.
 * A unique violation (idempotency key, out_order_no) fails the whole statement.
 */
export function pendingGrantCte(name: string, secrets: ServerSecrets, g: Omit<PendingGrantInput, 'productId'>, from: { product: string; when: RawBuilder<unknown> }): Cte {
  const p = cteRef(from.product);
  return {
    name,
    sql: sql`INSERT INTO grants (id, client_id, product_id, status, recipient_external_id, recipient_phone_enc, recipient_phone_masked,
                                 recipient_phone_fp, recipient_email, recipient_account_masked, out_order_no, idempotency_key,
                                 request_hash, metadata, token_hash, code_id, expires_at, issued_by)
             SELECT ${g.id}, ${g.clientId}, ${p}.id, 'pending', ${g.externalId},
                    ${g.phone ? secrets.sealPii(g.phone, 'phone:' + g.id) : null}::bytea, ${g.phone ? maskPhone(g.phone) : null},
                    ${g.phone ? secrets.phoneFingerprint(g.phone) : null}::bytea, ${g.email?.toLowerCase() ?? null}, ${g.accountMasked},
                    ${g.outOrderNo}, ${g.idempotencyKey}, ${g.requestHash}, ${JSON.stringify(g.metadata)}::jsonb,
                    ${tokenHash(secrets.redeemToken(g.id))}, NULL, NULL, ${g.issuedBy}
               FROM ${p} WHERE ${from.when} LIMIT 1
             RETURNING *`,
  };
}

/** The client's view of a grant from a pending-grant step's row and the product step's row. */
export function pendingGrantView(publicUrl: string, secrets: ServerSecrets, grant: Record<string, unknown>, product: { sku: string; name: string; platform: string; kind: string; period_unit: string | null; period_count: number | null; renewal: boolean }): Grant {
  const { sku, name, platform, period_unit, period_count, renewal } = product;
  const row: GrantRow = { ...(grant as unknown as GrantRow), sku, name, platform, period_unit, period_count, renewal, kind: product.kind as GrantRow['kind'] };
  return toGrant(row, publicUrl, grant.client_id ? secrets : null);
}

export interface GrantWithOwner {
  grant: Grant;
  clientId: string | null;
  requestHash: string | null;
  kind: string;
}

/**
 * A grant as its client sees it (GET /v1/grants/{id}), read through `db` — inside a transaction pass the
 * transaction (on the embedded database a second connection does not exist).
 */
export async function grantAsClientSees(db: Executor, publicUrl: string, secrets: ServerSecrets, id: string): Promise<GrantWithOwner | null> {
  const row = await grantQuery(db).where('g.id', '=', id).executeTakeFirst();
  if (!row) return null;
  return { grant: toGrant(await withComponents(db, row as GrantRow), publicUrl, row.client_id ? secrets : null), clientId: row.client_id, requestHash: row.request_hash, kind: row.kind };
}

/** The grant a client already has under this Idempotency-Key or out_order_no, if any. */
export async function findClientGrant(db: Executor, publicUrl: string, secrets: ServerSecrets, clientId: string, by: { idempotencyKey?: string | null; outOrderNo?: string | null }): Promise<GrantWithOwner | null> {
  let q = grantQuery(db).where('g.client_id', '=', clientId);
  if (by.idempotencyKey) q = q.where('g.idempotency_key', '=', by.idempotencyKey);
  else if (by.outOrderNo) q = q.where('g.out_order_no', '=', by.outOrderNo);
  else return null;
  const row = await q.executeTakeFirst();
  if (!row) return null;
  return { grant: toGrant(await withComponents(db, row as GrantRow), publicUrl, secrets), clientId: row.client_id, requestHash: row.request_hash, kind: row.kind };
}

/** pending → redeemed (the recharge succeeded). False when the grant was not pending (it changes nothing). */
export async function completeRechargeGrant(tx: Tx, grantId: string): Promise<boolean> {
  const r = await sql`UPDATE grants SET status = ${grantMachine.targetOf('recharge_succeeded')}, redeemed_at = now(), ended_at = now(),
                          end_reason = 'recharged'
                       WHERE id = ${grantId} AND status = ANY(${textArray(grantMachine.sourcesOf('recharge_succeeded'))})`.execute(tx);
  return Number(r.numAffectedRows ?? 0) === 1;
}

/**
 * `completeRechargeGrant` as a step of a composed statement, for the grant `grantId` (an SQL expression; with
 * `many`, a subquery of ids).
 */
export function completeRechargeGrantCte(name: string, grantId: RawBuilder<unknown>, opts: { many?: boolean } = {}): Cte {
  return {
    name,
    sql: sql`UPDATE grants SET status = ${grantMachine.targetOf('recharge_succeeded')}, redeemed_at = now(), ended_at = now(), end_reason = 'recharged'
              WHERE ${keyedGuard(grantId, sql`status = ANY(${textArray(grantMachine.sourcesOf('recharge_succeeded'))})`, opts)}
             RETURNING id, client_id`,
  };
}

/** pending → failed with the reason the client can show. False when the grant was not pending. */
export async function failRechargeGrant(tx: Tx, grantId: string, failure: { code: string; message: string }): Promise<boolean> {
  const r = await sql`UPDATE grants SET status = ${grantMachine.targetOf('recharge_failed')}, ended_at = now(), end_reason = ${failure.code},
                          failure_code = ${failure.code}, failure_message = ${failure.message}
                       WHERE id = ${grantId} AND status = ANY(${textArray(grantMachine.sourcesOf('recharge_failed'))})`.execute(tx);
  return Number(r.numAffectedRows ?? 0) === 1;
}
