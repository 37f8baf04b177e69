import type { Executor } from '../../platform/db/db.ts';

// Which event types a client's active endpoints want, cached for a second. The hot paths (issuing a card
// code is one round trip) ask this first and open a transaction for the event only when somebody listens;
// recordEvent still checks in SQL, so a stale "yes" costs a transaction and writes nothing. A stale "no"
// can miss an event for at most a second after an endpoint is registered in another process (this process
// forgets its cache entry at once).
const TTL_MS = 1_000;
const cache = new Map<string, { types: Set<string> | 'all'; at: number }>();

export async function isSubscribed(db: Executor, clientId: string | null, type: string): Promise<boolean> {
  if (!clientId) return false;
  let hit = cache.get(clientId);
  if (!hit || Date.now() - hit.at > TTL_MS) {
    const rows = await db.selectFrom('webhook_endpoints').select('events').where('client_id', '=', clientId).where('status', '=', 'active').execute();
    const types = rows.some((r) => r.events.length === 0) ? ('all' as const) : new Set(rows.flatMap((r) => r.events));
    hit = { types, at: Date.now() };
    if (cache.size > 10_000) cache.clear();
    cache.set(clientId, hit);
  }
  return hit.types === 'all' || hit.types.has(type);
}

/** Called when a client's endpoints change in this process. */
export function forgetSubscriptions(clientId: string): void {
  cache.delete(clientId);
}
