import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import type { RiskReviewStatus } from '../../platform/db/schema.ts';
import { REVIEW_EVENTS, reviewMachine } from './risk.machine.ts';
import { getReview, moveReview } from './risk.repo.ts';
import { submitForReview } from './risk.reviews.ts';

// The review machine against the real database: random event sequences through the SQL guard derived from
// the machine, compared step by step with the machine's table; a decided item never moves again and keeps
// who decided it and why.
let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('review state machine (property, real database)', () => {
  it('moves exactly as the machine says under any sequence of decisions; final states are sticky', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...REVIEW_EVENTS), fc.constantFrom('usr_a', 'usr_b')), { minLength: 1, maxLength: 8 }), async (events) => {
        const { id } = await submitForReview(h.ctx.db, { subjectType: 'prop', subjectRef: `p${++n}`, payload: {}, reason: 'x', scope: {} });
        let model: RiskReviewStatus = 'pending';
        let decider: string | null = null;
        for (const [e, actor] of events) {
          const moved = await moveReview(h.ctx.db, id, e, { actor, reason: `${e} by ${actor}` });
          const next = reviewMachine.next(model, e);
          expect(Boolean(moved), `${model} --${e}-->`).toBe(next !== null);
          if (next) {
            model = next;
            decider = actor;
          }
          const row = (await getReview(h.ctx.db, id))!;
          expect(row.status).toBe(model);
          expect(row.decided_by).toBe(decider);
          expect(row.decided_at !== null).toBe(reviewMachine.isFinal(model));
        }
      }),
      { numRuns: 40 },
    );
  });
});
