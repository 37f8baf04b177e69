import pino from 'pino';
import type { AppContext } from '../../platform/context.ts';
import { loggerOptions } from '../../platform/http/logging.ts';
import type { Worker } from '../../platform/module.ts';
import { appendAudit } from '../audit/index.ts';
import { supplierConnection } from './connection.ts';
import * as repo from './suppliers.repo.ts';

// Supplier balances: polled through the adapter (`queryBalance`), stored with the time of the check, and a
// low-balance alert — an audit event `supplier.low_balance` and a warn log line — raised once per crossing
// below the threshold. The flag `low_balance_alerted` is read and written under a row lock, so two processes
// polling at once raise one alert; it clears when a poll sees the balance back at or above the threshold.

export interface BalanceLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export type BalanceRefresh =
  | { kind: 'ok'; balance: number; lowBalance: boolean; alerted: boolean }
  | { kind: 'unknown'; reason: string };

export async function refreshBalance(ctx: Pick<AppContext, 'db' | 'keyring' | 'config'>, supplierId: string, log: BalanceLog): Promise<BalanceRefresh> {
  const conn = await supplierConnection(ctx, supplierId);
  const answer = await conn.adapter.queryBalance(conn.creds, { timeoutMs: ctx.config.suppliers.balanceTimeoutMs });
  if (answer.kind !== 'ok') {
    log.warn({ supplier_id: supplierId, reason: answer.reason }, 'supplier balance query failed');
    return { kind: 'unknown', reason: answer.reason };
  }
  const balance = answer.balanceFen;
  const result = await ctx.db.transaction().execute(async (tx) => {
    const row = await repo.lockBalance(tx, supplierId);
    if (!row) return null;
    const threshold = row.low_balance_threshold === null ? null : Number(row.low_balance_threshold);
    const low = threshold !== null && balance < threshold;
    const crossing = low && !row.low_balance_alerted;
    await repo.storeBalance(tx, supplierId, balance, low);
    if (crossing) {
      await appendAudit(tx, { actor: 'system', action: 'supplier.low_balance', target: supplierId, details: { name: row.name, balance, threshold } });
    }
    return { name: row.name, threshold, low, crossing };
  });
  if (!result) return { kind: 'unknown', reason: 'supplier vanished' };
  if (result.crossing) {
    log.warn({ supplier_id: supplierId, supplier: result.name, balance, threshold: result.threshold }, 'supplier balance below its threshold');
  }
  return { kind: 'ok', balance, lowBalance: result.low, alerted: result.crossing };
}

/** One pass over every active supplier; a failing supplier never stops the others. */
export async function pollBalances(ctx: Pick<AppContext, 'db' | 'keyring' | 'config'>, log: BalanceLog) {
  let ok = 0;
  let failed = 0;
  for (const id of await repo.activeSupplierIds(ctx.db)) {
    try {
      const r = await refreshBalance(ctx, id, log);
      if (r.kind === 'ok') ok++;
      else failed++;
    } catch (e) {
      failed++;
      log.warn({ supplier_id: id, err: (e as Error).message }, 'supplier balance poll failed');
    }
  }
  return { ok, failed };
}

/** Polls every `balancePollMinutes` (and once shortly after start). */
export function startBalancePoller(ctx: AppContext, opts: { intervalMs?: number; firstAfterMs?: number; log?: BalanceLog } = {}) {
  const log: BalanceLog = opts.log ?? pino(loggerOptions(ctx.config.logLevel) as pino.LoggerOptions);
  let stopped = false;
  let running: Promise<unknown> | null = null;
  const pass = () => {
    if (running || stopped) return;
    running = pollBalances(ctx, log)
      .catch((e) => log.warn({ err: (e as Error).message }, 'supplier balance poll failed'))
      .finally(() => (running = null));
  };
  const first = setTimeout(pass, opts.firstAfterMs ?? 5_000);
  const timer = setInterval(pass, opts.intervalMs ?? ctx.config.suppliers.balancePollMinutes * 60_000);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

export const balanceWorker: Worker = {
  name: 'supplier-balance',
  start: (ctx) => startBalancePoller(ctx),
};
