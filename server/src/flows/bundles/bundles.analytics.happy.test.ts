import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillAnalytics } from '../../modules/analytics/index.ts';
import { shanghaiToday } from '../../modules/analytics/analytics.service.ts';
import { expectFiguresMatch } from '../../modules/analytics/analytics.testkit.ts';
import { createHarness, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { createPack, issue, redeem, tokenOf } from './bundles.testkit.ts';

// A pack is sold once: the dashboard's revenue is the pack's price, not the pack's plus every component's (the
// children are grants of their own products, which count as issued and redeemed there and bring their codes'
// cost). Checked through the trigger-kept counters and again after the backfill recomputes them.
let h: Harness;
let client: SignedClient;
let admin: Awaited<ReturnType<Harness['admin']>>;
beforeAll(async () => {
  h = await createHarness();
  client = await h.client();
  admin = await h.admin('admin');
});
afterAll(() => h?.close());

describe('a redeemed pack on the dashboard', () => {
  it("counts the pack's price once as revenue and its components' code costs as cost", async () => {
    const a = await h.product({ name: '腾讯视频月卡', price: 1500 });
    const b = await h.product({ name: 'QQ音乐月卡', platform: 'qq_music', price: 1200 });
    await h.stock(a.id, 1);
    await h.stock(b.id, 1);
    await sql`UPDATE batches SET unit_cost = CASE product_id WHEN ${a.id} THEN 900 ELSE 400 END WHERE product_id IN (${a.id}, ${b.id})`.execute(h.ctx.db);
    const pack = await createPack(h, { kind: 'bundle', price: 2500, components: [a.sku, b.sku] });
    const issued = await issue(client, pack.product.sku);
    expect(issued.status).toBe(201);
    expect((await redeem.reveal(h, tokenOf(issued.body))).status).toBe(200);

    const today = shanghaiToday();
    const summary = async () => (await admin.request('GET', `/v1/admin/dashboard/summary?from=${today}&to=${today}`)).body;
    // one pack sold for 25.00 whose codes cost 9.00 + 4.00; three grants (the pack and its two components)
    expect(await summary()).toMatchObject({ issued: 3, redeemed: 3, revenue: 2500, cost: 1300, margin: 1200 });
    await expectFiguresMatch(h.ctx.db, admin, { from: today, to: today });
    await h.ctx.db.transaction().execute((tx) => backfillAnalytics(tx));
    expect(await summary()).toMatchObject({ issued: 3, redeemed: 3, revenue: 2500, cost: 1300, margin: 1200 });
  });
});
