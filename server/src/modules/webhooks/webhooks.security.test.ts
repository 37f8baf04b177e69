import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { createClientWithWebhook } from '../../flows/create-client.ts';
import { deliverOnce, fanOut, recordEvent } from './index.ts';
import { setWebhookLogger } from './delivery.job.ts';
import { isPrivateAddress } from './url-guard.ts';
import { startReceiver } from './webhooks.testkit.ts';

// SSRF guard (registration and delivery time), secrets never stored or logged in the clear, and one
// client never sees another's webhooks.
let h: Harness;
let log = '';
const scopes = ['webhooks:write', 'webhooks:read'] as const;

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (c) => (log += c.toString()));
  h = await createHarness({ LOG_LEVEL: 'trace' }, { logStream: stream }); // private webhooks NOT allowed
  setWebhookLogger(h.ctx, { warn: (fields, msg) => (log += JSON.stringify({ fields, msg }) + '\n') });
});
afterAll(() => h.close());

/** Registers with the guard lifted for a moment (as if the name resolved publicly at registration). */
async function registerPrivately(c: SignedClient, url: string) {
  h.ctx.config.allowPrivateWebhooks = true;
  try {
    const r = await c.request('POST', '/v1/webhooks/endpoints', { url }, { idempotencyKey: idem() });
    expect(r.status).toBe(201);
    return r.body as { id: string; secret: string };
  } finally {
    h.ctx.config.allowPrivateWebhooks = false;
  }
}

