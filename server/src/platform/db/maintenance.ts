import { sql } from 'kysely';
import type { Database } from './db.ts';

// The embedded database has no autovacuum: nothing would ever reclaim the dead claim-index entries that
// each issuance leaves, nor refresh planner statistics. This does it on a timer. (PostgreSQL servers have
// autovacuum, tuned for the codes table in migration 003, so there it only refreshes nothing.)
export async function maintainEmbedded(database: Database) {
  if (database.kind !== 'pglite') return;
  await sql`VACUUM (ANALYZE) codes`.execute(database.db);
  await sql`VACUUM (ANALYZE) grants`.execute(database.db);
}

export function startEmbeddedMaintenance(database: Database, opts: { intervalMs?: number; onError?: (e: unknown) => void } = {}) {
  if (database.kind !== 'pglite') return { stop: async () => {} };
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= maintainEmbedded(database)
      .catch((e) => opts.onError?.(e))
      .finally(() => (running = null));
    return running;
  };
  void run(); // statistics right away: a fresh or restored data directory may have none
  const timer = setInterval(run, opts.intervalMs ?? 5 * 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
