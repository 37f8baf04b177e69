import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createHarness, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { onRealPostgres, POSTGRES_ONLY } from '../../testutil/database.ts';
import { createPack, issue, redeem, tokenOf } from './bundles.testkit.ts';

// Pick races and all-or-nothing bundles under contention. They need several connections: on the embedded
// database (one connection, every transaction queued) they could not fail, so they run on PostgreSQL only
// (CI sets TEST_DATABASE_URL).
describe.skipIf(!onRealPostgres)(`bundle and pick races ${POSTGRES_ONLY}`, () => {
  let h: Harness;
  let client: SignedClient;
  beforeAll(async () => {
    h = await createHarness({ QUANYI_REDEEM_MISSES_PER_IP_PER_10MIN: '1000', QUANYI_REDEEM_PER_IP_PER_MINUTE: '100000', QUANYI_REDEEM_PER_TOKEN_PER_MINUTE: '1000' });
    client = await h.client();
  });
  afterAll(() => h?.close());

  async function choicePack(stock: [number, number, number]) {
    const ps = [await h.product(), await h.product(), await h.product()];
    for (const [i, n] of stock.entries()) if (n) await h.stock(ps[i].id, n);
    const pack = await createPack(h, { kind: 'choice_pack', pick_count: 2, components: ps.map((p) => p.sku) });
    return { ps, pack };
  }

  const reservedOf = async (productId: string) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM codes WHERE product_id = ${productId} AND status <> 'available'`.execute(h.ctx.db)).rows[0].n;

  it('20 concurrent picks of one pack: exactly one succeeds, one code per pick reserved', async () => {
    const { ps, pack } = await choicePack([30, 30, 30]);
    const g = await issue(client, pack.product.sku);
    const token = tokenOf(g.body);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => redeem.pick(h, token, { products: i % 2 ? [ps[0].id, ps[1].id] : [ps[1].id, ps[2].id] })));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(new Set(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.code}`))).toEqual(new Set(['409 choice_already_picked']));
    const reserved = [await reservedOf(ps[0].id), await reservedOf(ps[1].id), await reservedOf(ps[2].id)];
    expect(reserved.reduce((a, b) => a + b)).toBe(2);
    expect(reserved[1]).toBe(1);
    const children = await h.ctx.db.selectFrom('grants').select('id').where('parent_grant_id', '=', g.body.id).execute();
    expect(children).toHaveLength(2);
  });

  it('10 packs pick the last code at once: one gets it, the others are told it ran out and keep nothing', async () => {
    const { ps, pack } = await choicePack([1, 20, 20]);
    const grants = await Promise.all(Array.from({ length: 10 }, () => issue(client, pack.product.sku)));
    const results = await Promise.all(grants.map((g) => redeem.pick(h, tokenOf(g.body), { products: [ps[0].id, ps[1].id] })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect([r.status, r.body.code]).toEqual([409, 'choice_unavailable']);
      expect(r.body.unavailable.map((p: { id: string }) => p.id)).toEqual([ps[0].id]);
    }
    expect(await reservedOf(ps[0].id)).toBe(1);
    expect(await reservedOf(ps[1].id)).toBe(1);
    // a refused pack picks another pair and gets it
    const again = await redeem.pick(h, tokenOf(grants[results.findIndex((r) => r.status !== 200)].body), { products: [ps[1].id, ps[2].id] });
    expect(again.status).toBe(200);
    expect([await reservedOf(ps[0].id), await reservedOf(ps[1].id), await reservedOf(ps[2].id)]).toEqual([1, 2, 1]);
  });

  it('30 concurrent bundle issues over 10 sets of stock: exactly 10 bundles, every code in exactly one, no stray reservations', async () => {
    const ps = [await h.product(), await h.product(), await h.product()];
    await h.stock(ps[0].id, 30);
    await h.stock(ps[1].id, 30);
    await h.stock(ps[2].id, 10);
    const pack = await createPack(h, { kind: 'bundle', components: ps.map((p) => p.sku) });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => issue(client, pack.product.sku, { external_id: `u-${i}` })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(new Set(results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.body.code} ${r.body.component}`))).toEqual(new Set([`409 out_of_stock ${ps[2].id}`]));
    expect([await reservedOf(ps[0].id), await reservedOf(ps[1].id), await reservedOf(ps[2].id)]).toEqual([10, 10, 10]);
  });
});
