import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { codeCounts } from '../../testutil/stock.ts';
import { onRealPostgres } from '../../testutil/database.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe(`never oversell (${onRealPostgres ? 'PostgreSQL' : 'embedded'})`, () => {
  it('200 parallel issuances for 150 codes: exactly 150 grants with 150 distinct codes, 50 out_of_stock', async () => {
    const client = await h.client();
    const product = await h.product();
    const stocked = await h.stock(product.id, 150);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: `user-${i}` }, out_order_no: `C-${i}` }, { idempotencyKey: idem() }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(created.length).toBe(150);
    expect(refused.length).toBe(50);
    expect(new Set(refused.map((r) => r.body.code))).toEqual(new Set(['out_of_stock']));
    expect(new Set(created.map((r) => r.body.id)).size).toBe(150);

    const reveals = await Promise.all(created.map((r) => http(`${r.body.redeem_url.replace(/^.*\/r\//, `${h.url}/v1/redeem/`)}/reveal`, { method: 'POST' })));
    expect(reveals.every((r) => r.status === 200)).toBe(true);
    const codes = new Set(reveals.map((r) => r.body.card_number));
    expect(codes.size).toBe(150);
    expect([...codes].every((c) => stocked.some((s) => 'card_number' in s && s.card_number === c))).toBe(true);
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ delivered: 150 });
  }, 120_000);
});
