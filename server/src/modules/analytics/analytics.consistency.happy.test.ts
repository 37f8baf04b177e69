import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireGrants } from '../../flows/expire-grants.ts';
import { createKit, phone, type Kit } from '../../flows/recharge/recharge.testkit.ts';
import { idem, type SignedClient } from '../../testutil/harness.ts';
import { backfillAnalytics } from './index.ts';
import { shanghaiToday } from './analytics.service.ts';
import { expectFiguresMatch, expectStockMatches } from './analytics.testkit.ts';

// The counters of migration 016 against direct counts over the raw tables, after seeded random activity
// through the real app: card codes issued, revealed, voided, expired (the real sweep), stock added; direct
// recharges that succeed, fail over after rejections, or fail for an invalid account (sandbox suppliers over
// real sockets). Then the rows are moved to other days and the backfill must recompute them exactly.

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.ANALYTICS_SEED ?? 20260106);
let k: Kit;
let other: SignedClient;
const cards: Array<{ id: string; sku: string }> = [];
beforeAll(async () => {
  k = await createKit({ suppliers: [{ processingMs: 30 }, { processingMs: 30 }] });
  other = await k.h.client();
  for (const [i, stock] of [5, 12].entries()) {
    const p = await k.h.product({ price: 1500 + i * 500, safety_stock: 8 });
    await k.h.stock(p.id, stock);
    cards.push(p);
  }
}, 60_000);
afterAll(() => k?.close());

describe('dashboard figures equal direct counts over the raw tables', () => {
  it(`after random activity (seed ${SEED}), for every filter; and after the backfill on rows spread over days`, async () => {
    const rnd = mulberry32(SEED);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const issued: Array<{ id: string; token: string; client: SignedClient }> = [];
    const pending: string[] = [];
    const clients = [k.client, other];
    const [A, B] = k.sandboxes.map((s) => s.sandbox);
    for (let step = 0; step < 70; step++) {
      const r = rnd();
      const client = pick(clients);
      if (r < 0.4) {
        const p = pick(cards);
        const res = await client.request('POST', '/v1/grants', { product: p.sku, recipient: { external_id: 'u' + step } }, { idempotencyKey: idem() });
        expect([201, 409]).toContain(res.status);
        if (res.status === 201) issued.push({ id: res.body.id, token: res.body.redeem_url.split('/r/')[1], client });
      } else if (r < 0.55 && issued.length) {
        const g = pick(issued);
        expect((await k.h.app.inject({ method: 'POST', url: `/v1/redeem/${g.token}/reveal` })).statusCode).toBeLessThan(500);
      } else if (r < 0.65 && issued.length) {
        const g = pick(issued);
        expect([200, 409]).toContain((await g.client.request('POST', `/v1/grants/${g.id}/void`, {}, { idempotencyKey: idem() })).status);
      } else if (r < 0.72 && issued.length) {
        await sql`UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = ${pick(issued).id} AND status = 'issued'`.execute(k.h.ctx.db);
        await expireGrants(k.h.ctx.db);
      } else if (r < 0.75) {
        await k.h.stock(pick(cards).id, 1 + Math.floor(rnd() * 3));
      } else {
        // direct recharge: A sometimes declines (failover to B), sometimes an account is invalid at both
        A.knobs.errorCode = rnd() < 0.3 ? 3001 : null;
        A.knobs.errorNext = A.knobs.errorCode ? 1 : 0;
        const bad = rnd() < 0.2;
        for (const s of [A, B]) s.knobs.invalidAccountPrefix = bad ? '1380' : null;
        const res = await k.client.request('POST', '/v1/grants', { product: k.product.sku, recipient: { account: bad ? '13800000000' : phone(step) } }, { idempotencyKey: idem() });
        expect(res.status).toBe(202);
        pending.push(res.body.id);
        await k.waitFinal(res.body.id);
      }
    }
    for (const id of pending) await k.waitFinal(id);
    const db = k.h.ctx.db;
    const census = (await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM grants GROUP BY 1`.execute(db)).rows;
    // the activity reached every kind of figure
    expect(census.map((c) => c.status).sort()).toEqual(expect.arrayContaining(['expired', 'failed', 'issued', 'redeemed', 'voided']));

    const today = shanghaiToday();
    const all = { from: today, to: today };
    const checkAll = async (p: { from: string; to: string }) => {
      await expectFiguresMatch(db, k.admin, p);
      for (const c of [...cards, k.product]) await expectFiguresMatch(db, k.admin, { ...p, product: c.id });
      for (const c of clients) await expectFiguresMatch(db, k.admin, { ...p, client: c.id });
      for (const s of k.sandboxes) await expectFiguresMatch(db, k.admin, { ...p, supplier: s.supplierId });
      await expectStockMatches(db, k.admin);
    };
    await checkAll(all);

    // An install on a database with data: spread the rows over earlier days (going around the triggers, as
    // a restore would), recompute, and every figure of every day must match again.
    await db.transaction().execute(async (tx) => {
      await sql`ALTER TABLE grants DISABLE TRIGGER USER`.execute(tx);
      await sql`ALTER TABLE recharge_attempts DISABLE TRIGGER USER`.execute(tx);
      await sql`UPDATE grants SET created_at = created_at - (abs(hashtext(id)) % 4) * interval '1 day',
                                  redeemed_at = redeemed_at - (abs(hashtext(id)) % 2) * interval '1 day',
                                  ended_at = ended_at - (abs(hashtext(id)) % 3) * interval '1 day'`.execute(tx);
      await sql`UPDATE recharge_attempts SET created_at = created_at - (abs(hashtext(id)) % 3) * interval '1 day',
                                             finished_at = finished_at - (abs(hashtext(id)) % 2) * interval '1 day',
                                             submitted_at = submitted_at - (abs(hashtext(id)) % 2) * interval '1 day'`.execute(tx);
      await sql`ALTER TABLE grants ENABLE TRIGGER USER`.execute(tx);
      await sql`ALTER TABLE recharge_attempts ENABLE TRIGGER USER`.execute(tx);
      await backfillAnalytics(tx);
    });
    const week = { from: new Date(Date.parse(today) - 6 * 86_400_000).toISOString().slice(0, 10), to: today };
    await checkAll(week);
    await expectFiguresMatch(db, k.admin, { from: week.from, to: week.from });
  }, 180_000);
});
