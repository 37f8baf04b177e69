import type { Executor } from '../../platform/db/db.ts';
import { toDelivery } from './events.service.ts';

// The webhook events about one subject (a grant) with every delivery and try, for the console's trail.
// Without the event's data: it is the grant as its client sees it, redeem link included.
export async function webhookEventsOf(db: Executor, subjectId: string) {
  const events = await db.selectFrom('webhook_events').select(['id', 'type', 'client_id', 'created_at']).where('subject_id', '=', subjectId).orderBy('id').execute();
  if (!events.length) return [];
  const deliveries = await db.selectFrom('webhook_deliveries').selectAll().where('event_id', 'in', events.map((e) => e.id)).orderBy('id').execute();
  const tries = deliveries.length
    ? await db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', 'in', deliveries.map((d) => d.id)).orderBy('id').execute()
    : [];
  return events.map((e) => ({
    id: e.id,
    type: e.type,
    client_id: e.client_id,
    created_at: e.created_at.toISOString(),
    deliveries: deliveries
      .filter((d) => d.event_id === e.id)
      .map((d) => ({
        ...toDelivery(d),
        attempt_log: tries
          .filter((a) => a.delivery_id === d.id)
          .map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), status_code: a.status_code, duration_ms: a.duration_ms, error: a.error })),
      })),
  }));
}
export type WebhookEventTrail = Awaited<ReturnType<typeof webhookEventsOf>>[number];
