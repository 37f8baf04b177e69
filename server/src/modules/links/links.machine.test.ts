import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { newId } from '../../platform/ids.ts';
import { linkBatchMachine, type LinkBatchEvent, type LinkBatchStatus } from './links.machine.ts';
import { getBatch, insertBatch, moveBatch } from './links.repo.ts';

// The link batch machine against the real database: any sequence of events moves a batch exactly as the
// table says (moveBatch's guard is the machine's sources), and a final state never changes again.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('link batch machine', () => {
  it('moves only as declared, whatever the order of events', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<LinkBatchEvent>(...linkBatchMachine.events), { minLength: 1, maxLength: 6 }), async (events) => {
        const id = newId('lnb');
        await insertBatch(h.ctx.db, { id, client_id: 'cli_x', product_id: 'prd_x', label: 'model', count: 1, expires_at: null, job_id: newId('job'), created_by: 'test' });
        let model: LinkBatchStatus = 'issuing';
        for (const e of events) {
          const moved = await moveBatch(h.ctx.db, id, e, e === 'fail' ? 'why' : null);
          const next = linkBatchMachine.next(model, e);
          expect(moved).toBe(next !== null);
          if (next) model = next;
          const row = (await getBatch(h.ctx.db, id))!;
          expect(row.status).toBe(model);
          expect(row.finished_at === null).toBe(model === 'issuing');
        }
      }),
      { numRuns: 40 },
    );
  });
});
