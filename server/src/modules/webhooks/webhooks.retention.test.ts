import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';
import { idBoundary } from '../../platform/ids.ts';
import { pruneWebhookHistory } from './webhooks.repo.ts';

// Webhook history is kept QUANYI_WEBHOOK_RETENTION_DAYS after every delivery of an event is final, then the
// event, its deliveries and their tries go together; an event still being delivered (or not yet fanned
// out) stays whatever its age.
let h: Harness;
let clientId: string;
let endpointId: string;
beforeAll(async () => {
  h = await createHarness({ QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  const client = await h.client(['webhooks:write', 'webhooks:read']);
  clientId = client.id;
  endpointId = (await client.request('POST', '/v1/webhooks/endpoints', { url: 'http://127.0.0.1:9/hook' }, { idempotencyKey: idem() })).body.id;
});
afterAll(() => h?.close());

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
let n = 0;
async function event(ageDays: number, opts: { fannedOut?: boolean; delivery?: string | null } = {}) {
  const id = idBoundary('evt', daysAgo(ageDays)) + String(++n).padStart(16, '0');
  await sql`INSERT INTO webhook_events (id, client_id, type, data, created_at, fanned_out_at)
            VALUES (${id}, ${clientId}, 'grant.issued', '{}'::jsonb, ${daysAgo(ageDays)}, ${opts.fannedOut === false ? null : daysAgo(ageDays)})`.execute(h.ctx.db);
  if (opts.delivery !== null) {
    const d = 'whd_' + id.slice(4);
    await sql`INSERT INTO webhook_deliveries (id, event_id, endpoint_id, client_id, status) VALUES (${d}, ${id}, ${endpointId}, ${clientId}, ${opts.delivery ?? 'succeeded'})`.execute(h.ctx.db);
    await sql`INSERT INTO webhook_delivery_attempts (delivery_id, attempt, status_code, duration_ms) VALUES (${d}, 1, 200, 5)`.execute(h.ctx.db);
  }
  return id;
}
const exists = async (id: string) => (await sql`SELECT 1 FROM webhook_events WHERE id = ${id}`.execute(h.ctx.db)).rows.length === 1;

describe('webhook history retention', () => {
  it('deletes old finished events with their deliveries and tries, and keeps everything still going or recent', async () => {
    const oldDone = await event(40);
    const oldDead = await event(40, { delivery: 'dead' });
    const oldNoEndpoint = await event(40, { delivery: null });
    const oldRetrying = await event(40, { delivery: 'retrying' });
    const oldNotFannedOut = await event(40, { fannedOut: false, delivery: null });
    const recent = await event(5);
    expect(await pruneWebhookHistory(h.ctx.db, 30)).toBe(3);
    expect(await Promise.all([oldDone, oldDead, oldNoEndpoint].map(exists))).toEqual([false, false, false]);
    expect(await Promise.all([oldRetrying, oldNotFannedOut, recent].map(exists))).toEqual([true, true, true]);
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
                                           WHERE d.event_id IN (${oldDone}, ${oldDead})`.execute(h.ctx.db);
    expect(left.rows[0].n).toBe(0);
    const orphans = await sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_delivery_attempts a
                                              WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = a.delivery_id)`.execute(h.ctx.db);
    expect(orphans.rows[0].n).toBe(0);
    // nothing more to do; a shorter retention takes the recent one too
    expect(await pruneWebhookHistory(h.ctx.db, 30)).toBe(0);
    expect(await pruneWebhookHistory(h.ctx.db, 1)).toBe(1);
    expect(await exists(recent)).toBe(false);
  });

  it('works in bounded batches, oldest first', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await event(100 - i));
    expect(await pruneWebhookHistory(h.ctx.db, 30, 2)).toBe(2);
    expect(await Promise.all(ids.map(exists))).toEqual([false, false, true, true, true]);
  });
});
