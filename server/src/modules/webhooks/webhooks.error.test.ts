import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { deliverOnce, DELIVERY_POLICY, fanOut, recordEvent } from './index.ts';
import { setWebhookLogger } from './delivery.job.ts';
import { makeRetriesDue, startDelivering, startReceiver, verifyQuanyiSignature, waitFor } from './webhooks.testkit.ts';

// Receivers that are down, fail, redirect or hang; the day-long retry schedule; giving up; bad input.
let h: Harness;
const scopes = ['webhooks:write', 'webhooks:read'] as const;

beforeAll(async () => {
  h = await createHarness({ QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true' });
});
afterAll(() => h.close());

async function endpointFor(url: string, client?: SignedClient) {
  const c = client ?? (await h.client([...scopes]));
  const r = await c.request('POST', '/v1/webhooks/endpoints', { url }, { idempotencyKey: idem() });
  expect(r.status).toBe(201);
  return { client: c, id: r.body.id as string, secret: r.body.secret as string };
}

const delivery = (eventId: string) => h.ctx.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute();

describe('webhooks: failures and retries', () => {
  it('a receiver down for a while gets every event afterwards; a repeat carries the same event id', async () => {
    const receiver = await startReceiver();
    const ep = await endpointFor(receiver.url);
    // the runner retries after ~1 s here (the policy's 30 s … 8 h schedule is asserted in the next test)
    let running = startDelivering(h.ctx, { backoffMs: 1000 });
    try {
      await receiver.down();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: ep.client.id, subjectId: `grt_${i}`, data: { id: `grt_${i}` } }))!);
      // every delivery fails at least twice while the receiver is down
      await waitFor(async () => {
        const rows = await h.ctx.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', ep.id).execute();
        return rows.length === 5 && rows.every((d) => d.attempts >= 2);
      }, 60_000);
      await running.stop();
      const rows = await h.ctx.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', ep.id).execute();
      expect(rows.every((d) => d.status === 'retrying' && d.attempts < 10)).toBe(true);
      running = startDelivering(h.ctx);
      const d0 = (await delivery(ids[0]))[0];
      expect(d0.last_error).toMatch(/ECONNREFUSED/);
      expect(d0.next_at).not.toBeNull();
      const log = await h.ctx.db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', '=', d0.id).orderBy('id').execute();
      expect(log.length).toBeGreaterThanOrEqual(2);
      expect(log.every((a) => a.status_code === null && /ECONNREFUSED/.test(a.error ?? ''))).toBe(true);

      // back up, but the first event is seen and answered with 500 once: it comes again, same id
      await receiver.up();
      receiver.state.mode = 'error';
      await makeRetriesDue(h.ctx);
      await waitFor(() => receiver.received.length > 0);
      receiver.state.mode = 'ok';
      await waitFor(async () => {
        await makeRetriesDue(h.ctx);
        const ok = new Set(receiver.received.filter((r) => r.answered === 204).map((r) => r.json.id));
        return ids.every((id) => ok.has(id));
      }, 60_000);
      const seen = receiver.received.map((r) => r.json.id);
      expect(new Set(seen)).toEqual(new Set(ids));
      const repeated = seen.filter((id, i) => seen.indexOf(id) !== i);
      expect(repeated.length).toBeGreaterThan(0); // the 500-answered ones came again, with their own id
      for (const r of receiver.received) expect(await verifyQuanyiSignature(r.headers['quanyi-signature'] as string, r.body, ep.secret)).toBe(true);
      for (const id of ids) expect((await delivery(id))[0]).toMatchObject({ status: 'succeeded', last_status_code: 204, next_at: null });
    } finally {
      await running.stop();
      await receiver.close();
    }
  }, 150_000);

  it('retries on the policy schedule (~30 s … 8 h, ten tries), then the delivery is dead and the endpoint disabled with an alert', async () => {
    const receiver = await startReceiver();
    receiver.state.mode = 'error';
    const ep = await endpointFor(receiver.url);
    const alerts: Array<{ fields: Record<string, unknown>; msg: string }> = [];
    setWebhookLogger(h.ctx, { warn: (fields, msg) => alerts.push({ fields, msg }) });
    const eventId = (await recordEvent(h.ctx.db, { type: 'grant.failed', clientId: ep.client.id, data: { id: 'grt_x' } }))!;
    const other = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: ep.client.id, data: { id: 'grt_y' } }))!;
    await fanOut(h.ctx.db);
    const [d] = await delivery(eventId);
    expect(DELIVERY_POLICY).toEqual({ attempts: 10, backoffSeconds: [30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800], lane: 'fast', retentionDays: 30 });
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 9; attempt++) {
      await expect(deliverOnce(h.ctx, d.id, { now: () => new Date(clock) })).rejects.toThrow('HTTP 500');
      const row = (await delivery(eventId))[0];
      expect(row).toMatchObject({ status: 'retrying', attempts: attempt, last_status_code: 500 });
      gaps.push((row.next_at!.getTime() - clock) / 1000);
      clock = row.next_at!.getTime();
    }
    expect(gaps).toEqual([30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800]);
    expect(gaps.reduce((a, b) => a + b, 0) / 3600).toBeCloseTo(23.6, 0); // about a day
    const last = await deliverOnce(h.ctx, d.id, { now: () => new Date(clock) });
    expect(last).toMatchObject({ outcome: 'dead', attempt: 10 });
    expect((await delivery(eventId))[0]).toMatchObject({ status: 'dead', attempts: 10, next_at: null });
    expect(receiver.received.filter((r) => r.json.id === eventId)).toHaveLength(10);

    const endpoint = await ep.client.request('GET', `/v1/webhooks/endpoints/${ep.id}`);
    expect(endpoint.body).toMatchObject({ status: 'disabled', disabled_reason: expect.stringContaining('failed 10 times') });
    expect((await delivery(other))[0].status).toBe('cancelled'); // still open: cancelled with the endpoint
    expect(alerts).toHaveLength(1);
    expect(alerts[0].fields).toMatchObject({ endpoint_id: ep.id, attempts: 10 });
    const audit = await h.ctx.db.selectFrom('audit_events').selectAll().where('target', '=', ep.id).where('action', '=', 'webhook.endpoint.disable').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ alert: true });
    expect(await recordEvent(h.ctx.db, { type: 'grant.failed', clientId: ep.client.id, data: {} })).toBeNull();
    // a run of the cancelled delivery's job sends nothing
    const before = receiver.received.length;
    expect(await deliverOnce(h.ctx, (await delivery(other))[0].id)).toMatchObject({ outcome: 'skipped' });
    expect(receiver.received.length).toBe(before);

    // an admin re-enables it and re-sends: it arrives with the same event id
    receiver.state.mode = 'ok';
    const admin = await h.admin('operator');
    expect((await admin.request('POST', `/v1/admin/webhooks/endpoints/${ep.id}/enable`)).body.status).toBe('active');
    const resent = await admin.request('POST', `/v1/admin/webhooks/events/${eventId}/resend`, {});
    expect(resent.status).toBe(202);
    expect(await deliverOnce(h.ctx, resent.body.deliveries[0])).toMatchObject({ outcome: 'succeeded', status_code: 204 });
    expect(receiver.received.at(-1)!.json.id).toBe(eventId);
    await receiver.close();
  }, 60_000);

  it('does not follow a redirect (3xx is a failed try) and times out a receiver that never answers', async () => {
    const receiver = await startReceiver();
    const ep = await endpointFor(receiver.url);
    receiver.state.mode = 'redirect';
    const e1 = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: ep.client.id, data: {} }))!;
    await fanOut(h.ctx.db);
    await expect(deliverOnce(h.ctx, (await delivery(e1))[0].id)).rejects.toThrow('redirect 307 not followed');
    expect(receiver.state.redirectHits).toBe(0);
    expect((await delivery(e1))[0]).toMatchObject({ status: 'retrying', last_status_code: 307 });

    receiver.state.mode = 'hang';
    const e2 = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: ep.client.id, data: {} }))!;
    await fanOut(h.ctx.db);
    const started = Date.now();
    await expect(deliverOnce(h.ctx, (await delivery(e2))[0].id, { timeoutMs: 400 })).rejects.toThrow('timeout after 400 ms');
    expect(Date.now() - started).toBeLessThan(5000);
    const [a] = await h.ctx.db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', '=', (await delivery(e2))[0].id).execute();
    expect(a).toMatchObject({ status_code: null, error: 'timeout after 400 ms' });
    expect(a.duration_ms).toBeGreaterThanOrEqual(390);
    await receiver.close();
  });

  it('one failing endpoint does not hold back another client\'s events', async () => {
    const dead = await startReceiver();
    await dead.down();
    const good = await startReceiver();
    const bad = await endpointFor(dead.url);
    const ok = await endpointFor(good.url);
    const running = startDelivering(h.ctx);
    try {
      for (let i = 0; i < 10; i++) await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: bad.client.id, data: { i } });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: ok.client.id, data: { i } }))!);
      await waitFor(() => ids.every((id) => good.received.some((r) => r.json.id === id)), 30_000);
    } finally {
      await running.stop();
      await good.close();
    }
  }, 60_000);

  it('refuses bad registrations with a clear 4xx and creates nothing', async () => {
    const c = await h.client([...scopes]);
    const post = (body: unknown, key: string | null = idem()) => c.request('POST', '/v1/webhooks/endpoints', body, key ? { idempotencyKey: key } : {});
    const cases: Array<[unknown, string]> = [
      [{}, 'validation_failed'],
      [{ url: 'not a url' }, 'webhook_url_invalid'],
      [{ url: 'ftp://example.com/x' }, 'webhook_url_invalid'],
      [{ url: 'https://user:pw@example.com/x' }, 'webhook_url_invalid'],
      [{ url: 'http://no-such-host.invalid/hook' }, 'webhook_url_invalid'],
      [{ url: 'https://example.com/x', events: ['grant.exploded'] }, 'validation_failed'],
      [{ url: 'https://example.com/x', extra: 1 }, 'validation_failed'],
      [{ url: 'https://example.com/' + 'a'.repeat(2100) }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.body.code).toBe(code);
    }
    const noKey = await post({ url: 'https://example.com/x' }, null);
    expect(noKey.body.code).toBe('idempotency_key_required');
    expect((await c.request('GET', '/v1/webhooks/endpoints')).body.data).toEqual([]);
    expect((await c.request('PATCH', '/v1/webhooks/endpoints/whe_nope', { events: [] })).status).toBe(404);
    expect((await c.request('POST', '/v1/webhooks/events/evt_nope/resend', {}, { idempotencyKey: idem() })).status).toBe(404);
    const readOnly = await h.client(['webhooks:read']);
    const denied = await readOnly.request('POST', '/v1/webhooks/endpoints', { url: 'https://example.com/x' }, { idempotencyKey: idem() });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('insufficient_scope');
  });
});
