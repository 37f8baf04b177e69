import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { Database, Db } from './db/db.ts';
import type { Keyring } from './crypto/keyring.ts';
import { loadServerSecrets, type ServerSecrets } from './crypto/server-secrets.ts';
import { DbNonceStore, MemoryNonceStore, RedisNonceStore, type NonceStore } from './auth/nonce-store.ts';
import { RateLimit } from './http/rate-limit.ts';
import type { ClientResolver } from './auth/client-auth.ts';
import type { SessionResolver } from './auth/admin-auth.ts';

// Everything a request handler or job needs, built once at start and passed explicitly.
export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  keyring: Keyring;
  secrets: ServerSecrets;
  clients: ClientResolver;
  sessions: SessionResolver;
  nonces: NonceStore;
  limits: {
    redeemPerIp: RateLimit;
    redeemPerToken: RateLimit;
    redeemMissesPerIp: RateLimit;
    login: RateLimit;
    /** per client key on the signed API; null when unlimited */
    perClient: RateLimit | null;
  };
  redis?: Redis;
  close(): Promise<void>;
}

/** What the modules provide to the context (platform knows the interfaces, not the modules). */
export interface ContextServices {
  clients(base: { db: Db; keyring: Keyring; database: Database; redis?: Redis; redisPrefix: string }): ClientResolver;
  sessions(base: { db: Db; keyring: Keyring; database: Database; redis?: Redis }): SessionResolver;
}

export async function createContext(config: Config, database: Database, keyring: Keyring, services: ContextServices): Promise<AppContext> {
  const db = database.db;
  const secrets = await loadServerSecrets(db, keyring);
  // ioredis is loaded only when configured (it costs ~20 MB of memory in every CLI command otherwise)
  const redis = config.redisUrl
    ? new (await import('ioredis')).Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false })
    : undefined;
  const l = config.limits;
  const clients = services.clients({ db, keyring, database, redis, redisPrefix: config.redisPrefix });
  const nonces: NonceStore = redis ? new RedisNonceStore(redis, config.redisPrefix) : database.kind === 'pg' ? new DbNonceStore(db) : new MemoryNonceStore();
  return {
    config,
    database,
    db,
    keyring,
    secrets,
    clients,
    sessions: services.sessions({ db, keyring, database, redis }),
    nonces,
    limits: {
      redeemPerIp: new RateLimit('redeem-ip', l.redeemPerIpPerMinute, 60, redis, config.redisPrefix),
      redeemPerToken: new RateLimit('redeem-token', l.redeemPerTokenPerMinute, 60, redis, config.redisPrefix),
      redeemMissesPerIp: new RateLimit('redeem-miss', l.redeemMissesPerIpPer10Min, 600, redis, config.redisPrefix),
      login: new RateLimit('login', l.loginPer15Min, 900, redis, config.redisPrefix),
      perClient: l.clientRequestsPerMinute > 0 ? new RateLimit('client', l.clientRequestsPerMinute, 60, redis, config.redisPrefix) : null,
    },
    redis,
    async close() {
      await clients.close?.();
      redis?.disconnect();
    },
  };
}
