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

export class DbNonceStore implements NonceStore {
  private lastSweep = 0;
  constructor(private readonly db: Db) {}
  async remember(clientId: string, nonce: string, ttlSeconds: number) {
    const now = Date.now();
    if (now - this.lastSweep > 60_000) {
      this.lastSweep = now;
      void sql`DELETE FROM api_nonces WHERE expires_at < now()`.execute(this.db).catch(() => undefined);
    }
    const r = await sql`INSERT INTO api_nonces (client_id, nonce, expires_at)
      VALUES (${clientId}, ${nonce}, now() + make_interval(secs => ${ttlSeconds}))
      ON CONFLICT (client_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
        WHERE api_nonces.expires_at < now()
      RETURNING 1`.execute(this.db);
    return r.rows.length === 1;
  }
}
