import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import { idBoundary } from '../../platform/ids.ts';
import type { WebhookDeliveriesTable, WebhookDeliveryStatus, WebhookEndpointsTable, WebhookEndpointStatus } from '../../platform/db/schema.ts';
import { LISTENING, webhookDeliveryMachine, webhookEndpointMachine, type DeliveryEvent, type EndpointEvent } from './webhooks.machine.ts';
import { textArray } from '../../platform/db/literals.ts';

// SQL for the webhook tables only. Every status change goes through a machine: its guard is
// `status = ANY(machine.sourcesOf(event))`, never a hand-written list.
export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/**
 * One statement on the issuance hot path: inserts the event only when the client has an active endpoint
 * subscribed to its type (empty `events` = all). Returns the event id, or null when nothing was written.
 */
export async function insertEventIfSubscribed(
  tx: Executor,
  e: { id: string; clientId: string; type: string; subjectId: string | null; data: unknown },
): Promise<string | null> {
  const res = await sql<{ id: string }>`
    INSERT INTO webhook_events (id, client_id, type, subject_id, data)
    SELECT ${e.id}, ${e.clientId}, ${e.type}, ${e.subjectId}, ${JSON.stringify(e.data)}::jsonb
     WHERE EXISTS (SELECT 1 FROM webhook_endpoints
                    WHERE client_id = ${e.clientId} AND status = ${LISTENING}
                      AND (cardinality(events) = 0 OR ${e.type} = ANY(events)))
    RETURNING id`.execute(tx);
  return res.rows[0]?.id ?? null;
}

/** Moves an endpoint by `event`; null when it is not in a state the event applies to (or not there). */
export async function moveEndpoint(
  tx: Executor,
  id: string,
  event: EndpointEvent,
  set: { disabled_reason?: string | null } = {},
  clientId?: string,
): Promise<EndpointRow | undefined> {
  const to = webhookEndpointMachine.targetOf(event);
  let q = tx
    .updateTable('webhook_endpoints')
    .set({
      status: to,
      updated_at: sql`now()`,
      ...(to === 'disabled' ? { disabled_at: sql`now()`, disabled_reason: set.disabled_reason ?? null } : {}),
      ...(to === 'active' ? { disabled_at: null, disabled_reason: null } : {}),
    })
    .where('id', '=', id)
    .where('status', 'in', webhookEndpointMachine.sourcesOf(event) as WebhookEndpointStatus[]);
  if (clientId) q = q.where('client_id', '=', clientId);
  return q.returningAll().executeTakeFirst();
}

/** Moves a delivery by `event` with extra column values; undefined when the guard refused the move. */
export async function moveDelivery(
  tx: Executor,
  id: string,
  event: DeliveryEvent,
  set: Partial<{ attempts: unknown; next_at: Date | null; last_status_code: number | null; last_error: string | null }> = {},
): Promise<DeliveryRow | undefined> {
  const to = webhookDeliveryMachine.targetOf(event);
  return tx
    .updateTable('webhook_deliveries')
    .set({
      status: to,
      updated_at: sql`now()`,
      ...(set as Record<string, never>),
      ...(webhookDeliveryMachine.isFinal(to) ? { finished_at: sql`now()`, next_at: null } : {}),
    })
    .where('id', '=', id)
    .where('status', 'in', webhookDeliveryMachine.sourcesOf(event) as WebhookDeliveryStatus[])
    .returningAll()
    .executeTakeFirst();
}

/** Cancels the open deliveries of an endpoint (disabled or deleted): their jobs then end without sending. */
export async function cancelOpenDeliveries(tx: Executor, endpointId: string): Promise<number> {
  const res = await tx
    .updateTable('webhook_deliveries')
    .set({ status: webhookDeliveryMachine.targetOf('cancel'), updated_at: sql`now()`, finished_at: sql`now()`, next_at: null })
    .where('endpoint_id', '=', endpointId)
    .where('status', 'in', webhookDeliveryMachine.sourcesOf('cancel') as WebhookDeliveryStatus[])
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** What a delivery run needs, in one query. */
export async function loadDeliveryContext(db: Executor, deliveryId: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .innerJoin('webhook_endpoints as p', 'p.id', 'd.endpoint_id')
    .select([
      'd.id', 'd.status', 'd.attempts', 'd.client_id', 'd.endpoint_id',
      'e.id as event_id', 'e.type', 'e.created_at as event_created_at', 'e.data',
      'p.url', 'p.status as endpoint_status', 'p.secret_wrapped', 'p.master_key_id',
      'p.previous_secret_wrapped', 'p.previous_master_key_id', 'p.previous_secret_expires_at',
    ])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
}

/**
 * Deletes the history of events older than `days` (the event, its deliveries and their tries), at most
 * `limit` events, oldest first; only events whose every delivery is final (a delivery still going keeps its
 * event) and that were fanned out. One statement: the rows go together or not at all.
 */
export async function pruneWebhookHistory(db: Executor, days: number, limit = 2000): Promise<number> {
  const boundary = idBoundary('evt', new Date(Date.now() - days * 86_400_000));
  const r = await sql<{ id: string }>`
    WITH old AS (
           SELECT e.id FROM webhook_events e
            WHERE e.id < ${boundary} AND e.fanned_out_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                               WHERE d.event_id = e.id AND d.status <> ALL(${textArray(webhookDeliveryMachine.finalStates())}))
            ORDER BY e.id LIMIT ${limit}),
         deliveries AS (SELECT d.id FROM webhook_deliveries d WHERE d.event_id IN (SELECT id FROM old)),
         tries AS (DELETE FROM webhook_delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries) RETURNING 1),
         gone AS (DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM deliveries) RETURNING 1)
    DELETE FROM webhook_events WHERE id IN (SELECT id FROM old) RETURNING id`.execute(db);
  return r.rows.length;
}
