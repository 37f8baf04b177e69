import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testutil/database.ts';
import { DbNonceStore, MemoryNonceStore, RedisNonceStore, type NonceStore } from './nonce-store.ts';

// Every store must accept a nonce once and refuse it afterwards, also when the same nonce arrives many times
// at once (a replayed request racing the original).
let testDb: TestDatabase;
let redis: Redis | undefined;
beforeAll(async () => {
  testDb = await createTestDatabase();
  if (process.env.REDIS_URL) redis = new Redis(process.env.REDIS_URL);
});
afterAll(async () => {
  redis?.disconnect();
  await testDb?.drop();
});

const stores: Array<[string, () => NonceStore]> = [
  ['memory', () => new MemoryNonceStore()],
  ['database (batched)', () => new DbNonceStore(testDb.database.db)],
  ...(process.env.REDIS_URL ? [['redis', () => new RedisNonceStore(redis!, 'quanyi-test-' + Date.now())] as [string, () => NonceStore]] : []),
];

describe.each(stores)('%s nonce store', (_name, make) => {
  it('accepts each nonce once, even under concurrent replays, and keeps clients apart', async () => {
    const store = make();
    const nonces = Array.from({ length: 60 }, (_, i) => `nonce-${i}-${Math.random().toString(36).slice(2)}`);
    const attempts = nonces.flatMap((n) => [n, n, n]);
    const results = await Promise.all(attempts.map((n) => store.remember('cli_a', n, 600)));
    const accepted = attempts.filter((_, i) => results[i]);
    expect(accepted.length).toBe(60);
    expect(new Set(accepted).size).toBe(60);
    expect(await store.remember('cli_a', nonces[0], 600)).toBe(false);
    expect(await store.remember('cli_b', nonces[0], 600)).toBe(true);
  });
});
