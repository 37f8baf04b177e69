import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { AppError, conflict, notFound, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { normalisePhone } from '../../platform/phone.ts';
import { appendAudit } from '../audit/index.ts';
import { releaseCode, releaseCodes } from '../inventory/index.ts';
import { isSubscribed, recordEvent } from '../webhooks/index.ts';
import { recordGrantEvent } from './grant-events.ts';
import type { GrantStatus } from '../../platform/db/schema.ts';
import { maskPhone, toGrant, type GrantRow } from './grant-view.ts';
import { grantMachine } from './grant.machine.ts';
import type { Grant, IssueGrantBody } from './grants.schemas.ts';
import { grantQuery, searchGrants, type GrantSearch } from './grants.search.ts';
import { PACK_KINDS, voidComponents, withComponents } from './bundle-grants.ts';
import { textArray } from '../../platform/db/literals.ts';
import { prepared } from '../../platform/db/prepared.ts';

// Grants: one entitlement issued to one recipient. Issuing claims exactly one code in the same statement
// that records the grant, so there is no window in which a code is claimed without a grant (or the reverse).

export interface IssueInput {
  clientId: string | null;
  issuedBy: string;
  body: IssueGrantBody;
  idempotencyKey: string | null;
  /** keyed hash of the request body (ServerSecrets.requestHash): a replay must carry the same body */
  requestHash: string;
}

export type IssueOutcome = { grant: Grant; replayed: boolean };

function isUniqueViolation(e: unknown, constraint: string): boolean {
  const err = e as { code?: string; constraint?: string; message?: string };
  return err?.code === '23505' && (err.constraint === constraint || Boolean(err.message?.includes(constraint)));
}

export async function issueGrant(ctx: AppContext, input: IssueInput): Promise<IssueOutcome> {
  try {
    // nobody listens for grant.issued: the single round trip; else the grant and its event in one transaction
    if (!(await isSubscribed(ctx.db, input.clientId, 'grant.issued'))) return await issueOn(ctx, ctx.db, input);
    return await ctx.db.transaction().execute(async (tx) => {
      const out = await issueOn(ctx, tx, input);
      if (!out.replayed) await recordEvent(tx, { type: 'grant.issued', clientId: input.clientId, subjectId: out.grant.id, data: out.grant });
      return out;
    });
  } catch (e) {
    // a race the function's locks do not cover (e.g. the same out_order_no under two different keys)
    if (input.clientId && input.idempotencyKey && isUniqueViolation(e, 'grants_client_idem_key')) {
      return replayByIdempotencyKey(ctx, input);
    }
    if (input.clientId && input.body.out_order_no && isUniqueViolation(e, 'grants_client_out_order_no')) {
      return replayByOutOrderNo(ctx, input);
    }
    throw e;
  }
}

async function issueOn(ctx: AppContext, db: Executor, input: IssueInput): Promise<IssueOutcome> {
  const { body } = input;
  let expiresAt: Date | null = null;
  if (body.expires_at) {
    expiresAt = new Date(body.expires_at);
    if (!(expiresAt.getTime() > Date.now())) throw validationFailed([{ field: 'expires_at', message: 'must be in the future' }]);
  }
  const id = newId('grt');
  const phone = body.recipient.phone === undefined ? null : normalisePhone(body.recipient.phone);
  if (body.recipient.phone !== undefined && !phone) throw validationFailed([{ field: 'recipient.phone', message: 'must be a phone number (6–20 digits)' }]);
  // One round trip (migrations 004, 013): serialise on the Idempotency-Key / out_order_no and return an
  // existing grant first (a replay answers the first result whatever the stock or product is now), else
  // find the product, claim a code (SKIP LOCKED, plan pinned to the partial index), insert the grant.
  const res = await prepared(sql<GrantRow & { outcome: 'issued' | 'replay_key' | 'replay_order'; request_hash: string | null }>`SELECT * FROM quanyi_issue_grant(
      ${id}, ${input.clientId}, ${body.product}, ${body.recipient.external_id ?? null},
      ${phone ? ctx.secrets.sealPii(phone, 'phone:' + id) : null}, ${phone ? maskPhone(phone) : null},
      ${phone ? ctx.secrets.phoneFingerprint(phone) : null}, ${body.recipient.email?.toLowerCase() ?? null},
      ${body.out_order_no ?? null}, ${input.idempotencyKey}, ${input.requestHash},
      ${JSON.stringify(body.metadata ?? {})}::jsonb, ${tokenHash(ctx.secrets.redeemToken(id))},
      ${expiresAt}::timestamptz, ${ctx.config.grantDefaultValidityDays}::int, ${input.issuedBy})`).execute(db);
  const row = res.rows[0];
  if (row) {
    if (row.outcome === 'issued') return { grant: toGrant(row, ctx.config.publicUrl, ctx.secrets), replayed: false };
    return replayOf(ctx, row, row.outcome, input);
  }
  // Nothing was written; say why.
  const product = await db
    .selectFrom('products')
    .select(['id', 'status', 'kind'])
    .where((eb) => eb.or([eb('id', '=', body.product), eb('sku', '=', body.product)]))
    .executeTakeFirst();
  if (!product) throw new AppError(404, 'product_not_found', 'Not found', `No product with sku or id ${body.product}.`);
  if (product.status !== 'active') throw conflict('product_inactive', `Product ${body.product} is ${product.status}.`);
  if (product.kind === 'direct_recharge') throw conflict('product_not_stocked', `Product ${body.product} is a direct recharge; card-code issuance does not apply.`);
  throw conflict('out_of_stock', `Product ${body.product} has no available stock.`, { product: product.id });
}

/** The answer to a request that repeats an earlier one: the first grant as it is now, or a 409 when the body differs. */
function replayOf(ctx: AppContext, row: GrantRow & { request_hash: string | null }, by: 'replay_key' | 'replay_order', input: IssueInput): IssueOutcome {
  if (row.request_hash !== input.requestHash) {
    if (by === 'replay_key') throw conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { existing_grant_id: row.id });
    throw conflict('duplicate_out_order_no', `out_order_no ${input.body.out_order_no} already belongs to grant ${row.id}.`, { existing_grant_id: row.id });
  }
  return { grant: toGrant(row, ctx.config.publicUrl, ctx.secrets), replayed: true };
}

