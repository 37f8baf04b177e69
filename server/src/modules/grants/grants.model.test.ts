import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { codeCounts } from '../../testutil/stock.ts';
import type { GrantStatus } from '../../platform/db/schema.ts';
import { grantMachine, type GrantEvent } from './grant.machine.ts';
import { expireGrants } from '../../flows/expire-grants.ts';

// Model-based property test: random sequences of issue / reveal / void / expire through the real API and
// database, checked after every step against a model of the lifecycle. Whatever the order, a code is held by
// at most one live grant, every reveal of a grant shows the same code, no two grants ever show one code, and
// stock counts match the model exactly.
let h: Harness;
let client: SignedClient;
beforeAll(async () => {
  h = await createHarness();
  client = await h.client();
});
afterAll(() => h?.close());

type Op = { kind: 'issue' } | { kind: 'reveal' | 'void' | 'expire'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'issue' as const }),
  fc.record({ kind: fc.constantFrom('reveal' as const, 'void' as const, 'expire' as const), pick: fc.nat(20) }),
);

interface ModelGrant {
  id: string;
  token: string;
  status: GrantStatus;
  shown?: string;
}

describe('grant lifecycle (model-based)', () => {
  it('keeps codes, grants and stock consistent under any sequence of operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(op, { minLength: 1, maxLength: 14 }), async (stock, ops) => {
        const product = await h.product();
        await h.stock(product.id, stock);
        let available = stock;
        const grants: ModelGrant[] = [];
        const move = (g: ModelGrant, to: GrantStatus) => {
          const event = (['reveal', 'expire', 'void'] as GrantEvent[]).find((e) => grantMachine.next(g.status, e) === to);
          expect(event, `${g.status} → ${to}`).toBeDefined();
          g.status = to;
        };
        for (const o of ops) {
          if (o.kind === 'issue') {
            const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'm' } }, { idempotencyKey: idem() });
            if (available > 0) {
              expect(r.status).toBe(201);
              grants.push({ id: r.body.id, token: r.body.redeem_url.split('/r/')[1], status: 'issued' });
              available--;
            } else {
              expect([r.status, r.body.code]).toEqual([409, 'out_of_stock']);
            }
            continue;
          }
          const g = grants[o.pick % Math.max(1, grants.length)];
          if (!g) continue;
          if (o.kind === 'reveal') {
            const r = await http(`${h.url}/v1/redeem/${g.token}/reveal`, { method: 'POST' });
            if (g.status === 'issued' || g.status === 'redeemed') {
              expect(r.status).toBe(200);
              if (g.shown) expect(r.body.card_number).toBe(g.shown);
              g.shown = r.body.card_number;
              if (g.status === 'issued') move(g, 'redeemed');
            } else {
              expect(r.status).toBe(410);
            }
          } else if (o.kind === 'void') {
            const r = await client.request('POST', `/v1/grants/${g.id}/void`, {});
            if (g.status === 'issued') {
              expect(r.status).toBe(200);
              move(g, 'voided');
              available++;
            } else if (g.status === 'voided') {
              expect(r.status).toBe(200);
            } else {
              expect([r.status, r.body.code]).toEqual([409, `grant_${g.status}`]);
            }
          } else {
            await sql`UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = ${g.id} AND status = 'issued'`.execute(h.ctx.db);
            const n = await expireGrants(h.ctx.db);
            if (g.status === 'issued') {
              expect(n).toBe(1);
              move(g, 'expired');
              available++;
            } else {
              expect(n).toBe(0);
            }
          }
          // the database agrees with the model after every step
          const count = (s: GrantStatus) => grants.filter((x) => x.status === s).length;
          const expected = Object.fromEntries(
            Object.entries({ available, reserved: count('issued'), delivered: count('redeemed') }).filter(([, n]) => n > 0),
          );
          expect(await codeCounts(h.ctx.db, product.id)).toEqual(expected);
          const shown = grants.filter((x) => x.shown).map((x) => x.shown);
          expect(new Set(shown).size).toBe(shown.length);
          const holders = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM codes c JOIN grants g ON g.code_id = c.id
             WHERE c.product_id = ${product.id} AND (c.grant_id IS DISTINCT FROM g.id OR g.status NOT IN ('issued', 'redeemed'))`.execute(h.ctx.db);
          expect(Number(holders.rows[0].n)).toBe(0);
        }
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});
