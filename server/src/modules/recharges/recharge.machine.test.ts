import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerSecrets } from '../../platform/crypto/server-secrets.ts';
import { createTestDatabase, type TestDatabase } from '../../testutil/database.ts';
import { attemptMachine, LIVE_ATTEMPT_STATES, orderMachine, type AttemptEvent, type OrderEvent } from './recharge.machine.ts';
import { addAttemptWithJob, createRechargeOrder } from './recharges.service.ts';
import { attemptsOf, getAttempt, getOrder, moveAttempt, moveOrder } from './recharges.repo.ts';

// Property tests of the recharge machines against the real database: random event sequences go through the
// guarded UPDATEs; after every step the row agrees with the machine's table, final states stay final, and
// the two partial unique indexes hold (at most one live and at most one succeeded attempt per order).
let t: TestDatabase;
const secrets = new ServerSecrets({ fingerprint: randomBytes(32), redeem_token: randomBytes(32), pii: randomBytes(32) });
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

const supplier = (n: number) => ({ supplierId: 'sup_' + n, supplierProductId: 'p' + n, unitCostFen: 100 });

describe('recharge attempt machine (property, real database)', () => {
  it('moves exactly as the table says, keeps final states, one live and one succeeded attempt at most', async () => {
    const step = fc.record({ event: fc.constantFrom(...attemptMachine.events), pick: fc.nat(5), addAttempt: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const tx = await t.database.db.startTransaction().execute();
        try {
          const { order } = await createRechargeOrder(tx, { grantId: 'grt_' + randomBytes(8).toString('hex'), clientId: null, productId: 'prd_x', account: '13800138000', secrets, first: supplier(1) });
          let n = 2;
          for (const s of steps) {
            const attempts = await attemptsOf(tx, order.id);
            const a = attempts[s.pick % attempts.length];
            const expected = attemptMachine.next(a.state, s.event as AttemptEvent);
            const moved = await moveAttempt(tx, a.id, s.event as AttemptEvent);
            expect(moved?.state ?? null, `${a.state} --${s.event}-->`).toBe(expected);
            const after = (await getAttempt(tx, a.id))!;
            expect(after.state).toBe(expected ?? a.state);
            if (attemptMachine.isFinal(a.state)) expect(after.state).toBe(a.state);
            if (s.addAttempt) {
              const now = await attemptsOf(tx, order.id);
              const live = now.filter((x) => LIVE_ATTEMPT_STATES.includes(x.state)).length;
              const succeeded = now.some((x) => x.state === 'succeeded');
              await sql`SAVEPOINT add_attempt`.execute(tx);
              try {
                const added = await addAttemptWithJob(tx, order.id, supplier(n++));
                await sql`RELEASE SAVEPOINT add_attempt`.execute(tx);
                // a success closes the order for new attempts even before the order row says so
                expect(added === null, 'an attempt was added after a success').toBe(succeeded);
                if (added) expect(live, 'a second live attempt was allowed').toBe(0);
              } catch (e) {
                await sql`ROLLBACK TO SAVEPOINT add_attempt`.execute(tx);
                expect((e as { code?: string }).code).toBe('23505');
                expect(live).toBe(1);
                expect(succeeded).toBe(false);
              }
            }
            const all = await attemptsOf(tx, order.id);
            expect(all.filter((x) => x.state === 'succeeded').length).toBeLessThanOrEqual(1);
            expect(all.filter((x) => LIVE_ATTEMPT_STATES.includes(x.state)).length).toBeLessThanOrEqual(1);
          }
        } finally {
          await tx.rollback().execute();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a second succeeded attempt of an order at the database (the last line of defence)', async () => {
    const tx = await t.database.db.startTransaction().execute();
    try {
      const { order, attempt } = await createRechargeOrder(tx, { grantId: 'grt_' + randomBytes(8).toString('hex'), clientId: null, productId: 'prd_x', account: '13800138000', secrets, first: supplier(1) });
      await moveAttempt(tx, attempt.id, 'submit');
      await moveAttempt(tx, attempt.id, 'succeed');
      // a second attempt forced past the live index (as a bug or a hand edit would) cannot also succeed
      await sql`INSERT INTO recharge_attempts (id, order_id, attempt_no, customer_order_no, supplier_id, supplier_product_id, state)
                VALUES ('rca_forced', ${order.id}, 9, ${order.id + '-9'}, 'sup_2', 'p2', 'accepted')`.execute(tx);
      await expect(moveAttempt(tx, 'rca_forced', 'succeed')).rejects.toMatchObject({ code: '23505' });
    } finally {
      await tx.rollback().execute();
    }
  });

  it('the partial indexes of migration 009 name exactly the machine states', async () => {
    const r = await sql<{ indexname: string; indexdef: string }>`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'recharge_attempts'`.execute(t.database.db);
    const live = r.rows.find((x) => x.indexname === 'recharge_attempts_one_live')!.indexdef;
    const named = [...live.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
    expect(named).toEqual([...LIVE_ATTEMPT_STATES].sort());
    expect(attemptMachine.finalStates().sort()).toEqual(['failed', 'rejected', 'succeeded']);
  });
});

describe('recharge order machine (property, real database)', () => {
  it('moves exactly as the table says and final states are sticky', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...orderMachine.events), { minLength: 1, maxLength: 8 }), async (events) => {
        const tx = await t.database.db.startTransaction().execute();
        try {
          const { order } = await createRechargeOrder(tx, { grantId: 'grt_' + randomBytes(8).toString('hex'), clientId: null, productId: 'prd_x', account: 'uid_member', secrets, first: supplier(1) });
          let state = order.status;
          for (const e of events) {
            const expected = orderMachine.next(state, e as OrderEvent);
            expect(await moveOrder(tx, order.id, e as OrderEvent)).toBe(expected !== null);
            state = expected ?? state;
            expect((await getOrder(tx, order.id))!.status).toBe(state);
          }
        } finally {
          await tx.rollback().execute();
        }
      }),
      { numRuns: 30 },
    );
  });
});
