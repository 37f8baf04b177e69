import { sql } from 'kysely';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/index.ts';
import { cancelOpenDeliveries, moveEndpoint, type EndpointRow } from './webhooks.repo.ts';
import type { Endpoint, EndpointPatch } from './webhooks.schemas.ts';
import { newWebhookSecret } from './signature.ts';

// Endpoints of a client: registered with a signing secret shown once and kept only wrapped under the master
// key. Every change is audited here. URLs are checked (DNS, private addresses) by the caller BEFORE the
// transaction opens — see url-guard.ts — so no transaction waits on DNS.
export const secretContext = (endpointId: string) => 'webhook-secret:' + endpointId;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toEndpoint(r: EndpointRow): Endpoint {
  return {
    id: r.id,
    client_id: r.client_id,
    url: r.url,
    description: r.description,
    events: r.events,
    status: r.status as Endpoint['status'],
    disabled_reason: r.disabled_reason,
    disabled_at: iso(r.disabled_at),
    previous_secret_expires_at: r.previous_secret_expires_at && r.previous_secret_expires_at > new Date() ? iso(r.previous_secret_expires_at) : null,
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}

export interface CreateEndpointInput {
  clientId: string;
  /** already checked with assertDeliverableUrl */
  url: string;
  events?: readonly string[];
  description?: string | null;
  actor: string;
  idempotencyKey?: string;
  requestHash?: string;
}

/** Creates an endpoint; returns it with its secret (the only time the secret leaves the server). */
export async function createEndpoint(tx: Tx, keyring: Keyring, input: CreateEndpointInput): Promise<{ endpoint: Endpoint; secret: string; replayed: boolean }> {
  if (input.idempotencyKey) {
    const prior = await tx.selectFrom('webhook_endpoints').selectAll().where('client_id', '=', input.clientId).where('idempotency_key', '=', input.idempotencyKey).executeTakeFirst();
    if (prior) {
      if (prior.request_hash !== (input.requestHash ?? null)) throw conflict('idempotency_key_reused', 'This Idempotency-Key was used with another body.');
      return { endpoint: toEndpoint(prior), secret: openSecret(keyring, prior), replayed: true };
    }
  }
  const id = newId('whe');
  const secret = newWebhookSecret();
  const w = keyring.wrap(Buffer.from(secret, 'utf8'), secretContext(id));
  // ON CONFLICT: two parallel registrations with one Idempotency-Key — the loser replays the winner
  const row = await tx
    .insertInto('webhook_endpoints')
    .values({
      id,
      client_id: input.clientId,
      url: input.url,
      description: input.description ?? null,
      events: [...new Set(input.events ?? [])],
      secret_wrapped: w.wrapped,
      master_key_id: w.masterKeyId,
      idempotency_key: input.idempotencyKey ?? null,
      request_hash: input.requestHash ?? null,
    })
    .onConflict((oc) => oc.columns(['client_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return createEndpoint(tx, keyring, input);
  await appendAudit(tx, { actor: input.actor, action: 'webhook.endpoint.create', target: id, details: { client_id: input.clientId, url: input.url, events: row.events } });
  return { endpoint: toEndpoint(row), secret, replayed: false };
}

function openSecret(keyring: Keyring, r: Pick<EndpointRow, 'id' | 'secret_wrapped' | 'master_key_id'>): string {
  return keyring.unwrap({ wrapped: Buffer.from(r.secret_wrapped), masterKeyId: r.master_key_id }, secretContext(r.id)).toString('utf8');
}

/** The secrets that sign a delivery now: the current one, and the previous one while a rotation lasts. */
export function signingSecrets(keyring: Keyring, r: Pick<EndpointRow, 'id' | 'secret_wrapped' | 'master_key_id' | 'previous_secret_wrapped' | 'previous_master_key_id' | 'previous_secret_expires_at'>): string[] {
  const out = [openSecret(keyring, r)];
  if (r.previous_secret_wrapped && r.previous_master_key_id && r.previous_secret_expires_at && new Date(r.previous_secret_expires_at) > new Date()) {
    out.push(keyring.unwrap({ wrapped: Buffer.from(r.previous_secret_wrapped), masterKeyId: r.previous_master_key_id }, secretContext(r.id)).toString('utf8'));
  }
  return out;
}

/** An endpoint that is not deleted; scoped to the client when given (another client's endpoint is "not found"). */
export async function findEndpoint(db: Executor, id: string, clientId?: string): Promise<EndpointRow> {
  let q = db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('status', '!=', 'deleted');
  if (clientId) q = q.where('client_id', '=', clientId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('Webhook endpoint', id);
  return row;
}

export async function listEndpoints(db: Executor, opts: { clientId?: string; status?: 'active' | 'disabled' } = {}): Promise<Endpoint[]> {
  let q = db.selectFrom('webhook_endpoints').selectAll().where('status', '!=', 'deleted');
  if (opts.clientId) q = q.where('client_id', '=', opts.clientId);
  if (opts.status) q = q.where('status', '=', opts.status);
  return (await q.orderBy('id', 'desc').limit(500).execute()).map(toEndpoint);
}

export async function updateEndpoint(tx: Tx, id: string, patch: EndpointPatch & { url?: string }, actor: string, clientId?: string): Promise<Endpoint> {
  await findEndpoint(tx, id, clientId);
  const row = await tx
    .updateTable('webhook_endpoints')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.events !== undefined ? { events: [...new Set(patch.events)] } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendAudit(tx, { actor, action: 'webhook.endpoint.update', target: id, details: { url: patch.url, events: patch.events } });
  return toEndpoint(row);
}

/** disable | enable | delete. Disabling or deleting cancels the deliveries still open to it. Idempotent for the same target. */
export async function setEndpointStatus(tx: Tx, id: string, event: 'disable' | 'enable' | 'delete', actor: string, opts: { clientId?: string; reason?: string } = {}): Promise<Endpoint> {
  const current = await findEndpoint(tx, id, opts.clientId);
  const row = await moveEndpoint(tx, id, event, { disabled_reason: opts.reason ?? `disabled by ${actor}` }, opts.clientId);
  if (!row) return toEndpoint(current); // already there
  if (event !== 'enable') await cancelOpenDeliveries(tx, id);
  await appendAudit(tx, { actor, action: `webhook.endpoint.${event}`, target: id, details: { client_id: row.client_id, ...(opts.reason ? { reason: opts.reason } : {}) } });
  return toEndpoint(row);
}

/** A new secret, returned once; the previous one keeps signing for `previousValidForSeconds`. */
export async function rotateSecret(tx: Tx, keyring: Keyring, id: string, actor: string, opts: { clientId?: string; previousValidForSeconds?: number } = {}) {
  const current = await findEndpoint(tx, id, opts.clientId);
  const secret = newWebhookSecret();
  const w = keyring.wrap(Buffer.from(secret, 'utf8'), secretContext(id));
  const keep = opts.previousValidForSeconds ?? 86400;
  const row = await tx
    .updateTable('webhook_endpoints')
    .set({
      secret_wrapped: w.wrapped,
      master_key_id: w.masterKeyId,
      previous_secret_wrapped: keep > 0 ? current.secret_wrapped : null,
      previous_master_key_id: keep > 0 ? current.master_key_id : null,
      previous_secret_expires_at: keep > 0 ? sql`now() + make_interval(secs => ${keep})` : null,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendAudit(tx, { actor, action: 'webhook.endpoint.rotate_secret', target: id, details: { previous_valid_for_seconds: keep } });
  return { endpoint: toEndpoint(row), secret };
}

/** Re-wraps endpoint secrets under the keyring's current master key (`quanyi keys rotate`). */
export async function rewrapWebhookSecrets(db: Executor, keyring: Keyring): Promise<number> {
  const rows = await db.selectFrom('webhook_endpoints').selectAll()
    .where((eb) => eb.or([eb('master_key_id', '!=', keyring.current.id), eb('previous_master_key_id', '!=', keyring.current.id)]))
    .execute();
  for (const r of rows) {
    const c = secretContext(r.id);
    const cur = keyring.wrap(keyring.unwrap({ wrapped: Buffer.from(r.secret_wrapped), masterKeyId: r.master_key_id }, c), c);
    const prev = r.previous_secret_wrapped && r.previous_master_key_id
      ? keyring.wrap(keyring.unwrap({ wrapped: Buffer.from(r.previous_secret_wrapped), masterKeyId: r.previous_master_key_id }, c), c)
      : null;
    await db.updateTable('webhook_endpoints')
      .set({ secret_wrapped: cur.wrapped, master_key_id: cur.masterKeyId, previous_secret_wrapped: prev?.wrapped ?? null, previous_master_key_id: prev?.masterKeyId ?? null })
      .where('id', '=', r.id).execute();
  }
  return rows.length;
}