async function replayByIdempotencyKey(ctx: AppContext, input: IssueInput): Promise<IssueOutcome> {
  const row = await grantQuery(ctx.db)
    .where('g.client_id', '=', input.clientId!)
    .where('g.idempotency_key', '=', input.idempotencyKey!)
    .executeTakeFirstOrThrow();
  if (row.request_hash !== input.requestHash) {
    throw conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { existing_grant_id: row.id });
  }
  return { grant: toGrant(row as GrantRow, ctx.config.publicUrl, ctx.secrets), replayed: true };
}

async function replayByOutOrderNo(ctx: AppContext, input: IssueInput): Promise<IssueOutcome> {
  const row = await grantQuery(ctx.db)
    .where('g.client_id', '=', input.clientId!)
    .where('g.out_order_no', '=', input.body.out_order_no!)
    .executeTakeFirstOrThrow();
  if (row.request_hash !== input.requestHash) {
    throw conflict('duplicate_out_order_no', `out_order_no ${input.body.out_order_no} already belongs to grant ${row.id}.`, { existing_grant_id: row.id });
  }
  return { grant: toGrant(row as GrantRow, ctx.config.publicUrl, ctx.secrets), replayed: true };
}

/** A grant by id; `clientId` restricts to that client's grants (a client never sees another's). */
export async function getGrant(ctx: AppContext, id: string, clientId?: string): Promise<Grant> {
  let q = grantQuery(ctx.db).where('g.id', '=', id);
  if (clientId) q = q.where('g.client_id', '=', clientId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('Grant', id);
  return toGrant(await withComponents(ctx.db, row as GrantRow), ctx.config.publicUrl, clientId ? ctx.secrets : null);
}

export async function listGrants(ctx: AppContext, q: GrantSearch) {
  const limit = q.limit ?? 50;
  const rows = await (await searchGrants(ctx, q, limit + 1)).execute();
  const data = rows.slice(0, limit).map((r) => toGrant(r as GrantRow, ctx.config.publicUrl, q.clientId ? ctx.secrets : null));
  return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
}

/**
 * Voids a grant that is not redeemed; its code goes back to stock (or to expired, if the code itself has
 * expired meanwhile). Voiding a voided grant is a no-op that returns it. Audited.
 */
export async function voidGrant(ctx: AppContext, input: { id: string; clientId?: string; actor: string; reason?: string }): Promise<Grant> {
  await ctx.db.transaction().execute(async (tx) => {
    const res = await sql<{ code_id: number | null; status: string; client_id: string | null }>`
      UPDATE grants g SET status = 'voided', ended_at = now(), end_reason = ${input.reason ?? 'voided'}, code_id = NULL
        FROM (SELECT id, code_id FROM grants WHERE id = ${input.id} FOR UPDATE) old
       WHERE g.id = old.id AND g.status = ANY(${textArray(grantMachine.sourcesOf('void'))})
         AND (${input.clientId ?? null}::text IS NULL OR g.client_id = ${input.clientId ?? null})
      RETURNING old.code_id, g.status, g.client_id`.execute(tx);
    if (res.rows.length === 0) {
      const current = await tx.selectFrom('grants').select(['status', 'client_id']).where('id', '=', input.id).executeTakeFirst();
      if (!current || (input.clientId && current.client_id !== input.clientId)) throw notFound('Grant', input.id);
      if (current.status === 'voided') return;
      throw conflict(`grant_${current.status}`, `Grant ${input.id} is ${current.status} and cannot be voided.`);
    }
    const codeId = res.rows[0].code_id;
    const hint = codeId ? await releaseCode(tx, codeId) : null;
    // a bundle or choice pack: its unredeemed components go with it (bundle-grants.ts)
    const children = await voidComponents(tx, input.id, input.reason ?? 'voided');
    await releaseCodes(tx, children.flatMap((c) => (c.code_id ? [c.code_id] : [])));
    for (const c of children) await recordGrantEvent(tx, ctx, 'grant.voided', c.id, c.client_id);
    await appendAudit(tx, { actor: input.actor, action: 'grant.void', target: input.id, details: { reason: input.reason ?? null, code_hint: hint, code_returned: Boolean(hint) } });
    await recordGrantEvent(tx, ctx, 'grant.voided', input.id, res.rows[0].client_id);
  });
  return getGrant(ctx, input.id, input.clientId);
}

/**
 * Expires unredeemed grants past their expiry, at most `limit`, SKIP LOCKED so several workers can sweep side
 * by side. Returns each grant with the code it held: the caller (flows/expire-grants.ts) releases those codes
 * through inventory in the same transaction.
 */
export async function expireDueGrants(tx: Tx, limit = 1000): Promise<{ id: string; code_id: number | null; client_id: string | null }[]> {
  const r = await sql<{ id: string; code_id: number | null; client_id: string | null }>`
    WITH due AS (
      SELECT id, code_id FROM grants
       WHERE status = ANY(${textArray(grantMachine.sourcesOf('expire'))}) AND expires_at <= now()
       ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )
    UPDATE grants g SET status = ${grantMachine.targetOf('expire')}, ended_at = now(), end_reason = 'expired', code_id = NULL
      FROM due WHERE g.id = due.id
    RETURNING g.id, due.code_id, g.client_id`.execute(tx);
  return r.rows;
}

/** What a reveal did to the grant: moved (or repeated) it, or why it could not. */
export type RevealOutcome =
  | { revealed: true; id: string; code_id: number | null; reveal_count: number; client_id: string | null }
  | { revealed: false; status: GrantStatus | null };

/**
 * Marks the grant of a redeem token redeemed (the first reveal) or counts a repeated reveal (people lose
 * codes). An issued grant past its expiry cannot be revealed, even before the sweeper has expired it.
 */
export async function revealGrant(tx: Tx, tokenHash: Buffer): Promise<RevealOutcome> {
  const g = await sql<{ id: string; code_id: number | null; reveal_count: number; client_id: string | null }>`
    UPDATE grants SET status = ${grantMachine.targetOf('reveal')}, redeemed_at = COALESCE(redeemed_at, now()), reveal_count = reveal_count + 1
     WHERE token_hash = ${tokenHash}
       -- a direct recharge has no code to reveal; a bundle or choice pack has none either, but reveals its components
       AND (code_id IS NOT NULL OR EXISTS (SELECT 1 FROM products p WHERE p.id = grants.product_id AND p.kind = ANY(${textArray([...PACK_KINDS])})))
       AND (status = ${grantMachine.targetOf('reveal')}
            OR (status = ANY(${textArray(grantMachine.sourcesOf('reveal'))}) AND (expires_at IS NULL OR expires_at > now())))
    RETURNING id, code_id, reveal_count, client_id`.execute(tx);
  if (g.rows[0]) return { revealed: true, ...g.rows[0] };
  const current = await tx.selectFrom('grants').select(['status']).where('token_hash', '=', tokenHash).executeTakeFirst();
  return { revealed: false, status: current?.status ?? null };
}

/** What the public redeem page shows of a grant, by its token. */
export async function grantByTokenHash(db: Executor, tokenHash: Buffer) {
  return db
    .selectFrom('grants as g')
    .innerJoin('products as p', 'p.id', 'g.product_id')
    .select(['g.id', 'g.client_id', 'g.product_id', 'g.status', 'g.expires_at', 'g.redeemed_at', 'g.code_id', 'g.recipient_account_masked', 'g.failure_code', 'g.failure_message',
             'p.name', 'p.platform', 'p.kind', 'p.period_unit', 'p.period_count', 'p.renewal', 'p.account_types'])
    // the campaign whose brand the page wears: a campaign claim's grant is issued by `campaign:<id>` (set by
    // the server; metadata.campaign is the client's to write, so it could borrow another campaign's brand)
    .select(sql<string | null>`coalesce(g.campaign, CASE WHEN g.issued_by LIKE 'campaign:%' THEN substr(g.issued_by, 10) END)`.as('campaign'))
    .where('g.token_hash', '=', tokenHash)
    .executeTakeFirst();
}
