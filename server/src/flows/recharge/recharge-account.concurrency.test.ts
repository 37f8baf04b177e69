import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, idem } from '../../testutil/harness.ts';
import { onRealPostgres, POSTGRES_ONLY } from '../../testutil/database.ts';
import { createKit, type Kit } from './recharge.testkit.ts';

// Concurrent submits of the account of one waiting direct recharge start exactly one recharge: the grant's
// issued → pending UPDATE serialises them on the row. Only meaningful with several connections.
describe.skipIf(!onRealPostgres)(`giving the account concurrently ${POSTGRES_ONLY}`, () => {
  let k: Kit;
  beforeAll(async () => {
    k = await createKit({ suppliers: [{}], env: { QUANYI_REDEEM_PER_TOKEN_PER_MINUTE: '1000' } });
  });
  afterAll(() => k?.close());

  it('starts exactly one recharge; submits of the winning account answer 202, the other account 409', async () => {
    for (let round = 0; round < 3; round++) {
      const g = await k.client.request('POST', '/v1/grants', { product: k.product.sku, recipient: { external_id: 'race' } }, { idempotencyKey: idem() });
      expect(g.status).toBe(201);
      const token = g.body.redeem_url.split('/r/')[1];
      const accounts = Array.from({ length: 24 }, (_, i) => (i % 2 ? '13911112222' : '13933334444'));
      const all = await Promise.all(
        accounts.map((account) =>
          http(`${k.h.url}/v1/redeem/${token}/recharge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account }) }),
        ),
      );
      const orders = await sql<{ n: number; attempts: number }>`
        SELECT count(DISTINCT o.id)::int AS n, count(a.id)::int AS attempts
          FROM recharge_orders o JOIN recharge_attempts a ON a.order_id = o.id WHERE o.grant_id = ${g.body.id}`.execute(k.h.ctx.db);
      expect(orders.rows[0]).toEqual({ n: 1, attempts: 1 });
      const winners = all.filter((r) => r.status === 202);
      const masked = new Set(winners.map((r) => r.body.account_masked));
      expect(masked.size).toBe(1);
      const won = [...masked][0];
      all.forEach((r, i) => {
        const mine = accounts[i].slice(0, 3) + '****' + accounts[i].slice(-4);
        if (mine === won) expect(r.status).toBe(202);
        else expect([r.status, r.body.code]).toEqual([409, 'recharge_already_started']);
      });
      expect((await k.waitFinal(g.body.id)).status).toBe('redeemed');
    }
  });
});
