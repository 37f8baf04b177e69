import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, idem } from '../../testutil/harness.ts';
import { grantMachine, type GrantEvent } from '../../modules/grants/index.ts';
import type { GrantStatus } from '../../platform/db/schema.ts';
import { expireGrants } from '../expire-grants.ts';
import { createKit, type Kit } from './recharge.testkit.ts';

// Model-based property test of the grant machine's direct-recharge-without-account path: random sequences
// of giving an account (one of two), voiding and expiring, through the real API and database (the job
// runner stopped, so a started recharge stays pending). After every step the grant, its redeem link and
// its recharge orders agree with the model, and every move the database made is one the machine declares.
let k: Kit;
beforeAll(async () => {
  k = await createKit({ suppliers: [{}], env: { QUANYI_REDEEM_PER_TOKEN_PER_MINUTE: '100000', QUANYI_REDEEM_PER_IP_PER_MINUTE: '100000' } });
  await k.stopRunner();
});
afterAll(() => k?.close());

type Op = { kind: 'give'; account: 0 | 1 } | { kind: 'void' } | { kind: 'expire' };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('give' as const), account: fc.constantFrom(0 as const, 1 as const) }),
  fc.constant({ kind: 'void' as const }),
  fc.constant({ kind: 'expire' as const }),
);
const ACCOUNTS = ['13911110000', '13922220000'];

describe('a direct recharge waiting for its account (model-based)', () => {
  it('moves only as the grant machine declares, and starts at most one recharge', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 7 }), async (ops) => {
        const g = await k.client.request('POST', '/v1/grants', { product: k.product.sku, recipient: { external_id: 'model' } }, { idempotencyKey: idem() });
        expect(g.status).toBe(201);
        const token = g.body.redeem_url.split('/r/')[1];
        let status = 'issued' as GrantStatus; // (moved by `move`: a plain annotation would narrow it to 'issued')
        let account: number | null = null;
        const move = (event: GrantEvent) => {
          const to = grantMachine.next(status, event);
          expect(to, `${status} --${event}-->`).not.toBeNull();
          status = to!;
        };
        for (const o of ops) {
          if (o.kind === 'give') {
            const r = await http(`${k.h.url}/v1/redeem/${token}/recharge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: ACCOUNTS[o.account] }) });
            if (status === 'issued') {
              expect(r.status).toBe(202);
              move('account_given');
              account = o.account;
            } else if (status === 'pending') {
              expect([r.status, r.body.code ?? null]).toEqual(account === o.account ? [202, null] : [409, 'recharge_already_started']);
            } else {
              expect([r.status, r.body.code]).toEqual([410, `grant_${status}`]);
            }
          } else if (o.kind === 'void') {
            const r = await k.client.request('POST', `/v1/grants/${g.body.id}/void`, {});
            if (status === 'issued') {
              expect(r.status).toBe(200);
              move('void');
            } else if (status === 'voided') expect(r.status).toBe(200);
            else expect([r.status, r.body.code]).toEqual([409, `grant_${status}`]);
          } else {
            await sql`UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = ${g.body.id} AND status = 'issued'`.execute(k.h.ctx.db);
            const n = await expireGrants(k.h.ctx.db);
            expect(n).toBe(status === 'issued' ? 1 : 0);
            if (status === 'issued') move('expire');
          }
          // the database, the redeem link and the recharge orders agree with the model
          expect((await k.client.request('GET', `/v1/grants/${g.body.id}`)).body.status).toBe(status);
          const link = await http(`${k.h.url}/v1/redeem/${token}`, { method: 'GET' });
          if (status === 'issued' || status === 'pending') expect(link.body.recharge.status).toBe(status === 'issued' ? 'awaiting_account' : 'pending');
          else expect(link.status).toBe(410);
          const orders = await sql<{ n: number }>`SELECT count(*)::int AS n FROM recharge_orders WHERE grant_id = ${g.body.id}`.execute(k.h.ctx.db);
          expect(orders.rows[0].n).toBe(status === 'pending' ? 1 : 0);
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
