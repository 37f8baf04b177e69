import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { codeCounts, openCode, storePurchasedCodes, unwrapBatchKey } from './index.ts';

// Codes bought from a supplier become a new encrypted batch: idempotent per purchase order, audited once.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('storePurchasedCodes', () => {
  it('stores an encrypted batch once per purchase order, skips codes already held, audits once', async () => {
    const p = await h.product();
    const codes = [{ card_number: 'BUY-1', password: 'P1' }, { card_number: 'BUY-2', password: 'P2' }, { card_number: 'BUY-1', password: 'P1' }];
    const input = { productId: p.id, supplier: 'sup_a', unitCost: 850, purchaseOrderNo: 'PO-1', codes };
    const first = await storePurchasedCodes(h.ctx, input);
    expect(first).toEqual({ batch_id: expect.stringMatching(/^bat_/), imported: 2, duplicates: 1, replayed: false });
    const again = await storePurchasedCodes(h.ctx, input);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await codeCounts(h.ctx.db, p.id)).toEqual({ available: 2 });
    const batch = await h.ctx.db.selectFrom('batches').selectAll().where('id', '=', first.batch_id).executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ supplier: 'sup_a', unit_cost: 850, purchase_order_no: 'PO-1', imported_count: 2, status: 'completed' });
    const rows = await h.ctx.db.selectFrom('codes').select('ciphertext').where('batch_id', '=', first.batch_id).orderBy('id').execute();
    expect(rows.map((r) => openCode(unwrapBatchKey(h.ctx.keyring, batch), r.ciphertext))).toEqual(codes.slice(0, 2));
    const audit = await h.ctx.db.selectFrom('audit_events').select(['action', 'details']).where('target', '=', first.batch_id).execute();
    expect(audit.map((a) => a.action)).toEqual(['batch.purchase']);
    expect(JSON.stringify(audit[0].details)).not.toMatch(/BUY-|P1/);
  });
});
