import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import type { WebhookDeliveryStatus, WebhookEndpointStatus } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { deliverOnce, recordEvent } from './index.ts';
import { moveDelivery, moveEndpoint } from './webhooks.repo.ts';
import { DELIVERY_EVENTS, ENDPOINT_EVENTS, webhookDeliveryMachine, webhookEndpointMachine } from './webhooks.machine.ts';
import { startReceiver, type Mode } from './webhooks.testkit.ts';

// The delivery and endpoint machines against the real database: random event sequences through the SQL
// guards derived from the machines, compared step by step with the machine's table; and random receiver
// behaviour through the real delivery handler.
let h: Harness;
let client: SignedClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let endpointId: string;
let eventId: string;

beforeAll(async () => {
  h = await createHarness({ QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  receiver = await startReceiver();
  client = await h.client(['webhooks:write', 'webhooks:read']);
  endpointId = (await client.request('POST', '/v1/webhooks/endpoints', { url: receiver.url }, { idempotencyKey: idem() })).body.id;
  eventId = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: client.id, data: { id: 'grt_m' } }))!;
});
afterAll(async () => {
  await receiver.close();
  await h.close();
});

describe('webhook state machines (property, real database)', () => {
  it('a delivery moves exactly as the machine says under any sequence of events; final states are sticky', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...DELIVERY_EVENTS), { minLength: 1, maxLength: 12 }), async (events) => {
        const id = newId('whd');
        await h.ctx.db.insertInto('webhook_deliveries').values({ id, event_id: eventId, endpoint_id: endpointId, client_id: client.id, resend_of: eventId }).execute();
        let model: WebhookDeliveryStatus = 'pending';
        for (const e of events) {
          const moved = await moveDelivery(h.ctx.db, id, e);
          const next = webhookDeliveryMachine.next(model, e);
          expect(Boolean(moved), `${model} --${e}-->`).toBe(next !== null);
          if (next) model = next;
          const row = await h.ctx.db.selectFrom('webhook_deliveries').select(['status', 'finished_at']).where('id', '=', id).executeTakeFirstOrThrow();
          expect(row.status).toBe(model);
          expect(row.finished_at !== null).toBe(webhookDeliveryMachine.isFinal(model));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('an endpoint moves exactly as its machine says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...ENDPOINT_EVENTS), { minLength: 1, maxLength: 8 }), async (events) => {
        const r = await client.request('POST', '/v1/webhooks/endpoints', { url: receiver.url }, { idempotencyKey: idem() });
        let model: WebhookEndpointStatus = 'active';
        for (const e of events) {
          const moved = await moveEndpoint(h.ctx.db, r.body.id, e);
          const next = webhookEndpointMachine.next(model, e);
          expect(Boolean(moved)).toBe(next !== null);
          if (next) model = next;
          const row = await h.ctx.db.selectFrom('webhook_endpoints').select(['status', 'disabled_at']).where('id', '=', r.body.id).executeTakeFirstOrThrow();
          expect(row.status).toBe(model);
          if (model !== 'deleted') expect(row.disabled_at !== null).toBe(model === 'disabled');
        }
      }),
      { numRuns: 25 },
    );
  });

  it('through the real handler: at most one acknowledged send, at most ten tries, dead exactly after ten failures', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Mode>('ok', 'error', 'redirect'), { minLength: 1, maxLength: 12 }), async (answers) => {
        await h.ctx.db.updateTable('webhook_endpoints').set({ status: 'active', disabled_at: null, disabled_reason: null }).where('id', '=', endpointId).execute();
        const id = newId('whd');
        await h.ctx.db.insertInto('webhook_deliveries').values({ id, event_id: eventId, endpoint_id: endpointId, client_id: client.id, resend_of: eventId }).execute();
        const before = receiver.received.filter((x) => x.answered === 204).length;
        let failures = 0;
        let succeeded = false;
        for (const mode of answers) {
          receiver.state.mode = mode;
          const out = await deliverOnce(h.ctx, id).catch((e: Error) => ({ outcome: 'retry', error: e.message }));
          if (succeeded || failures >= 10) expect(out).toMatchObject({ outcome: 'skipped' });
          else if (mode === 'ok') (expect(out).toMatchObject({ outcome: 'succeeded' }), (succeeded = true));
          else if (++failures === 10) expect(out).toMatchObject({ outcome: 'dead' });
          else expect(out).toMatchObject({ outcome: 'retry' });
        }
        const row = await h.ctx.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        const log = await h.ctx.db.selectFrom('webhook_delivery_attempts').select('attempt').where('delivery_id', '=', id).orderBy('id').execute();
        expect(row.status).toBe(succeeded ? 'succeeded' : failures >= 10 ? 'dead' : failures ? 'retrying' : 'pending');
        expect(row.attempts).toBe(log.length);
        expect(log.map((a) => a.attempt)).toEqual(log.map((_, i) => i + 1));
        expect(row.attempts).toBeLessThanOrEqual(10);
        expect(receiver.received.filter((x) => x.answered === 204).length - before).toBe(succeeded ? 1 : 0);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
