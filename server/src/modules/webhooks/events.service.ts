import { sql } from 'kysely';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { fail, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../audit/index.ts';
import { insertEventIfSubscribed, type DeliveryRow } from './webhooks.repo.ts';
import type { Delivery, EventListQuery, WebhookEvent, WebhookEventType } from './webhooks.schemas.ts';
import { LISTENING } from './webhooks.machine.ts';

// Events and their deliveries. recordEvent writes in the caller's business transaction (one statement, and
// nothing at all for a client without a subscribed endpoint); fanOut, off the hot path, turns new events into
// one delivery and one job per subscribed endpoint.
export const DELIVER_JOB = 'webhooks.deliver';

export interface RecordEventInput {
  type: WebhookEventType;
  clientId: string | null;
  subjectId?: string | null;
  /** the subject as the client's API shows it (for grants: GET /v1/grants/{id}) */
  data: unknown;
}

/** Records an event in `tx`. Returns its id, or null when no active endpoint of the client wants it. */
export async function recordEvent(tx: Executor, input: RecordEventInput): Promise<string | null> {
  if (!input.clientId) return null; // issued by an admin or a flow with no client system: nobody to tell
  return insertEventIfSubscribed(tx, { id: newId('evt'), clientId: input.clientId, type: input.type, subjectId: input.subjectId ?? null, data: input.data });
}

/** Inserts deliveries and their jobs (dedupe key = delivery id) in `tx`. */
async function createDeliveries(tx: Tx, rows: Array<{ eventId: string; endpointId: string; clientId: string; resendOf?: string | null; requestedBy?: string | null; idempotencyKey?: string | null }>) {
  if (!rows.length) return [] as string[];
  const values = rows.map((r) => ({ id: newId('whd'), event_id: r.eventId, endpoint_id: r.endpointId, client_id: r.clientId, resend_of: r.resendOf ?? null, requested_by: r.requestedBy ?? null, idempotency_key: r.idempotencyKey ?? null }));
  const inserted = await tx.insertInto('webhook_deliveries').values(values).onConflict((oc) => oc.doNothing()).returning('id').execute();
  for (const { id } of inserted) await enqueue(tx, DELIVER_JOB, { delivery_id: id }, { dedupeKey: id, maxAttempts: 10 });
  return inserted.map((r) => r.id);
}

/**
 * Expands up to `limit` new events into deliveries. SKIP LOCKED: several processes fan out in parallel
 * without taking the same event. Returns how many events were handled.
 */
export async function fanOut(db: Executor, limit = 200): Promise<{ events: number; deliveries: number }> {
  return db.transaction().execute(async (tx) => {
    const events = await sql<{ id: string; client_id: string; type: string }>`
      SELECT id, client_id, type FROM webhook_events WHERE fanned_out_at IS NULL
       ORDER BY created_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(tx);
    if (!events.rows.length) return { events: 0, deliveries: 0 };
    const clients = [...new Set(events.rows.map((e) => e.client_id))];
    const endpoints = await tx.selectFrom('webhook_endpoints').select(['id', 'client_id', 'events']).where('client_id', 'in', clients).where('status', '=', LISTENING).execute();
    const pairs = events.rows.flatMap((e) =>
      endpoints
        .filter((p) => p.client_id === e.client_id && (p.events.length === 0 || p.events.includes(e.type)))
        .map((p) => ({ eventId: e.id, endpointId: p.id, clientId: e.client_id })),
    );
    const ids = await createDeliveries(tx, pairs);
    await tx.updateTable('webhook_events').set({ fanned_out_at: sql`now()` }).where('id', 'in', events.rows.map((e) => e.id)).execute();
    return { events: events.rows.length, deliveries: ids.length };
  });
}

/** A new delivery of an existing event (same event id): to one endpoint, or every active one subscribed. */
export async function resendEvent(tx: Tx, eventId: string, actor: string, opts: { clientId?: string; endpointId?: string; idempotencyKey?: string } = {}): Promise<string[]> {
  const event = await findEvent(tx, eventId, opts.clientId);
  if (opts.idempotencyKey) {
    // a retried re-send answers the deliveries the first one made
    const prior = await tx.selectFrom('webhook_deliveries').select('id').where('event_id', '=', eventId).where('idempotency_key', '=', opts.idempotencyKey).orderBy('id').execute();
    if (prior.length) return prior.map((p) => p.id);
  }
  let q = tx.selectFrom('webhook_endpoints').select(['id', 'status', 'events']).where('client_id', '=', event.client_id).where('status', '!=', 'deleted');
  if (opts.endpointId) q = q.where('id', '=', opts.endpointId);
  const endpoints = await q.execute();
  if (opts.endpointId && !endpoints.length) throw notFound('Webhook endpoint', opts.endpointId);
  if (opts.endpointId && endpoints[0].status !== LISTENING) throw fail('webhook_endpoint_disabled', `Endpoint ${opts.endpointId} is disabled; enable it before re-sending.`);
  const targets = endpoints.filter((p) => p.status === LISTENING && (opts.endpointId || p.events.length === 0 || p.events.includes(event.type)));
  const ids = await createDeliveries(tx, targets.map((p) => ({ eventId, endpointId: p.id, clientId: event.client_id, resendOf: eventId, requestedBy: actor, idempotencyKey: opts.idempotencyKey })));
  await appendAudit(tx, { actor, action: 'webhook.event.resend', target: eventId, details: { deliveries: ids, endpoint_id: opts.endpointId ?? null } });
  return ids;
}

async function findEvent(db: Executor, id: string, clientId?: string) {
  let q = db.selectFrom('webhook_events').selectAll().where('id', '=', id);
  if (clientId) q = q.where('client_id', '=', clientId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('Webhook event', id);
  return row;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toDelivery(d: DeliveryRow): Delivery {
  return {
    id: d.id,
    event_id: d.event_id,
    endpoint_id: d.endpoint_id,
    status: d.status,
    attempts: d.attempts,
    next_at: iso(d.next_at),
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    resend_of: d.resend_of,
    created_at: iso(d.created_at)!,
    updated_at: iso(d.updated_at)!,
    finished_at: iso(d.finished_at),
  };
}

/** Deliveries with their attempt logs. */
async function withAttempts(db: Executor, deliveries: DeliveryRow[]): Promise<Delivery[]> {
  if (!deliveries.length) return [];
  const attempts = await db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', 'in', deliveries.map((d) => d.id)).orderBy('id').execute();
  return deliveries.map((d) => ({
    ...toDelivery(d),
    attempt_log: attempts
      .filter((a) => a.delivery_id === d.id)
      .map((a) => ({ attempt: a.attempt, at: iso(a.at)!, status_code: a.status_code, duration_ms: a.duration_ms, error: a.error })),
  }));
}

export async function getEvent(db: Executor, id: string, clientId?: string): Promise<WebhookEvent> {
  const e = await findEvent(db, id, clientId);
  const deliveries = await db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', id).orderBy('id').execute();
  return { id: e.id, client_id: e.client_id, type: e.type, subject_id: e.subject_id, created_at: iso(e.created_at)!, data: e.data, deliveries: await withAttempts(db, deliveries) };
}

export async function listEvents(db: Executor, q: EventListQuery & { clientId?: string }): Promise<{ data: WebhookEvent[]; next_cursor: string | null }> {
  const limit = q.limit ?? 50;
  let query = db.selectFrom('webhook_events').selectAll();
  if (q.clientId) query = query.where('client_id', '=', q.clientId);
  if (q.type) query = query.where('type', '=', q.type);
  if (q.subject_id) query = query.where('subject_id', '=', q.subject_id);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    data: page.map((e) => ({ id: e.id, client_id: e.client_id, type: e.type, subject_id: e.subject_id, created_at: iso(e.created_at)!, data: e.data })),
    next_cursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}

export async function getDelivery(db: Executor, id: string, clientId?: string): Promise<Delivery> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id);
  if (clientId) q = q.where('client_id', '=', clientId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('Webhook delivery', id);
  return (await withAttempts(db, [row]))[0];
}

export async function listDeliveries(db: Executor, opts: { endpointId: string; clientId?: string; limit?: number; cursor?: string }): Promise<{ data: Delivery[]; next_cursor: string | null }> {
  const limit = opts.limit ?? 50;
  let q = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', opts.endpointId);
  if (opts.clientId) q = q.where('client_id', '=', opts.clientId);
  if (opts.cursor) q = q.where('id', '<', opts.cursor);
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { data: await withAttempts(db, page), next_cursor: rows.length > limit ? page[page.length - 1].id : null };
}
