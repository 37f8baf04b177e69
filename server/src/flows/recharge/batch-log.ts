import pino from 'pino';
import type { AppContext } from '../../platform/context.ts';
import { loggerOptions } from '../../platform/http/logging.ts';

// What the recharge batches (callback-batch.ts, submit-batch.ts) need of the context, and their log. A batch
// the database refused harms no recharge — each of its items takes the one-by-one path — but an operator
// should see how often it happens: a deadlock with another batch now and then is expected, a steady stream
// is not. Only the SQLSTATE and the message are logged (never an error's detail, which can quote row values).

export type BatchContext = Pick<AppContext, 'database' | 'config'>;

export interface BatchLog {
  warn(fields: Record<string, unknown>, msg: string): void;
}

const loggers = new WeakMap<object, BatchLog>();

export function batchLog(ctx: BatchContext): BatchLog {
  let l = loggers.get(ctx.database);
  if (!l) {
    l = pino(loggerOptions(ctx.config.logLevel) as pino.LoggerOptions).child({ module: 'recharges' }) as BatchLog;
    loggers.set(ctx.database, l);
  }
  return l;
}

/** Tests watch the log through this. */
export const setBatchLog = (ctx: BatchContext, log: BatchLog) => loggers.set(ctx.database, log);

export function logRefusedBatch(ctx: BatchContext, batch: string, items: number, e: unknown) {
  const err = { code: (e as { code?: unknown }).code ?? null, message: (e instanceof Error ? e.message : String(e)).slice(0, 200) };
  batchLog(ctx).warn({ batch, items, err }, 'a batch of recharge writes was refused; its items take the one-by-one path');
}
