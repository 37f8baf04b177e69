import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { codeCounts } from '../../testutil/stock.ts';
import { onRealPostgres, POSTGRES_ONLY } from '../../testutil/database.ts';
import { verifyAudit } from '../audit/index.ts';

// Races need several connections: on the embedded database (one connection, every transaction queued) these
// tests could not fail, so they run on PostgreSQL only (CI sets TEST_DATABASE_URL).
describe.skipIf(!onRealPostgres)(`never oversell ${POSTGRES_ONLY}`, () => {
  let h: Harness;
  beforeAll(async () => {
    // Every reveal reserves one unit of its IP's unknown-token budget before the lookup and gets it back when
    // the token exists (so 200 parallel guesses cannot overshoot it). These tests send 150 valid reveals from
    // one address at the same instant, which would hold more reservations than the default 30 at once.
    h = await createHarness({ QUANYI_REDEEM_MISSES_PER_IP_PER_10MIN: '1000', QUANYI_REDEEM_PER_IP_PER_MINUTE: '100000' });
  });
  afterAll(() => h?.close());

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

  it('parallel reveals of one link show one code; a void racing reveals lets exactly one side win', async () => {
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 10);
    const issue = async () => (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'race' } }, { idempotencyKey: idem() })).body;
    const revealUrl = (g: { redeem_url: string }) => g.redeem_url.replace(/^.*\/r\//, `${h.url}/v1/redeem/`) + '/reveal';

    const g = await issue();
    const reveals = await Promise.all(Array.from({ length: 15 }, () => http(revealUrl(g), { method: 'POST' })));
    expect(reveals.map((r) => r.status)).toEqual(Array(15).fill(200));
    expect(new Set(reveals.map((r) => r.body.card_number)).size).toBe(1);
    const row = await h.ctx.db.selectFrom('grants').select(['status', 'reveal_count']).where('id', '=', g.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'redeemed', reveal_count: 15 });

    for (let round = 0; round < 5; round++) {
      const r = await issue();
      const [voided, ...shown] = await Promise.all([
        client.request('POST', `/v1/grants/${r.id}/void`, {}),
        ...Array.from({ length: 3 }, () => http(revealUrl(r), { method: 'POST' })),
      ]);
      const final = (await client.request('GET', `/v1/grants/${r.id}`)).body.status;
      if (voided.status === 200) {
        expect(final).toBe('voided');
        expect(shown.every((x) => x.status === 410)).toBe(true);
      } else {
        expect([voided.status, voided.body.code, final]).toEqual([409, 'grant_redeemed', 'redeemed']);
        expect(shown.every((x) => x.status === 200)).toBe(true);
      }
    }
    const counts = await codeCounts(h.ctx.db, product.id);
    const grants = await h.ctx.db.selectFrom('grants').select('status').where('product_id', '=', product.id).execute();
    expect(counts.delivered ?? 0).toBe(grants.filter((x) => x.status === 'redeemed').length);
    expect((counts.available ?? 0) + (counts.delivered ?? 0)).toBe(10);
    // every reveal and void was audited into one unbroken chain
    expect(await verifyAudit(h.ctx.db)).toMatchObject({ ok: true });
  }, 120_000);
});
