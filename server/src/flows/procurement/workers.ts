import pino from 'pino';
import type { AppContext } from '../../platform/context.ts';
import { loggerOptions } from '../../platform/http/logging.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import type { Worker } from '../../platform/module.ts';
import { BILL_FETCH_JOB, enabledSettings, getBill } from '../../modules/procurement/index.ts';
import { chinaDay, listSuppliers } from '../../modules/suppliers/index.ts';
import { scanStock } from './buy.ts';

// Background loops of procurement: the stock scan (every 30 s: products below safety stock get ONE purchase
// order each — any number of processes may scan at once), and the daily bill fetch (each hour, yesterday's
// bill of every active supplier that has none yet is fetched by a job; a dedupe key keeps it to one job).

const SCAN_MS = 30_000;
const BILL_CHECK_MS = 3600_000;

export async function scanOnce(ctx: AppContext) {
  const settings = await enabledSettings(ctx.db);
  return scanStock(ctx, settings.map((s) => s.product_id));
}

export async function enqueueYesterdaysBills(ctx: AppContext, now = Date.now()): Promise<number> {
  const day = chinaDay(now - 86400_000);
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await listSuppliers(ctx, ctx.db, { limit: 200, cursor, status: 'active' });
    for (const s of page.data) {
      if (await getBill(ctx.db, s.id, day)) continue;
      await enqueue(ctx.db, BILL_FETCH_JOB, { supplier_id: s.id, day }, { dedupeKey: `${s.id}:${day}` });
      n++;
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return n;
}

function loop(name: string, everyMs: number, fn: (ctx: AppContext) => Promise<unknown>): Worker {
  return {
    name,
    start(ctx) {
      const log = pino(loggerOptions(ctx.config.logLevel) as pino.LoggerOptions);
      let stopped = false;
      let running: Promise<unknown> | null = null;
      const tick = () => {
        if (stopped || running) return;
        // a fault (database away, supplier down) is logged and the next tick tries again
        running = fn(ctx)
          .catch((e) => log.warn({ err: e instanceof Error ? e.message : String(e) }, `${name} failed`))
          .finally(() => (running = null));
      };
      const timer = setInterval(tick, everyMs);
      timer.unref();
      setTimeout(tick, 1000).unref();
      return {
        async stop() {
          stopped = true;
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}

export const procurementWorkers: Worker[] = [loop('procurement-scan', SCAN_MS, scanOnce), loop('supplier-bills-daily', BILL_CHECK_MS, enqueueYesterdaysBills)];
