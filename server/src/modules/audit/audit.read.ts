import type { Executor } from '../../platform/db/db.ts';
import type { AuditEvent } from './audit.service.ts';

// Reading the log for other modules and flows (the grant trail, exports). Audit details never hold
// secrets (see AuditInput), so they are returned as written.
export interface AuditFilter {
  action?: string;
  actor?: string;
  target?: string;
}

export type AuditRow = Omit<AuditEvent, 'prev_hash' | 'hash'>;

/** Events about one target (a grant, a batch …), oldest first. */
export async function auditEventsFor(db: Executor, target: string, limit = 1000): Promise<AuditRow[]> {
  const rows = await db.selectFrom('audit_events').select(['seq', 'created_at', 'actor', 'action', 'target', 'details']).where('target', '=', target).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), details: r.details as Record<string, unknown> }));
}

/** A page of events matching `filter`, newest first, before seq `before` (exports walk the whole log this way). */
export async function auditPage(db: Executor, filter: AuditFilter, before: number | null, limit: number): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_events').select(['seq', 'created_at', 'actor', 'action', 'target', 'details']).orderBy('seq', 'desc').limit(limit);
  if (before !== null) q = q.where('seq', '<', before);
  if (filter.action) q = q.where('action', '=', filter.action);
  if (filter.actor) q = q.where('actor', '=', filter.actor);
  if (filter.target) q = q.where('target', '=', filter.target);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), details: r.details as Record<string, unknown> }));
}
