import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testutil/database.ts';
import { OPEN_PURCHASE_STATES, purchaseMachine, type PurchaseEvent } from './purchase.machine.ts';
import { getPurchase, insertPurchaseIfNoneOpen, movePurchase, openPurchaseOf } from './procurement.repo.ts';

// Property test of the purchase-order machine against the real database: random event sequences go through
// the guarded UPDATE; after every step the row agrees with the machine's table, final states stay final, and
// a product never has two open purchase orders (a new one is refused while one is open, allowed once none is).
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

const newPo = (productId: string) => ({ id: 'po_' + randomBytes(8).toString('hex'), productId, supplierId: 'sup_1', supplierProductId: '2001', quantity: 3, unitCostFen: 100, reason: 'manual' as const, actor: 'test' });

describe('purchase order machine (property, real database)', () => {
  it('moves exactly as the table says, keeps final states, and one open order per product at most', async () => {
    const step = fc.record({ event: fc.constantFrom(...purchaseMachine.events), open: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        const tx = await t.database.db.startTransaction().execute();
        try {
          const productId = 'prd_' + randomBytes(6).toString('hex');
          let current = (await insertPurchaseIfNoneOpen(tx, newPo(productId)))!;
          expect(current.state).toBe('created');
          for (const s of steps) {
            const expected = purchaseMachine.next(current.state, s.event as PurchaseEvent);
            const moved = await movePurchase(tx, current.id, s.event as PurchaseEvent);
            expect(moved?.state ?? null, `${current.state} --${s.event}-->`).toBe(expected);
            const after = (await getPurchase(tx, current.id))!;
            expect(after.state).toBe(expected ?? current.state);
            if (purchaseMachine.isFinal(current.state)) expect(after.state).toBe(current.state);
            if (expected && purchaseMachine.isFinal(expected)) expect(after.finished_at).not.toBeNull();
            current = after;
            if (s.open) {
              const second = await insertPurchaseIfNoneOpen(tx, newPo(productId));
              if (purchaseMachine.isFinal(current.state)) {
                expect(second, 'a new order once none is open').not.toBeNull();
                current = second!;
              } else expect(second, 'a second open order').toBeNull();
            }
            expect((await openPurchaseOf(tx, productId))?.id ?? null).toBe(purchaseMachine.isFinal(current.state) ? null : current.id);
          }
        } finally {
          await tx.rollback().execute();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the partial index of migration 012 names exactly the open states', async () => {
    const r = await sql<{ indexdef: string }>`SELECT indexdef FROM pg_indexes WHERE indexname = 'purchase_orders_one_open'`.execute(t.database.db);
    const named = [...r.rows[0].indexdef.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
    expect(named).toEqual([...OPEN_PURCHASE_STATES].sort());
    expect(purchaseMachine.finalStates().sort()).toEqual(['failed', 'rejected', 'succeeded']);
  });
});
