import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Db } from '../db/db.ts';

// Remembers request nonces for the clock-skew window so a captured request cannot be replayed.
// Redis when configured; otherwise the database when it is a shared PostgreSQL (several processes);
// otherwise memory (embedded mode is a single process by construction).
export interface NonceStore {
  /** true the first time a (client, nonce) pair is seen within ttl, false on reuse */
  remember(clientId: string, nonce: string, ttlSeconds: number): Promise<boolean>;
}

export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private lastSweep = Date.now();
  async remember(clientId: string, nonce: string, ttlSeconds: number) {
    const now = Date.now();
    if (now - this.lastSweep > 10_000) {
      for (const [k, exp] of this.seen) if (exp <= now) this.seen.delete(k);
      this.lastSweep = now;
    }
    const key = clientId + '\0' + nonce;
    const exp = this.seen.get(key);
    if (exp && exp > now) return false;
    this.seen.set(key, now + ttlSeconds * 1000);
    return true;
  }
}

export class RedisNonceStore implements NonceStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'quanyi') {}
  async remember(clientId: string, nonce: string, ttlSeconds: number) {
    const r = await this.redis.set(`${this.prefix}:nonce:${clientId}:${nonce}`, '1', 'EX', ttlSeconds, 'NX');
    return r === 'OK';
  }
}

interface PendingNonce {
  clientId: string;
  nonce: string;
  ttlSeconds: number;
  resolve: (fresh: boolean) => void;
  reject: (e: unknown) => void;
}

/**
 * Nonces in PostgreSQL, batched: the nonces of all requests that arrive while one insert is in flight go
 * into the next insert, one statement for many requests. (A statement per request cost a second round trip
 * and commit per issuance; the benchmark measured the batch at the raw statement's database cost.)
 */
export class DbNonceStore implements NonceStore {
  private queue: PendingNonce[] = [];
  private inFlight = false;
  private lastSweep = 0;
  constructor(private readonly db: Db, private readonly maxBatch = 500) {}

  remember(clientId: string, nonce: string, ttlSeconds: number) {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ clientId, nonce, ttlSeconds, resolve, reject });
      this.flush();
    });
  }

  private flush() {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = true;
    const batch = this.queue.splice(0, this.maxBatch);
    void this.insert(batch).finally(() => {
      this.inFlight = false;
      this.flush();
    });
  }

  private async insert(batch: PendingNonce[]) {
    // The same nonce twice in one batch: only the first can be fresh (one statement cannot decide both).
    const first = new Map<string, PendingNonce>();
    for (const p of batch) {
      const key = p.clientId + '\0' + p.nonce;
      if (first.has(key)) p.resolve(false);
      else first.set(key, p);
    }
    const items = [...first.values()];
    try {
      this.sweep();
      const r = await sql<{ client_id: string; nonce: string }>`
        INSERT INTO api_nonces (client_id, nonce, expires_at)
        SELECT c, n, now() + make_interval(secs => t)
          FROM unnest(${items.map((p) => p.clientId)}::text[], ${items.map((p) => p.nonce)}::text[], ${items.map((p) => p.ttlSeconds)}::int[]) AS x(c, n, t)
        ON CONFLICT (client_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
          WHERE api_nonces.expires_at < now()
        RETURNING client_id, nonce`.execute(this.db);
      const fresh = new Set(r.rows.map((row) => row.client_id + '\0' + row.nonce));
      for (const p of items) p.resolve(fresh.has(p.clientId + '\0' + p.nonce));
    } catch (e) {
      for (const p of items) p.reject(e);
    }
  }

  private sweep() {
    const now = Date.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    void sql`DELETE FROM api_nonces WHERE expires_at < now()`.execute(this.db).catch(() => undefined);
  }
}
