import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../app.ts';
import { createAppContext } from '../../compose.ts';
import type { AppContext } from '../../platform/context.ts';
import { openPostgres } from '../../platform/db/db.ts';
import { Keyring } from '../../platform/crypto/keyring.ts';
import { createHarness, TEST_MASTER_KEY, type AdminAgent, type Harness } from '../../testutil/harness.ts';
import { onRealPostgres, POSTGRES_ONLY } from '../../testutil/database.ts';
import { rdb } from './risk.repo.ts';
import { assessClaim, registerReviewHandler, releaseClaim, submitForReview, type Assessment } from './index.ts';

// Limits hold across two server processes: two app instances, each with its own connection pool (and its
// own Redis connection), on one database. 200 concurrent assessments for one phone with a limit of 3 give
// exactly 3 allows, counted in Redis when REDIS_URL is set and in PostgreSQL without it (both are run when
// Redis is there: the PostgreSQL store is forced by taking Redis out of a copy of the context).
// Only meaningful on PostgreSQL: the embedded database is one connection.
let a: Harness;
let bCtx: AppContext;
let bApp: App;
let admin: AdminAgent;

describe.skipIf(!onRealPostgres)(`risk limits across two processes ${POSTGRES_ONLY}`, () => {
  beforeAll(async () => {
    a = await createHarness();
    const database = await openPostgres(a.testDb.url!, 8);
    bCtx = await createAppContext(a.ctx.config, database, new Keyring([Buffer.from(TEST_MASTER_KEY, 'base64')]));
    bApp = await buildApp(bCtx, { logger: false });
    await bApp.listen({ port: 0, host: '127.0.0.1' });
    admin = await a.admin('operator');
  });
  afterAll(async () => {
    await bApp?.close();
    await bCtx?.close();
    await bCtx?.database.close();
    await a?.close();
  });

  const stores: { name: string; strip: boolean }[] = [
    ...(process.env.REDIS_URL ? [{ name: 'Redis', strip: false }] : []),
    { name: 'PostgreSQL (no Redis)', strip: true },
  ];

  for (const store of stores) {
    it(`${store.name}: 200 concurrent claims for one phone with a limit of 3 → exactly 3 allowed; releases give exactly what was taken`, async () => {
      const productId = `prd_conc_${store.strip ? 'pg' : 'redis'}`;
      const r = await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'product', scope_id: productId, name: '3 per phone', kind: 'limit', action: 'deny', dimension: 'phone', max: 3, window_seconds: 86_400 });
      expect(r.status).toBe(201);
      // and a roomy IP limit, so each claim takes two counters (the all-or-nothing path)
      await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'product', scope_id: productId, name: 'ip', kind: 'limit', action: 'deny', dimension: 'ip', max: 1000, window_seconds: 3600 });
      const ctxs = [a.ctx, bCtx].map((c) => (store.strip ? { ...c, redis: undefined } : c));
      const results: Assessment[] = await Promise.all(
        Array.from({ length: 200 }, (_, i) => assessClaim(ctxs[i % 2], { scope: { productId }, ip: '10.20.0.1', phone: '13700000001' })),
      );
      const allowed = results.filter((x) => x.outcome === 'allow');
      expect(allowed).toHaveLength(3);
      expect(results.filter((x) => x.outcome === 'deny' && x.code === 'risk_limit_exceeded')).toHaveLength(197);
      if (store.strip) {
        const c = await rdb(a.ctx.db).selectFrom('risk_counters').select(['key', 'n']).execute();
        expect(c.filter((x) => x.key.startsWith(r.body.id)).map((x) => x.n)).toEqual([3]);
      }
      // the three claims did not happen: released concurrently twice each from both processes → 3 free again, not 6
      await Promise.all(allowed.flatMap((x) => (x.outcome === 'allow' ? [releaseClaim(ctxs[0], x.reservation), releaseClaim(ctxs[1], x.reservation)] : [])));
      const again = await Promise.all(Array.from({ length: 50 }, (_, i) => assessClaim(ctxs[i % 2], { scope: { productId }, ip: '10.20.0.2', phone: '13700000001' })));
      expect(again.filter((x) => x.outcome === 'allow')).toHaveLength(3);
    });
  }

  it('two operators deciding one review at once: one wins, the handler runs exactly once', async () => {
    const calls: string[] = [];
    registerReviewHandler('conc_claim', {
      onApprove: async (_c, item) => void calls.push(`approve ${item.subjectRef}`),
      onReject: async (_c, item) => void calls.push(`reject ${item.subjectRef}`),
    });
    const other = await a.admin('admin');
    const bUrl = `http://127.0.0.1:${(bApp.server.address() as { port: number }).port}`;
    for (let round = 0; round < 10; round++) {
      const { id } = await submitForReview(a.ctx.db, { subjectType: 'conc_claim', subjectRef: `c${round}`, payload: {}, reason: 'x', scope: {} });
      const [x, y] = await Promise.all([
        admin.request('POST', `/v1/admin/risk/reviews/${id}/approve`, { reason: 'ok' }),
        // the other operator, on the other process
        fetch(`${bUrl}/v1/admin/risk/reviews/${id}/reject`, { method: 'POST', headers: { ...other.headers, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'farm' }) }).then((res) => res.status),
      ]);
      expect([x.status, y].sort()).toEqual([200, 409]);
    }
    expect(calls).toHaveLength(10);
    expect(new Set(calls.map((c) => c.split(' ')[1])).size).toBe(10);
  });
});
