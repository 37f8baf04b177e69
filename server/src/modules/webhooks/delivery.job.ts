import { sql } from 'kysely';
import pino from 'pino';
import type { AppContext } from '../../platform/context.ts';
import type { JobDefinition, JobPolicy, JobRun } from '../../platform/jobs/jobs.ts';
import { loggerOptions } from '../../platform/http/logging.ts';
import { appendAudit } from '../audit/index.ts';
import { signingSecrets } from './endpoints.service.ts';
import { postWebhook, type PostOutcome } from './http-post.ts';
import { signatureHeader, SIGNATURE_HEADER } from './signature.ts';
import { cancelOpenDeliveries, loadDeliveryContext, moveDelivery, moveEndpoint } from './webhooks.repo.ts';
import { LISTENING, webhookDeliveryMachine } from './webhooks.machine.ts';

// One job per delivery (DESIGN §6): POST the event, any 2xx acknowledges; otherwise retried after about
// 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h — ten tries over about a day — then the delivery is
// dead and its endpoint disabled with an alert. Each delivery being its own job, a stuck event or a slow
// endpoint never holds back the others.
export const DELIVERY_POLICY: JobPolicy = {
  attempts: 10,
  backoffSeconds: [30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800],
  lane: 'fast',
  retentionDays: 30,
};

export const DELIVERY_TIMEOUT_MS = 10_000;

/** When try `attempt + 1` is due after try `attempt` failed (the policy's schedule; the last value repeats). */
export function nextRetryAt(attempt: number, from = new Date()): Date {
  const b = DELIVERY_POLICY.backoffSeconds;
  return new Date(from.getTime() + b[Math.min(attempt - 1, b.length - 1)] * 1000);
}

// Alerts go to the log at warn as well as to the audit log. Tests may swap the logger.
export interface WebhookLog {
  warn(fields: Record<string, unknown>, msg: string): void;
}
const loggers = new WeakMap<AppContext, WebhookLog>();
export function webhookLogger(ctx: AppContext): WebhookLog {
  let l = loggers.get(ctx);
  if (!l) {
    l = pino(loggerOptions(ctx.config.logLevel) as pino.LoggerOptions).child({ module: 'webhooks' }) as WebhookLog;
    loggers.set(ctx, l);
  }
  return l;
}
export const setWebhookLogger = (ctx: AppContext, logger: WebhookLog) => loggers.set(ctx, logger);

export class DeliveryFailed extends Error {
  constructor(readonly outcome: PostOutcome, readonly nextAt: Date | null) {
    super(outcome.error ?? `HTTP ${outcome.statusCode}`);
    this.name = 'DeliveryFailed';
  }
}

export interface DeliveryResult extends Record<string, unknown> {
  delivery_id: string;
  outcome: 'succeeded' | 'dead' | 'skipped';
  status_code?: number | null;
  attempt?: number;
  reason?: string;
}

/**
 * One try of one delivery. Answers a result when the delivery is settled (acknowledged, already final,
 * or given up); throws DeliveryFailed when it should be retried on the policy's schedule.
 */
export async function deliverOnce(ctx: AppContext, deliveryId: string, opts: { lastAttempt?: boolean; now?: () => Date; timeoutMs?: number } = {}): Promise<DeliveryResult> {
  const row = await loadDeliveryContext(ctx.db, deliveryId);
  if (!row) return { delivery_id: deliveryId, outcome: 'skipped', reason: 'no such delivery' };
  if (webhookDeliveryMachine.isFinal(row.status)) return { delivery_id: deliveryId, outcome: 'skipped', reason: `already ${row.status}` };
  if (row.endpoint_status !== LISTENING) {
    await moveDelivery(ctx.db, deliveryId, 'cancel');
    return { delivery_id: deliveryId, outcome: 'skipped', reason: `endpoint ${row.endpoint_status}` };
  }
  const started = await moveDelivery(ctx.db, deliveryId, 'start', { attempts: sql`attempts + 1`, next_at: null });
  if (!started) return { delivery_id: deliveryId, outcome: 'skipped', reason: 'moved by another worker' };
  const attempt = started.attempts;

  const body = JSON.stringify({ id: row.event_id, type: row.type, created_at: new Date(row.event_created_at).toISOString(), data: row.data });
  const t = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
  const outcome = await postWebhook({
    url: row.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Quanyi-Webhooks/1',
      [SIGNATURE_HEADER]: signatureHeader(signingSecrets(ctx.keyring, { ...row, id: row.endpoint_id }), body, t),
      'quanyi-event-id': row.event_id,
      'quanyi-event-type': row.type,
    },
    timeoutMs: opts.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    allowPrivate: ctx.config.allowPrivateWebhooks,
  });

  const giveUp = !outcome.ok && (attempt >= DELIVERY_POLICY.attempts || Boolean(opts.lastAttempt));
  const nextAt = outcome.ok || giveUp ? null : nextRetryAt(attempt, opts.now?.());
  await ctx.db.transaction().execute(async (tx) => {
    await tx.insertInto('webhook_delivery_attempts').values({ delivery_id: deliveryId, attempt, status_code: outcome.statusCode, duration_ms: outcome.durationMs, error: outcome.error }).execute();
    const fields = { last_status_code: outcome.statusCode, last_error: outcome.error };
    if (outcome.ok) return moveDelivery(tx, deliveryId, 'succeed', fields);
    if (!giveUp) return moveDelivery(tx, deliveryId, 'fail', { ...fields, next_at: nextAt });
    await moveDelivery(tx, deliveryId, 'give_up', fields);
    const reason = `delivery ${deliveryId} of event ${row.event_id} failed ${attempt} times; last: ${outcome.error ?? `HTTP ${outcome.statusCode}`}`;
    const disabled = await moveEndpoint(tx, row.endpoint_id, 'disable', { disabled_reason: reason });
    if (disabled) {
      await cancelOpenDeliveries(tx, row.endpoint_id);
      await appendAudit(tx, { actor: 'system', action: 'webhook.endpoint.disable', target: row.endpoint_id, details: { client_id: row.client_id, reason, alert: true } });
    }
  });
  if (outcome.ok) return { delivery_id: deliveryId, outcome: 'succeeded', status_code: outcome.statusCode, attempt };
  if (giveUp) {
    webhookLogger(ctx).warn({ endpoint_id: row.endpoint_id, client_id: row.client_id, delivery_id: deliveryId, event_id: row.event_id, attempts: attempt, last_error: outcome.error, status_code: outcome.statusCode },
      'webhook endpoint disabled: deliveries kept failing');
    return { delivery_id: deliveryId, outcome: 'dead', status_code: outcome.statusCode, attempt };
  }
  throw new DeliveryFailed(outcome, nextAt);
}

export async function runDeliveryJob(run: JobRun) {
  return deliverOnce(run.ctx, String(run.payload.delivery_id), { lastAttempt: run.lastAttempt });
}

export const deliveryJob: JobDefinition = { handler: runDeliveryJob, policy: DELIVERY_POLICY };
