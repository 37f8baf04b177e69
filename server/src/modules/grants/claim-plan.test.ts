import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';
import { onRealPostgres } from '../../testutil/database.ts';

// DESIGN §8: with one product holding all the stock, the planner may answer the claim with a sequential
// scan that walks every already-claimed row. quanyi_claim_code pins the plan; this checks it on a large
// codes, using the claim query exactly as the function holds it.
let h: Harness;
// 200,000 codes, a quarter of them claimed at the head of the table: what is asserted (the function's pinned
// settings, and the plan they give with and without statistics) does not depend on the size beyond that, and
// the benchmark (bench/, `explain`) runs the same claim query at 1,000,000 on PostgreSQL. A million rows here
// cost ~40 s of the PostgreSQL suite.
const STOCK = 200_000;

beforeAll(async () => {
  h = await createHarness();
}, 300_000);
afterAll(() => h?.close());

describe(`claim plan on ${STOCK.toLocaleString('en')} codes (${onRealPostgres ? 'PostgreSQL' : 'embedded'})`, () => {
  it('stays on the partial index after most of the head of the table has been claimed', async () => {
    const product = await h.product();
    const batch = await h.ctx.db.selectFrom('batches').select('id').executeTakeFirst();
    await h.stock(product.id, 1);
    const batchId = batch?.id ?? (await h.ctx.db.selectFrom('batches').select('id').executeTakeFirstOrThrow()).id;
    // Bulk stock with placeholder ciphertexts: this test is about the plan, not about decryption.
    // In slices: one huge statement would block the (single-threaded) embedded database, and with it the
    // test worker, for longer than the test runner tolerates.
    for (let from = 1; from <= STOCK; from += 50_000) {
      await sql`INSERT INTO codes (batch_id, product_id, ciphertext, fingerprint, hint, source_line, status)
                SELECT ${batchId}, ${product.id}, '\\x00'::bytea, sha256(('plan' || g)::bytea), '****', g,
                       CASE WHEN g <= ${STOCK / 4} THEN 'delivered' ELSE 'available' END
                  FROM generate_series(${from}::int, ${Math.min(STOCK, from + 49_999)}::int) g`.execute(h.ctx.db);
      await new Promise((r) => setImmediate(r));
    }
    const fn = await sql<{ def: string; config: string[] | null }>`
      SELECT pg_get_functiondef(p.oid) AS def, p.proconfig AS config FROM pg_proc p WHERE p.proname = 'quanyi_claim_code'`.execute(h.ctx.db);
    expect(fn.rows[0].config).toEqual(['enable_seqscan=off', 'enable_sort=off', 'enable_bitmapscan=off']);
    const claimSelect = /SELECT id INTO v_id FROM codes[\s\S]*?SKIP LOCKED/.exec(fn.rows[0].def)![0]
      .replace('INTO v_id ', '')
      .replace('p_product', `'${product.id}'`);

    const explain = () =>
      h.ctx.db.transaction().execute(async (tx) => {
        for (const setting of fn.rows[0].config!) await sql.raw(`SET LOCAL ${setting.replace('=', ' = ')}`).execute(tx);
        return (await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN ${claimSelect}`).execute(tx)).rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    // before statistics exist (an embedded database is never auto-analyzed) and after
    for (const when of ['without statistics', 'after ANALYZE']) {
      if (when === 'after ANALYZE') await sql`ANALYZE codes`.execute(h.ctx.db);
      const plan = await explain();
      expect(plan, when).toContain('Index Scan using codes_claim_idx');
      expect(plan, when).not.toMatch(/Seq Scan|Sort|Bitmap/);
    }

    // and the real path works at that size
    const client = await h.client();
    for (let i = 0; i < 20; i++) {
      const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: `p${i}` } }, { idempotencyKey: idem() });
      expect(r.status).toBe(201);
    }
  }, 300_000);
});
