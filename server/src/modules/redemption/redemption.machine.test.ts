import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { redemptionClaimMachine, redemptionGenerationMachine, redemptionSetMachine, type GenerationEvent, type SetEvent, type SetStatus } from './redemption.machine.ts';
import { moveGeneration, moveSet } from './redemption.repo.ts';
import { campaign } from './redemption.testkit.ts';

// The machines against the real database: random event sequences on a set (and a generation) always leave
// the row where the machine says, and a move the machine refuses changes nothing.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('redemption machines', () => {
  it('declare what the code relies on', () => {
    expect(redemptionSetMachine.finalStates()).toEqual(['voided']);
    // the guard of taking a use of a code (takeUse): only an active set hands out uses
    expect(redemptionSetMachine.sourcesOf('claim')).toEqual(['active']);
    expect(redemptionClaimMachine.sourcesOf('fail')).toEqual(['pending']);
    expect(redemptionGenerationMachine.sourcesOf('download')).toEqual(['succeeded', 'failed']);
    expect(redemptionGenerationMachine.finalStates().sort()).toEqual(['downloaded', 'purged']);
  });

  it('a set follows the model under random pause / resume / void sequences', async () => {
    const c = await campaign(h, { stock: 0, codes: 0 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<SetEvent>('pause', 'resume', 'void'), { maxLength: 8 }), async (events) => {
        await h.ctx.db.updateTable('redemption_sets').set({ status: 'active' }).where('id', '=', c.setId).execute();
        let model: SetStatus = 'active';
        for (const e of events) {
          const moved = await moveSet(h.ctx.db, c.setId, e);
          const next = redemptionSetMachine.next(model, e);
          expect(moved).toBe(next !== null);
          if (next) model = next;
          const row = await h.ctx.db.selectFrom('redemption_sets').select('status').where('id', '=', c.setId).executeTakeFirstOrThrow();
          expect(row.status).toBe(model);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('a generation follows the model under random events', async () => {
    const c = await campaign(h, { stock: 0, codes: 0 });
    await h.ctx.db
      .insertInto('redemption_generations')
      .values({ id: 'rcg_model', set_id: c.setId, count: 1, length: 8, format: 'csv', job_id: 'job_x', created_by: 't', expires_at: new Date(Date.now() + 60_000) })
      .execute();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<GenerationEvent>('start', 'finish', 'fail', 'download', 'purge'), { maxLength: 8 }), async (events) => {
        await h.ctx.db.updateTable('redemption_generations').set({ status: 'queued' }).where('id', '=', 'rcg_model').execute();
        let model = 'queued' as ReturnType<typeof redemptionGenerationMachine.targetOf>;
        for (const e of events) {
          const moved = await moveGeneration(h.ctx.db, 'rcg_model', e);
          const next = redemptionGenerationMachine.next(model, e);
          expect(moved).toBe(next !== null);
          if (next) model = next;
        }
        const row = await h.ctx.db.selectFrom('redemption_generations').select('status').where('id', '=', 'rcg_model').executeTakeFirstOrThrow();
        expect(row.status).toBe(model);
      }),
      { numRuns: 25 },
    );
  });
});
