// Opened supplier connections (adapter + unwrapped credentials) kept in memory for about a second, per
// database: every submit, query and callback needs one, and reading the row and unwrapping the secret each
// time was two of a callback's round trips. A change made in this process forgets the entry at once; one made
// in another process is seen within the TTL (as with client keys without Redis).
const TTL_MS = 1_000;

interface Entry<T> {
  value: T;
  at: number;
  generation: number;
}

const caches = new WeakMap<object, Map<string, Entry<unknown>>>();
// one read in flight per supplier: a burst of jobs after a cold start shares it
const inflight = new WeakMap<object, Map<string, { generation: number; promise: Promise<unknown> }>>();
const generations = new Map<string, number>();

export async function cachedConnection<T>(db: object, supplierId: string, open: () => Promise<T>): Promise<T> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const generation = generations.get(supplierId) ?? 0;
  const hit = cache.get(supplierId);
  if (hit && hit.generation === generation && Date.now() - hit.at < TTL_MS) return hit.value as T;
  let flights = inflight.get(db);
  if (!flights) inflight.set(db, (flights = new Map()));
  const flying = flights.get(supplierId);
  if (flying && flying.generation === generation) return flying.promise as Promise<T>;
  const promise = open();
  flights.set(supplierId, { generation, promise });
  let value: T;
  try {
    value = await promise;
  } finally {
    if (flights.get(supplierId)?.promise === promise) flights.delete(supplierId);
  }
  // a change that happened while the row was being read must not be hidden behind the stale value
  if ((generations.get(supplierId) ?? 0) === generation) {
    if (cache.size > 1_000) cache.clear();
    cache.set(supplierId, { value, at: Date.now(), generation });
  }
  return value;
}

/** Called when a supplier changes in this process (endpoint, credentials, status). */
export function forgetConnection(supplierId: string): void {
  generations.set(supplierId, (generations.get(supplierId) ?? 0) + 1);
}
