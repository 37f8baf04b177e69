import type { AppContext } from '../platform/context.ts';
import { expireCodes } from '../modules/inventory/index.ts';
import { expireGrants } from './expire-grants.ts';

// Periodically expires unredeemed grants (returning their codes to stock) and expired stock. Each sweep is
// a bounded, SKIP LOCKED statement, so running it in several processes at once is safe.
export function startExpirySweeper(ctx: AppContext, opts: { intervalMs?: number; log?: (msg: string, n: number) => void } = {}) {
  let stopped = false;
  let running: Promise<void> | null = null;
  const sweep = async () => {
    let grants = 0;
    for (let n = 1000; n === 1000 && !stopped; ) {
      n = await expireGrants(ctx.db, 1000);
      grants += n;
    }
    if (grants) opts.log?.('grants expired', grants);
    const codes = await expireCodes(ctx.db);
    if (codes) opts.log?.('codes expired', codes);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = sweep()
      .catch((e) => opts.log?.(`expiry sweep failed: ${(e as Error).message}`, 0))
      .finally(() => (running = null));
  }, opts.intervalMs ?? 60_000);
  timer.unref();
  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
