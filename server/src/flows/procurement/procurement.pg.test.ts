import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../compose.ts';
import type { AppContext } from '../../platform/context.ts';
import { Keyring } from '../../platform/crypto/keyring.ts';
import { openPostgres } from '../../platform/db/db.ts';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { onRealPostgres } from '../../testutil/database.ts';
import { TEST_MASTER_KEY } from '../../testutil/harness.ts';
import { stockLevels } from '../../modules/inventory/index.ts';
import { listPurchases } from '../../modules/procurement/index.ts';
import { requestPurchase } from './buy.ts';
import { scanOnce } from './workers.ts';
import { createProcKit, type ProcKit } from './procurement.testkit.ts';

// "One open purchase per product" under concurrency. Only meaningful on real PostgreSQL (the embedded database
// has one connection, so nothing can race there): skipped without TEST_DATABASE_URL, run in CI.
// Two workers = two application contexts with their own connection pools on the same database, each scanning
// and each running the purchase jobs, as two processes would.
describe.skipIf(!onRealPostgres)('one open purchase per product (PostgreSQL)', () => {
  let k: ProcKit;
  let other: AppContext;
  beforeAll(async () => {
    k = await createProcKit();
    await k.stopRunner();
    const database = await openPostgres(k.h.testDb.url!, 8);
    other = await createAppContext(k.h.ctx.config, database, new Keyring([Buffer.from(TEST_MASTER_KEY, 'base64')]));
  });
  afterAll(async () => {
    await other?.close();
    await k?.close();
  });

  it('two workers scanning at once open exactly one order per product, and each is bought exactly once', async () => {
    const products: Array<{ id: string; sku: string }> = [];
    for (let i = 0; i < 6; i++) products.push(await k.product({ safetyStock: 5, stocked: 1, reorder: 4 }));
    for (let round = 0; round < 8; round++) {
      await Promise.all([scanOnce(k.h.ctx), scanOnce(other), scanOnce(k.h.ctx), scanOnce(other)]);
    }
    // and by hand, many at once, on one product
    await Promise.all(Array.from({ length: 20 }, (_, i) => requestPurchase(i % 2 ? other : k.h.ctx, { productId: products[0].id, reason: 'manual', actor: 'test' })));
    const orders = await Promise.all(products.map((p) => listPurchases(k.h.ctx.db, { productId: p.id, limit: 100 })));
    for (const o of orders) expect(o).toHaveLength(1);

    const runners = [startJobRunner(k.h.ctx, { pollMs: 20 }), startJobRunner(other, { pollMs: 20 })];
    try {
      for (const [o] of orders) expect((await k.waitPurchaseFinal(o.id)).state).toBe('succeeded');
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    for (const [o] of orders) {
      expect(k.sandbox.counts.ordersByCustomerOrderNo.get(o.id)).toBe(1);
      expect(k.sandbox.counts.submitsByCustomerOrderNo.get(o.id)).toBe(1);
    }
    for (const p of products) expect((await stockLevels(k.h.ctx.db, { product: p.id }))[0].available).toBe(1 + 4);
    const batches = await k.h.ctx.db.selectFrom('batches').select('purchase_order_no').where('purchase_order_no', 'is not', null).execute();
    expect(batches).toHaveLength(products.length);
    // stock is back above safety: scanning again buys nothing
    await Promise.all([scanOnce(k.h.ctx), scanOnce(other)]);
    for (const p of products) expect(await listPurchases(k.h.ctx.db, { productId: p.id, limit: 100 })).toHaveLength(1);
  });
});
