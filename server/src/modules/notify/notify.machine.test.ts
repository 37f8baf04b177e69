import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import type { NotifyMessageStatus } from '../../platform/db/schema.ts';
import { enqueueNotification } from './index.ts';
import { moveMessage } from './notify.repo.ts';
import { messageMachine, type MessageEvent } from './notify.machine.ts';

// The message machine against the real database: random event sequences through the SQL guards derived
// from the machine, compared step by step with the machine's table; final states are sticky, and sent_at
// is set exactly when a message is sent.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('notify message state machine (property, real database)', () => {
  it('moves exactly as the machine says under any sequence of events', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<MessageEvent>(...messageMachine.events), { minLength: 1, maxLength: 8 }), async (events) => {
        const { id } = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'inapp', phone: '13911112222', vars: {} }));
        let model: NotifyMessageStatus = 'queued';
        for (const e of events) {
          const moved = await moveMessage(h.ctx.db, id, e);
          const next = messageMachine.next(model, e);
          expect(moved, `${model} --${e}-->`).toBe(next !== null);
          if (next) model = next;
          const row = await h.ctx.db.selectFrom('notify_messages').select(['status', 'sent_at']).where('id', '=', id).executeTakeFirstOrThrow();
          expect(row.status).toBe(model);
          expect(row.sent_at !== null).toBe(model === 'sent');
        }
        expect(messageMachine.isFinal(model) || model === 'queued').toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
