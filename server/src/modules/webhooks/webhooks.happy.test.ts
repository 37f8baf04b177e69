import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { createClientWithWebhook } from '../../flows/create-client.ts';
import { recordEvent } from './index.ts';
import { startDelivering, startReceiver, verifyQuanyiSignature, waitFor } from './webhooks.testkit.ts';

// Register an endpoint, record events in business transactions, receive them signed per DESIGN §6.
let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let delivering: { stop(): Promise<void> };
let client: SignedClient;

beforeAll(async () => {
  h = await createHarness({ QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  receiver = await startReceiver();
  delivering = startDelivering(h.ctx);
  client = await h.client(['grants:write', 'grants:read', 'webhooks:write', 'webhooks:read']);
});
afterAll(async () => {
  await delivering.stop();
  await receiver.close();
  await h.close();
});

const grantData = (id: string, status = 'issued') => ({ id, status, product: { id: 'prd_x', name: '爱奇艺 VIP 月卡' }, recipient: { external_id: 'u-1' } });

describe('webhooks: happy path', () => {
  let secret: string;
  let endpointId: string;

  it('registers an endpoint and shows its secret only in the registration response', async () => {
    const r = await client.request('POST', '/v1/webhooks/endpoints', { url: receiver.url, description: 'CRM' }, { idempotencyKey: idem() });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ url: receiver.url, events: [], status: 'active', client_id: client.id });
    expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    secret = r.body.secret;
    endpointId = r.body.id;
    expect(endpointId).toMatch(/^whe_/);
    const got = await client.request('GET', `/v1/webhooks/endpoints/${endpointId}`);
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(secret);
    const list = await client.request('GET', '/v1/webhooks/endpoints');
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([endpointId]);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
  });

  it('replays a registration with the same Idempotency-Key (same endpoint, same secret)', async () => {
    const key = idem();
    const a = await client.request('POST', '/v1/webhooks/endpoints', { url: receiver.url + '?a=1', events: ['grant.voided'] }, { idempotencyKey: key });
    const b = await client.request('POST', '/v1/webhooks/endpoints', { url: receiver.url + '?a=1', events: ['grant.voided'] }, { idempotencyKey: key });
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.secret).toBe(a.body.secret);
    const other = await client.request('POST', '/v1/webhooks/endpoints', { url: receiver.url }, { idempotencyKey: key });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect((await client.request('DELETE', `/v1/webhooks/endpoints/${a.body.id}`)).status).toBe(204);
    expect((await client.request('GET', `/v1/webhooks/endpoints/${a.body.id}`)).status).toBe(404);
  });

  it('delivers an event recorded in a business transaction, signed per DESIGN §6', async () => {
    const eventId = await h.ctx.db.transaction().execute((tx) => recordEvent(tx, { type: 'grant.issued', clientId: client.id, subjectId: 'grt_1', data: grantData('grt_1') }));
    expect(eventId).toMatch(/^evt_[0-9a-z]{26}$/);
    const got = await waitFor(() => receiver.received.find((r) => r.json.id === eventId));
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.json).toEqual({ id: eventId, type: 'grant.issued', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), data: grantData('grt_1') });
    expect(Object.keys(got.json)).toEqual(['id', 'type', 'created_at', 'data']);
    expect(await verifyQuanyiSignature(got.headers['quanyi-signature'] as string, got.body, secret)).toBe(true);
    expect(await verifyQuanyiSignature(got.headers['quanyi-signature'] as string, got.body + ' ', secret)).toBe(false);
    expect(await verifyQuanyiSignature(got.headers['quanyi-signature'] as string, got.body, secret.replace(/.$/, 'x'))).toBe(false);
    expect(await verifyQuanyiSignature(got.headers['quanyi-signature'] as string, got.body, secret, Date.now() / 1000 + 301)).toBe(false);

    const ev = await waitFor(async () => {
      const r = await client.request('GET', `/v1/webhooks/events/${eventId}`);
      return r.body.deliveries?.[0]?.status === 'succeeded' && r;
    });
    expect(ev.body.deliveries[0]).toMatchObject({ endpoint_id: endpointId, attempts: 1, last_status_code: 204, attempt_log: [{ attempt: 1, status_code: 204, error: null }] });
    const list = await client.request('GET', '/v1/webhooks/events?type=grant.issued');
    expect(list.body.data.map((e: { id: string }) => e.id)).toContain(eventId);
    const dl = await client.request('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries`);
    expect(dl.body.data[0]).toMatchObject({ event_id: eventId, status: 'succeeded' });
  });

  it('writes nothing when the transaction rolls back, the client has no endpoint, or no endpoint wants the type', async () => {
    const before = await h.ctx.db.selectFrom('webhook_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await expect(
      h.ctx.db.transaction().execute(async (tx) => {
        await recordEvent(tx, { type: 'grant.issued', clientId: client.id, subjectId: 'grt_rb', data: grantData('grt_rb') });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const lonely = await h.client();
    expect(await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: lonely.id, data: {} })).toBeNull();
    expect(await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: null, data: {} })).toBeNull();
    const picky = await h.client(['webhooks:write', 'webhooks:read']);
    const reg = await picky.request('POST', '/v1/webhooks/endpoints', { url: receiver.url, events: ['grant.redeemed'] }, { idempotencyKey: idem() });
    expect(reg.status).toBe(201);
    expect(await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: picky.id, data: {} })).toBeNull();
    expect(await recordEvent(h.ctx.db, { type: 'grant.redeemed', clientId: picky.id, data: {} })).toMatch(/^evt_/);
    const after = await h.ctx.db.selectFrom('webhook_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(1);
  });

  it('re-sends an event as a new delivery carrying the same event id', async () => {
    const eventId = (await recordEvent(h.ctx.db, { type: 'grant.voided', clientId: client.id, subjectId: 'grt_2', data: grantData('grt_2', 'voided') }))!;
    await waitFor(() => receiver.received.find((r) => r.json.id === eventId));
    const key = idem();
    const r = await client.request('POST', `/v1/webhooks/events/${eventId}/resend`, {}, { idempotencyKey: key });
    expect(r.status).toBe(202);
    expect(r.body.deliveries).toHaveLength(1);
    const again = await client.request('POST', `/v1/webhooks/events/${eventId}/resend`, {}, { idempotencyKey: key });
    expect(again.body.deliveries).toEqual(r.body.deliveries); // a retried re-send makes no second delivery
    await waitFor(() => receiver.received.filter((x) => x.json.id === eventId).length === 2);
    const copies = receiver.received.filter((x) => x.json.id === eventId);
    expect(copies[1].json).toEqual(copies[0].json);
    const ev = await client.request('GET', `/v1/webhooks/events/${eventId}`);
    expect(ev.body.deliveries).toHaveLength(2);
    expect(ev.body.deliveries[1].resend_of).toBe(eventId);
  });

  it('signs with both secrets while a rotation lasts', async () => {
    const r = await client.request('POST', `/v1/webhooks/endpoints/${endpointId}/rotate-secret`, { previous_valid_for_seconds: 3600 }, { idempotencyKey: idem() });
    expect(r.status).toBe(200);
    const fresh = r.body.secret as string;
    expect(fresh).not.toBe(secret);
    expect(r.body.previous_secret_expires_at).not.toBeNull();
    const eventId = (await recordEvent(h.ctx.db, { type: 'grant.redeemed', clientId: client.id, data: grantData('grt_3', 'redeemed') }))!;
    const got = await waitFor(() => receiver.received.find((x) => x.json.id === eventId));
    const header = got.headers['quanyi-signature'] as string;
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(await verifyQuanyiSignature(header, got.body, fresh)).toBe(true);
    expect(await verifyQuanyiSignature(header, got.body, secret)).toBe(true);
    secret = fresh;
  });

  it('updates events and url; a disabled endpoint receives nothing', async () => {
    const p = await client.request('PATCH', `/v1/webhooks/endpoints/${endpointId}`, { events: ['grant.failed'] });
    expect(p.status).toBe(200);
    expect(p.body.events).toEqual(['grant.failed']);
    expect(await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: client.id, data: {} })).toBeNull();
    const d = await client.request('POST', `/v1/webhooks/endpoints/${endpointId}/disable`, {}, { idempotencyKey: idem() });
    expect(d.body.status).toBe('disabled');
    expect(await recordEvent(h.ctx.db, { type: 'grant.failed', clientId: client.id, data: {} })).toBeNull();
    const e = await client.request('POST', `/v1/webhooks/endpoints/${endpointId}/enable`, {}, { idempotencyKey: idem() });
    expect(e.body).toMatchObject({ status: 'active', disabled_reason: null });
  });

  it('lets an admin see every client\'s webhooks and re-send', async () => {
    const admin = await h.admin('operator');
    const list = await admin.request('GET', `/v1/admin/webhooks/endpoints?client_id=${client.id}`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((e: { id: string }) => e.id)).toContain(endpointId);
    const events = await admin.request('GET', `/v1/admin/webhooks/events?client_id=${client.id}&limit=1`);
    expect(events.body.data).toHaveLength(1);
    expect(events.body.next_cursor).toMatch(/^evt_/);
    const eventId = events.body.data[0].id;
    expect((await admin.request('GET', `/v1/admin/webhooks/events/${eventId}`)).body.deliveries.length).toBeGreaterThan(0);
    const r = await admin.request('POST', `/v1/admin/webhooks/events/${eventId}/resend`, { endpoint_id: endpointId });
    expect(r.status).toBe(202);
    expect((await (await h.admin('finance')).request('GET', '/v1/admin/webhooks/endpoints')).status).toBe(403);
  });

  it('creates a client with its webhook in one flow (what `clients create --webhook-url` runs)', async () => {
    const out = await createClientWithWebhook(h.ctx, { name: 'mall', scopes: ['grants:write'], actor: 'cli', webhook: { url: receiver.url, events: ['grant.issued'] } });
    expect(out.webhook).toMatchObject({ id: expect.stringMatching(/^whe_/), url: receiver.url, events: ['grant.issued'], secret: expect.stringMatching(/^whsec_/) });
    const eventId = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: out.client.id, data: { id: 'grt_9' } }))!;
    const got = await waitFor(() => receiver.received.find((x) => x.json.id === eventId));
    expect(await verifyQuanyiSignature(got.headers['quanyi-signature'] as string, got.body, out.webhook!.secret)).toBe(true);
  });
});
