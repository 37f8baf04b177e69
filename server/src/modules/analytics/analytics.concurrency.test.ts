import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';
import { onRealPostgres, POSTGRES_ONLY } from '../../testutil/database.ts';
import { shanghaiToday } from './analytics.service.ts';
import { expectFiguresMatch, expectStockMatches } from './analytics.testkit.ts';

// Concurrent writers on several pooled connections: the counters (spread over shards) stay exact, and a
// rolled-back issuance (out of stock, a duplicate out_order_no) leaves no trace in them. Only meaningful with
// several connections, so PostgreSQL only (CI sets TEST_DATABASE_URL).
describe.skipIf(!onRealPostgres)(`counters under concurrency ${POSTGRES_ONLY}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ QUANYI_REDEEM_MISSES_PER_IP_PER_10MIN: '1000', QUANYI_REDEEM_PER_IP_PER_MINUTE: '100000' });
  });
  afterAll(() => h?.close());

  it('200 parallel issuances for 150 codes, then 100 parallel reveals and voids: every figure exact', async () => {
    const [c1, c2] = [await h.client(), await h.client()];
    const product = await h.product({ safety_stock: 10 });
    await h.stock(product.id, 150);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? c1 : c2).request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: `u-${i}` }, out_order_no: `C-${i % 190}` }, { idempotencyKey: idem() }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThan(100);
    const admin = await h.admin('finance');
    const today = shanghaiToday();
    const summary = await admin.request('GET', `/v1/admin/dashboard/summary?from=${today}&to=${today}`);
    expect(summary.body.issued).toBe(created.length);
    // the writers spread over several shards (no single hot row)
    const shards = await sql<{ n: number }>`SELECT count(DISTINCT shard)::int AS n FROM analytics_grant_daily`.execute(h.ctx.db);
    expect(shards.rows[0].n).toBeGreaterThan(1);

    await Promise.all(
      created.slice(0, 100).map((r, i) =>
        i % 2 ? h.app.inject({ method: 'POST', url: `/v1/redeem/${r.body.redeem_url.split('/r/')[1]}/reveal` }) : (i % 4 ? c1 : c2).request('POST', `/v1/grants/${r.body.id}/void`, {}, { idempotencyKey: idem() }),
      ),
    );
    await expectFiguresMatch(h.ctx.db, admin, { from: today, to: today });
    await expectFiguresMatch(h.ctx.db, admin, { from: today, to: today, product: product.id });
    for (const c of [c1, c2]) await expectFiguresMatch(h.ctx.db, admin, { from: today, to: today, client: c.id });
    const stock = (await expectStockMatches(h.ctx.db, admin)).find((s) => s.product_id === product.id)!;
    expect(stock.issued_last_7_days).toBe(created.length);
  }, 60_000);
});