describe('webhooks: security', () => {
  it('classifies addresses: loopback, private, link-local, CGNAT, mapped IPv6 are refused; public ones pass', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.10', '169.254.169.254', '100.64.0.1', '0.0.0.0',
      '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::abcd', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', 'not-an-ip']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('refuses private URLs at registration, on update, and in the client-creation flow', async () => {
    const c = await h.client([...scopes]);
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/hook', 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x',
      'http://[::ffff:127.0.0.1]/x', 'http://0.0.0.0/', 'http://192.168.1.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://100.64.0.1/']) {
      const r = await c.request('POST', '/v1/webhooks/endpoints', { url }, { idempotencyKey: idem() });
      expect(r.status, url).toBe(400);
      expect(r.body.code, url).toBe('webhook_url_private');
    }
    expect((await c.request('GET', '/v1/webhooks/endpoints')).body.data).toEqual([]);
    const ep = await registerPrivately(c, 'http://127.0.0.1:9/ok');
    const p = await c.request('PATCH', `/v1/webhooks/endpoints/${ep.id}`, { url: 'http://10.0.0.2/x' });
    expect(p.body.code).toBe('webhook_url_private');
    await expect(createClientWithWebhook(h.ctx, { name: 'x', scopes: ['grants:read'], actor: 'cli', webhook: { url: 'http://localhost:1/x' } })).rejects.toMatchObject({ code: 'webhook_url_private' });
    expect(await h.ctx.db.selectFrom('clients').select('id').where('name', '=', 'x').execute()).toEqual([]); // nothing half-made
  });

  it('checks again at delivery time, after DNS resolution (a name rebound to loopback is refused)', async () => {
    const receiver = await startReceiver();
    const c = await h.client([...scopes]);
    await registerPrivately(c, `http://localhost:${receiver.port}/hooks`);
    const e1 = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: c.id, data: {} }))!;
    await fanOut(h.ctx.db);
    const [d] = await h.ctx.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', e1).execute();
    await expect(deliverOnce(h.ctx, d.id)).rejects.toThrow(/refused: localhost resolves to the non-public address/);
    expect(receiver.state.hits).toBe(0);

    const c2 = await h.client([...scopes]);
    await registerPrivately(c2, receiver.url); // an IP literal
    const e2 = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: c2.id, data: {} }))!;
    await fanOut(h.ctx.db);
    const [d2] = await h.ctx.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', e2).execute();
    await expect(deliverOnce(h.ctx, d2.id)).rejects.toThrow(/refused: 127\.0\.0\.1 is not a public address/);
    expect(receiver.state.hits).toBe(0);
    await receiver.close();
  });

  it('never stores or logs a webhook secret or a signature in the clear', async () => {
    const receiver = await startReceiver();
    const c = await h.client([...scopes]);
    const ep = await registerPrivately(c, receiver.url);
    h.ctx.config.allowPrivateWebhooks = true;
    const rotated = await c.request('POST', `/v1/webhooks/endpoints/${ep.id}/rotate-secret`, {}, { idempotencyKey: idem() });
    const eventId = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: c.id, data: {} }))!;
    await fanOut(h.ctx.db);
    const [d] = await h.ctx.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', eventId).execute();
    expect(await deliverOnce(h.ctx, d.id)).toMatchObject({ outcome: 'succeeded' });
    receiver.state.mode = 'error';
    await h.ctx.db.transaction().execute((tx) => recordEvent(tx, { type: 'grant.voided', clientId: c.id, data: {} }));
    await fanOut(h.ctx.db);
    const open = await h.ctx.db.selectFrom('webhook_deliveries').select('id').where('client_id', '=', c.id).where('status', '=', 'pending').execute();
    await expect(deliverOnce(h.ctx, open[0].id, { lastAttempt: true })).resolves.toMatchObject({ outcome: 'dead' }); // logs an alert
    h.ctx.config.allowPrivateWebhooks = false;
    const signature = String(receiver.received[0].headers['quanyi-signature']).split(',')[1].slice(3);

    const secrets = [ep.secret, rotated.body.secret as string];
    const needles = secrets.flatMap((s) => [s, s.slice(6), Buffer.from(s).toString('hex'), Buffer.from(s).toString('base64')]).concat(signature);
    const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`.execute(h.ctx.db);
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ j: string }>`SELECT row_to_json(t)::text AS j FROM ${sql.table(table_name)} t`.execute(h.ctx.db);
      const dump = rows.rows.map((r) => r.j).join('\n');
      for (const n of needles) expect(dump.includes(n), `${table_name} holds a secret`).toBe(false);
    }
    expect(log).toContain('webhook endpoint disabled'); // the log was captured
    expect(log).toContain('/v1/webhooks/endpoints'); // request logs too
    for (const n of needles) expect(log.includes(n)).toBe(false);
    await receiver.close();
  });

  it('one client cannot see or touch another client\'s endpoints, events or deliveries', async () => {
    const receiver = await startReceiver();
    const mine = await h.client([...scopes]);
    const theirs = await h.client([...scopes]);
    const ep = await registerPrivately(mine, receiver.url);
    const eventId = (await recordEvent(h.ctx.db, { type: 'grant.issued', clientId: mine.id, data: { secret_stuff: 1 } }))!;
    await fanOut(h.ctx.db);
    const [d] = await h.ctx.db.selectFrom('webhook_deliveries').select('id').where('event_id', '=', eventId).execute();
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/v1/webhooks/endpoints/${ep.id}`],
      ['PATCH', `/v1/webhooks/endpoints/${ep.id}`, { events: [] }],
      ['DELETE', `/v1/webhooks/endpoints/${ep.id}`],
      ['POST', `/v1/webhooks/endpoints/${ep.id}/disable`, {}],
      ['POST', `/v1/webhooks/endpoints/${ep.id}/rotate-secret`, {}],
      ['GET', `/v1/webhooks/endpoints/${ep.id}/deliveries`],
      ['GET', `/v1/webhooks/events/${eventId}`],
      ['POST', `/v1/webhooks/events/${eventId}/resend`, {}],
      ['GET', `/v1/webhooks/deliveries/${d.id}`],
    ];
    for (const [method, path, body] of attempts) {
      const r = await theirs.request(method, path, body, method === 'POST' ? { idempotencyKey: idem() } : {});
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect((await theirs.request('GET', '/v1/webhooks/endpoints')).body.data).toEqual([]);
    expect((await theirs.request('GET', '/v1/webhooks/events')).body.data).toEqual([]);
    // and nothing changed
    expect((await mine.request('GET', `/v1/webhooks/endpoints/${ep.id}`)).body).toMatchObject({ status: 'active', events: [] });
    expect((await mine.request('GET', `/v1/webhooks/events/${eventId}`)).body.deliveries).toHaveLength(1);
    // without a signature nothing at all
    const anon = await fetch(`${h.url}/v1/webhooks/endpoints`);
    expect(anon.status).toBe(401);
    await receiver.close();
  });
});
