import type { Executor } from '../../platform/db/db.ts';
import { sql, type RawBuilder } from 'kysely';
import type { Cte } from '../../platform/db/ctes.ts';
import { LISTENING } from './webhooks.machine.ts';

// Which event types a client's active endpoints want, cached for a second. The hot paths (issuing a card
// code is one round trip) ask this first and open a transaction for the event only when somebody listens;
// recordEvent still checks in SQL, so a stale "yes" costs a transaction and writes nothing. A stale "no"
// can miss an event for at most a second after an endpoint is registered in another process (this process
// forgets its cache entry at once).
const TTL_MS = 1_000;
const cache = new Map<string, { types: Set<string> | 'all'; at: number }>();

// One read in flight per client and executor: when the entry expires under load, the requests of that moment
// share one read. Keyed by executor too — a transaction must never wait for a read queued behind itself (the
// embedded database has one connection).
const inflight = new WeakMap<object, Map<string, Promise<Set<string> | 'all'>>>();

async function readTypes(db: Executor, clientId: string): Promise<Set<string> | 'all'> {
  const rows = await db.selectFrom('webhook_endpoints').select('events').where('client_id', '=', clientId).where('status', '=', LISTENING).execute();
  return rows.some((r) => r.events.length === 0) ? ('all' as const) : new Set(rows.flatMap((r) => r.events));
}

export async function isSubscribed(db: Executor, clientId: string | null, type: string): Promise<boolean> {
  if (!clientId) return false;
  let hit = cache.get(clientId);
  if (!hit || Date.now() - hit.at > TTL_MS) {
    let flights = inflight.get(db);
    if (!flights) inflight.set(db, (flights = new Map()));
    let flying = flights.get(clientId);
    const mine = !flying;
    if (!flying) flights.set(clientId, (flying = readTypes(db, clientId)));
    try {
      hit = { types: await flying, at: Date.now() };
    } finally {
      if (mine) flights.delete(clientId);
    }
    if (mine) {
      if (cache.size > 10_000) cache.clear();
      cache.set(clientId, hit);
    }
  }
  return hit.types === 'all' || hit.types.has(type);
}

/** Called when a client's endpoints change in this process. */
export function forgetSubscriptions(clientId: string): void {
  cache.delete(clientId);
}

/**
 * A step of a composed statement with one row exactly when nobody listens for `type` from the client
 * `clientId` (an SQL expression; NULL — no client — is nobody). A flow guards its fast path with it, so the
 * decision is the database's own at that moment, not a cached one; when somebody listens, the flow takes
 * the path that writes the event in the same transaction.
 */
export function nobodyListensCte(name: string, clientId: RawBuilder<unknown>, type: string): Cte {
  return { name, sql: sql`SELECT 1 AS quiet WHERE ${nobodyListens(sql`(${clientId})`, type)}` };
}

/**
 * The condition of `nobodyListensCte` for the client in `clientId` (an SQL expression, e.g. a column of the
 * row a step filters): true when no endpoint of that client listens for `type`.
 */
export function nobodyListens(clientId: RawBuilder<unknown>, type: string): RawBuilder<unknown> {
  return sql`NOT EXISTS (SELECT 1 FROM webhook_endpoints
                          WHERE client_id = ${clientId} AND status = ${LISTENING} AND (cardinality(events) = 0 OR ${type} = ANY(events)))`;
}
