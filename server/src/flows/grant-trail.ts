import type { AppContext } from '../platform/context.ts';
import { notFound } from '../platform/errors.ts';
import { auditEventsFor, type AuditRow } from '../modules/audit/index.ts';
import { clientNames } from '../modules/clients/index.ts';
import { grantDetail } from '../modules/grants/index.ts';
import { rechargeView } from '../modules/recharges/index.ts';
import { webhookEventsOf } from '../modules/webhooks/index.ts';

// A grant's whole trail for the console (issue 6): who issued it through which client, channel and campaign;
// when it was issued, revealed (each time), redeemed, voided, expired or failed; for a direct recharge every
// attempt with its submits, callbacks and queries; the webhook events with every delivery try; the audit
// events about it — each section from its own module's front door, plus one time-ordered `timeline` the page
// draws as a single list. Nothing secret: no code, no token or redeem link, phone and account masked.

export interface TimelineEntry {
  at: string;
  /** the section the entry comes from */
  kind: 'grant' | 'audit' | 'recharge' | 'webhook';
  /** what happened: grant.issued, grant.reveal, submit, callback, delivery.attempt … */
  event: string;
  actor: string | null;
  summary: string;
  /** the id of what it is about, when not the grant itself: an attempt, a webhook event or delivery */
  ref: string | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const auditView = (e: AuditRow) => ({ seq: e.seq, created_at: iso(e.created_at), actor: e.actor, action: e.action, details: e.details });

export async function grantTrail(ctx: AppContext, id: string) {
  const detail = await grantDetail(ctx, id);
  if (!detail) throw notFound('Grant', id);
  const g = detail.grant;
  const [names, audit, recharge, webhooks] = await Promise.all([
    clientNames(ctx.db, detail.client_id ? [detail.client_id] : []),
    auditEventsFor(ctx.db, id),
    g.product.kind === 'direct_recharge' ? rechargeView(ctx.db, id) : Promise.resolve(null),
    webhookEventsOf(ctx.db, id),
  ]);
  const reveals = audit.filter((e) => e.action === 'grant.reveal');
  const clientName = detail.client_id ? (names.get(detail.client_id) ?? null) : null;

  const timeline: TimelineEntry[] = [];
  const add = (at: string | null, kind: TimelineEntry['kind'], event: string, summary: string, actor: string | null = null, ref: string | null = null) => {
    if (at) timeline.push({ at, kind, event, actor, summary, ref });
  };
  add(g.created_at, 'grant', 'grant.issued', `${g.product.name} issued${clientName ? ` through ${clientName}` : ''}${g.out_order_no ? ` (order ${g.out_order_no})` : ''}`, detail.issued_by);
  add(g.redeemed_at, 'grant', 'grant.redeemed', g.product.kind === 'direct_recharge' ? 'recharge succeeded' : 'first reveal');
  if (g.status === 'voided' || g.status === 'expired' || g.status === 'failed') {
    add(g.ended_at, 'grant', `grant.${g.status}`, detail.end_reason ?? g.failure?.message ?? g.status);
  }
  for (const e of audit) add(iso(e.created_at), 'audit', e.action, auditSummary(e), e.actor);
  for (const e of (recharge?.events ?? []) as Array<{ at: string; kind: string; outcome: string; supplier_id: string | null; attempt_id: string | null; actor: string }>) {
    add(e.at, 'recharge', e.kind, `${e.kind} ${e.outcome}${e.supplier_id ? ` at ${e.supplier_id}` : ''}`, e.actor, e.attempt_id);
  }
  for (const w of webhooks) {
    add(w.created_at, 'webhook', 'event.created', w.type, null, w.id);
    for (const d of w.deliveries) {
      for (const t of d.attempt_log) {
        add(t.at, 'webhook', 'delivery.attempt', `${w.type} → ${d.endpoint_id}: ${t.status_code ?? t.error ?? 'no answer'}`, null, d.id);
      }
    }
  }
  // oldest first; a stable sort keeps the sections' own order for entries of the same instant
  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  return {
    grant: {
      ...g,
      client: detail.client_id ? { id: detail.client_id, name: clientName } : null,
      channel: detail.channel,
      campaign: detail.campaign,
      issued_by: detail.issued_by,
      end_reason: detail.end_reason,
    },
    reveals: { count: detail.reveal_count, times: reveals.map((e) => iso(e.created_at)) },
    recharge,
    webhooks,
    audit: audit.map(auditView),
    timeline,
  };
}

function auditSummary(e: AuditRow): string {
  const d = e.details;
  if (e.action === 'grant.reveal') return `revealed (${String(d.reveal_count ?? '?')}${d.first ? ', first' : ''})`;
  if (e.action === 'grant.void') return `voided${d.reason ? `: ${String(d.reason)}` : ''}${d.code_returned ? ', code back in stock' : ''}`;
  return e.action;
}

/** The audit events about a grant, as GET /v1/admin/grants/{id} has always returned them beside the grant. */
export async function grantWithAudit(ctx: AppContext, id: string) {
  const detail = await grantDetail(ctx, id);
  if (!detail) throw notFound('Grant', id);
  return { ...detail.grant, trail: (await auditEventsFor(ctx.db, id)).map(auditView) };
}
