import type { AppContext } from '../../platform/context.ts';
import { periodicWorker, type Worker } from '../../platform/module.ts';
import { fanOut } from './events.service.ts';
import { webhookLogger } from './delivery.job.ts';
import { pruneWebhookHistory } from './webhooks.repo.ts';

// Turns recorded events into deliveries off the issuance hot path. Polls; a full batch is followed at once
// by the next one. Safe in several processes at once (SKIP LOCKED in fanOut).
export function startFanOut(ctx: AppContext, opts: { intervalMs?: number; batch?: number } = {}) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      for (let n = opts.batch ?? 200; !stopped; ) {
        const r = await fanOut(ctx.db, opts.batch ?? 200);
        if (r.events < n) break;
      }
    } catch (e) {
      webhookLogger(ctx).warn({ err: (e as Error).message }, 'webhook fan-out failed; retrying'); // database away: next tick
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), opts.intervalMs ?? 500);
  };
  running = tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export const fanOutWorker: Worker = { name: 'webhooks.fanout', start: (ctx) => startFanOut(ctx) };

/** Deletes the history of old, finished events hourly (QUANYI_WEBHOOK_RETENTION_DAYS), in bounded batches. */
export const historyPruner: Worker = periodicWorker(
  'webhooks.history-pruner',
  3_600_000,
  async (ctx) => {
    while ((await pruneWebhookHistory(ctx.db, ctx.config.webhookRetentionDays)) >= 2000);
  },
  (ctx, e) => webhookLogger(ctx).warn({ err: e.message }, 'webhook history pruning failed; next hour'),
);
