import type { ResponseOf } from '../../api/types.ts';
import type { MessageKey } from '../../i18n/index.tsx';

export type Trail = ResponseOf<'/v1/admin/grants/{id}/trail', 'get'>;
export type TimelineEntry = Trail['timeline'][number];
export type AuditEntry = Trail['audit'][number];

// The trail's `recharge` and `webhooks` are declared `unknown` in the OpenAPI document (they are the recharges
// and webhooks modules' own views, which have no schema yet); these are the fields the page reads of them.
export interface RechargeAttempt {
  id: string;
  attempt_no: number;
  supplier_id: string;
  supplier_order_id: string | null;
  state: string;
  submits: number;
  polls: number;
  result_code: string | null;
  result_message: string | null;
  created_at: string | null;
  finished_at: string | null;
}
export interface RechargeEvent {
  id: number;
  at: string;
  kind: string;
  attempt_id: string | null;
  supplier_id: string | null;
  outcome: string;
  supplier_code: string | null;
  actor: string;
}
export interface RechargeOrder {
  id: string;
  status: string;
  account: string | null;
  attempts: RechargeAttempt[];
  events: RechargeEvent[];
}
export interface WebhookTry {
  attempt: number;
  at: string;
  status_code: number | null;
  duration_ms: number | null;
  error: string | null;
}
export interface WebhookEvent {
  id: string;
  type: string;
  created_at: string;
  deliveries: { id: string; endpoint_id: string; status: string; attempts: number; attempt_log: WebhookTry[] }[];
}

const EVENT_KEYS: Record<string, MessageKey> = {
  'grant.issued': 'grants.events.grant_issued',
  'grant.redeemed': 'grants.events.grant_redeemed',
  'grant.voided': 'grants.events.grant_voided',
  'grant.expired': 'grants.events.grant_expired',
  'grant.failed': 'grants.events.grant_failed',
  'grant.reveal': 'grants.events.grant_reveal',
  'grant.void': 'grants.events.grant_void',
  'recharge.resolve': 'grants.events.recharge_resolve',
  submit: 'grants.events.submit',
  callback: 'grants.events.callback',
  query: 'grants.events.query',
  resolve: 'grants.events.resolve',
  recover: 'grants.events.recover',
  'event.created': 'grants.events.event_created',
  'delivery.attempt': 'grants.events.delivery_attempt',
};

/** The message key naming a timeline event; undefined for an event the console does not know yet. */
export const eventKey = (event: string): MessageKey | undefined => EVENT_KEYS[event];
