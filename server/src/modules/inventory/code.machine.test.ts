import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeStatus } from '../../platform/db/schema.ts';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { codeMachine, deliverCode, expireCodes, releaseCode, stockGeneratedCodes, voidBatch, type CodeEvent } from './index.ts';

// The code state machine against the real database: the claim function guards exactly as the machine says,
// and random sequences of events on a batch's codes always leave every code where the model says.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('code machine', () => {
  it('the claim function (quanyi_claim_code, the hot path in SQL) guards with sourcesOf(claim) and sets targetOf(claim)', async () => {
    const r = await sql<{ prosrc: string }>`SELECT prosrc FROM pg_proc WHERE proname = 'quanyi_claim_code'`.execute(h.ctx.db);
    expect(r.rows).toHaveLength(1);
    const src = r.rows[0].prosrc;
    const guards = [...src.matchAll(/\bWHERE\b[^;]*?\bstatus\s*=\s*'(\w+)'/g)].map((m) => m[1]);
    const sets = [...src.matchAll(/\bSET\s+status\s*=\s*'(\w+)'/g)].map((m) => m[1]);
    expect(guards).toEqual(codeMachine.sourcesOf('claim'));
    expect(sets).toEqual([codeMachine.targetOf('claim')]);
  });

  it('a reserved code can be released, expired or voided (where a release leads), and only staged codes publish', () => {
    for (const e of ['release', 'expire', 'void'] as CodeEvent[]) expect(codeMachine.can('reserved', e)).toBe(true);
    expect(codeMachine.sourcesOf('publish')).toEqual(['staged']);
    expect(codeMachine.finalStates().sort()).toEqual(['delivered', 'expired', 'voided']);
  });
});

type Op =
  | { kind: 'claim' }
  | { kind: 'deliver' | 'release' | 'pastExpiry'; pick: number }
  | { kind: 'sweep' | 'voidBatch' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'claim' as const }),
  fc.record({ kind: fc.constantFrom('deliver' as const, 'release' as const, 'pastExpiry' as const), pick: fc.nat(10) }),
  fc.constantFrom({ kind: 'sweep' as const }, { kind: 'voidBatch' as const }),
);

interface ModelCode {
  id: number;
  status: CodeStatus;
  expired: boolean;
}

/** The model's move: the machine must allow it. */
function move(c: ModelCode, event: CodeEvent) {
  const to = codeMachine.next(c.status, event);
  if (!to) throw new Error(`model: ${event} from ${c.status}`);
  c.status = to;
}

describe('code lifecycle (model-based, real database)', () => {
  it('status always equals the model under random claim / deliver / release / expiry / batch void sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(op, { minLength: 1, maxLength: 16 }), async (n, ops) => {
        const product = await h.product();
        const { batchId } = await stockGeneratedCodes(h.ctx, product.id, n);
        const rows = await h.ctx.db.selectFrom('codes').select('id').where('batch_id', '=', batchId).orderBy('id').execute();
        const model: ModelCode[] = rows.map((r) => ({ id: Number(r.id), status: 'available', expired: false }));
        let batchVoided = false;
        let grantNo = 0;
        for (const o of ops) {
          const c = 'pick' in o ? model[o.pick % model.length] : null;
          if (o.kind === 'claim') {
            const r = await sql<{ id: number | null }>`SELECT quanyi_claim_code(${product.id}, ${'grt_m' + grantNo++}) AS id`.execute(h.ctx.db);
            const got = r.rows[0].id === null ? null : Number(r.rows[0].id);
            const claimable = model.filter((m) => m.status === 'available' && !m.expired);
            if (got === null) expect(claimable).toEqual([]);
            else {
              const m = model.find((x) => x.id === got)!;
              expect(claimable).toContain(m);
              move(m, 'claim');
            }
          } else if (o.kind === 'deliver') {
            const ok = await h.ctx.db.transaction().execute((tx) => deliverCode(tx, c!.id, h.ctx.keyring)).then(() => true, () => false);
            expect(ok).toBe(c!.status === 'reserved' || c!.status === 'delivered');
            if (c!.status === 'reserved') move(c!, 'deliver');
          } else if (o.kind === 'release') {
            const hint = await h.ctx.db.transaction().execute((tx) => releaseCode(tx, c!.id));
            expect(hint !== null).toBe(c!.status === 'reserved');
            if (c!.status === 'reserved') move(c!, c!.expired ? 'expire' : batchVoided ? 'void' : 'release');
          } else if (o.kind === 'pastExpiry') {
            await sql`UPDATE codes SET expires_at = now() - interval '1 second' WHERE id = ${c!.id}`.execute(h.ctx.db);
            c!.expired = true;
          } else if (o.kind === 'sweep') {
            await expireCodes(h.ctx.db);
            for (const m of model) if (m.status === 'available' && m.expired) move(m, 'expire');
          } else {
            const ok = await voidBatch(h.ctx.db, batchId, 'usr_t').then(() => true, (e) => (e.code === 'batch_already_voided' ? false : Promise.reject(e)));
            expect(ok).toBe(!batchVoided);
            if (!batchVoided) for (const m of model) if (m.status === 'available') move(m, 'void');
            batchVoided = true;
          }
          const db = await h.ctx.db.selectFrom('codes').select(['id', 'status']).where('batch_id', '=', batchId).orderBy('id').execute();
          expect(db.map((r) => [Number(r.id), r.status])).toEqual(model.map((m) => [m.id, m.status]));
        }
      }),
      { numRuns: 25 },
    );
  }, 600_000);
});
