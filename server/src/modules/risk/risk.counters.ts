import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { randomUUID } from 'node:crypto';
import { rdb } from './risk.repo.ts';

// The counters of limit rules: FIXED windows (window_start = now rounded down to a multiple of the window),
// shared by every process: in Redis when REDIS_URL is set (one Lua script checks every key and increments
// only when all strict ones are under their limit), in PostgreSQL otherwise (one conditional upsert per
// counter in one transaction, rolled back when a strict one is full). Never a read then a write in JS.
// A fixed window lets a burst straddle a boundary (up to 2 × max within a window's length, across two
// windows); the price of one counter per key instead of a log of hits.

export interface CounterSpec {
  /** rule id + dimension + hash of the value */
  key: string;
  max: number;
  windowSeconds: number;
  /** a deny rule: when full, nothing at all is counted; a review rule that is full is only skipped */
  strict: boolean;
}

export interface Taken {
  /** the index of the strict counter that was full (nothing was taken), or null */
  refusedBy: number | null;
  /** per spec: the count after this claim, or null when it was full and not counted */
  counts: (number | null)[];
  reservation: Reservation;
}

/** What releaseClaim needs to give the counts back: plain JSON, so a caller can keep it in a job or a review. */
export interface Reservation {
  id: string;
  store: 'redis' | 'pg';
  /** [key, window start in Unix seconds] of each counter this claim was counted in */
  counters: [string, number][];
}

const REDIS_TIMEOUT_MS = 2_000;
export const windowStart = (nowMs: number, windowSeconds: number) => Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;

// KEYS: the counters; ARGV: per key max, ttl, strict (1/0). Returns {0, i} when strict key i is full
// (nothing taken), else {1, the count after increment of each key (-1: full, skipped)}.
const TAKE = `
local n = #KEYS
local full = {}
for i = 1, n do
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  if c >= tonumber(ARGV[(i - 1) * 3 + 1]) then
    if ARGV[(i - 1) * 3 + 3] == '1' then return {0, i} end
    full[i] = true
  end
end
local out = {1}
for i = 1, n do
  if full[i] then out[i + 1] = -1 else
    local v = redis.call('INCR', KEYS[i])
    if v == 1 then redis.call('EXPIRE', KEYS[i], tonumber(ARGV[(i - 1) * 3 + 2])) end
    out[i + 1] = v
  end
end
return out`;

// KEYS[1]: the release marker, then the counters; ARGV[1]: the marker's ttl. Gives each count back once.
const RELEASE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) then return 0 end
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1`;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer in ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const redisKey = (ctx: AppContext, key: string, ws: number) => `${ctx.config.redisPrefix}:risk:${key}:${ws}`;

class Refused extends Error {
  constructor(readonly index: number) {
    super('refused');
  }
}

/** Counts one claim in every counter of `specs`, atomically (see the top of this file). */
export async function takeCounters(ctx: AppContext, specs: CounterSpec[], nowMs = Date.now()): Promise<Taken> {
  const id = randomUUID();
  const starts = specs.map((s) => windowStart(nowMs, s.windowSeconds));
  if (!specs.length) return { refusedBy: null, counts: [], reservation: { id, store: ctx.redis ? 'redis' : 'pg', counters: [] } };
  let counts: (number | null)[];
  if (ctx.redis) {
    const keys = specs.map((s, i) => redisKey(ctx, s.key, starts[i]));
    const args = specs.flatMap((s) => [String(s.max), String(s.windowSeconds + 60), s.strict ? '1' : '0']);
    const r = (await withTimeout(ctx.redis.eval(TAKE, keys.length, ...keys, ...args) as Promise<number[]>, 'risk counters')).map(Number);
    if (r[0] === 0) return refused(r[1] - 1);
    counts = r.slice(1).map((v) => (v < 0 ? null : v));
  } else {
    // one row lock per counter, taken in key order so two claims never wait on each other in a cycle
    const order = specs.map((_, i) => i).sort((a, b) => (specs[a].key < specs[b].key ? -1 : specs[a].key > specs[b].key ? 1 : a - b));
    try {
      counts = await ctx.db.transaction().execute(async (tx) => {
        const out: (number | null)[] = specs.map(() => null);
        for (const i of order) {
          const s = specs[i];
          const r = await sql<{ n: number }>`
            INSERT INTO risk_counters (key, window_start, n, expires_at)
            VALUES (${s.key}, ${starts[i]}, 1, ${new Date((starts[i] + s.windowSeconds + 60) * 1000)})
            ON CONFLICT (key, window_start) DO UPDATE SET n = risk_counters.n + 1 WHERE risk_counters.n < ${s.max}
            RETURNING n`.execute(tx);
          if (r.rows.length) out[i] = Number(r.rows[0].n);
          else if (s.strict) throw new Refused(i);
        }
        return out;
      });
    } catch (e) {
      if (e instanceof Refused) return refused(e.index);
      throw e;
    }
  }
  const counters = specs.flatMap((s, i): [string, number][] => (counts[i] === null ? [] : [[s.key, starts[i]]]));
  return { refusedBy: null, counts, reservation: { id, store: ctx.redis ? 'redis' : 'pg', counters } };

  function refused(index: number): Taken {
    return { refusedBy: index, counts: specs.map(() => null), reservation: { id, store: ctx.redis ? 'redis' : 'pg', counters: [] } };
  }
}

/** Gives back the counts of a reservation, once: a second release of the same reservation changes nothing. */
export async function releaseCounters(ctx: AppContext, reservation: Reservation): Promise<boolean> {
  if (!reservation.counters.length) return false;
  if (reservation.store === 'redis') {
    if (!ctx.redis) throw new Error('a Redis reservation cannot be released without REDIS_URL');
    const marker = `${ctx.config.redisPrefix}:risk-release:${reservation.id}`;
    const keys = [marker, ...reservation.counters.map(([k, ws]) => redisKey(ctx, k, ws))];
    return Number(await withTimeout(ctx.redis.eval(RELEASE, keys.length, ...keys, String(MAX_RELEASE_TTL)) as Promise<number>, 'risk release')) === 1;
  }
  return ctx.db.transaction().execute(async (tx) => {
    const first = await rdb(tx).insertInto('risk_releases').values({ reservation_id: reservation.id }).onConflict((oc) => oc.doNothing()).returning('reservation_id').executeTakeFirst();
    if (!first) return false;
    for (const [key, ws] of [...reservation.counters].sort()) {
      await rdb(tx).updateTable('risk_counters').set((eb) => ({ n: eb('n', '-', 1) })).where('key', '=', key).where('window_start', '=', ws).where('n', '>', 0).execute();
    }
    return true;
  });
}

/** how long a release marker is kept: longer than any window, so a late retry finds it */
const MAX_RELEASE_TTL = 31_622_400 + 86_400;

/** Deletes counters of past windows and old release markers (the pruner). */
export async function pruneCounters(ctx: AppContext, limit = 1000): Promise<number> {
  const due = rdb(ctx.db).selectFrom('risk_counters').select(['key', 'window_start']).where('expires_at', '<', new Date()).limit(limit);
  const r = await sql`DELETE FROM risk_counters WHERE (key, window_start) IN (${due})`.execute(ctx.db);
  await rdb(ctx.db).deleteFrom('risk_releases').where('released_at', '<', new Date(Date.now() - MAX_RELEASE_TTL * 1000)).execute();
  return Number(r.numAffectedRows ?? 0);
}
