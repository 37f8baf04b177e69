import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness, type SignedClient } from '../testutil/harness.ts';
import { startDelivering, startReceiver, verifyQuanyiSignature, waitFor } from '../modules/webhooks/webhooks.testkit.ts';
import { expireGrants } from './expire-grants.ts';

// Card-code grants tell their client what happened: grant.issued, grant.redeemed (first reveal), grant.voided
// and grant.expired arrive signed, each once, carrying the grant as GET /v1/grants/{id} shows it then.
let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let delivering: { stop(): Promise<void> };
let client: SignedClient;
let secret: string;

beforeAll(async () => {
  h = await createHarness({ QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  receiver = await startReceiver();
  delivering = startDelivering(h.ctx);
  client = await h.client(['grants:write', 'grants:read', 'webhooks:write', 'webhooks:read']);
  const r = await client.request('POST', '/v1/webhooks/endpoints', { url: receiver.url }, { idempotencyKey: idem() });
  expect(r.status).toBe(201);
  secret = r.body.secret;
});
afterAll(async () => {
  await delivering.stop();
  await receiver.close();
  await h.close();
});

const eventsFor = (grantId: string) => receiver.received.filter((e) => e.json.data?.id === grantId);

describe('card-code grant events', () => {
  it('issue, reveal, void and expiry each send one signed event with the grant as its client sees it', async () => {
    const product = await h.product();
    await h.stock(product.id, 3);
    const issue = (who: string) => client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: who } }, { idempotencyKey: idem() });

    const a = await issue('a');
    expect(a.status).toBe(201);
    const issued = await waitFor(() => eventsFor(a.body.id).find((e) => e.json.type === 'grant.issued'));
    expect(issued.json.data).toEqual(a.body);
    expect(await verifyQuanyiSignature(issued.headers['quanyi-signature'] as string, issued.body, secret)).toBe(true);

    // a replay writes no second event
    const key = idem();
    const b1 = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'b' } }, { idempotencyKey: key });
    await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'b' } }, { idempotencyKey: key });

    const token = a.body.redeem_url.split('/r/')[1];
    expect((await http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' })).status).toBe(200);
    expect((await http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' })).status).toBe(200);
    const redeemed = await waitFor(() => eventsFor(a.body.id).find((e) => e.json.type === 'grant.redeemed'));
    expect(redeemed.json.data).toMatchObject({ id: a.body.id, status: 'redeemed' });

    expect((await client.request('POST', `/v1/grants/${b1.body.id}/void`, {}, { idempotencyKey: idem() })).status).toBe(200);
    const voided = await waitFor(() => eventsFor(b1.body.id).find((e) => e.json.type === 'grant.voided'));
    expect(voided.json.data).toMatchObject({ id: b1.body.id, status: 'voided' });

    const c = await issue('c');
    await sql`UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = ${c.body.id}`.execute(h.ctx.db);
    expect(await expireGrants(h.ctx.db, 1000, h.ctx)).toBe(1);
    const expired = await waitFor(() => eventsFor(c.body.id).find((e) => e.json.type === 'grant.expired'));
    expect(expired.json.data).toMatchObject({ id: c.body.id, status: 'expired' });

    await new Promise((r) => setTimeout(r, 300)); // let any duplicate arrive
    const types = (id: string) => eventsFor(id).map((e) => e.json.type).sort();
    expect(types(a.body.id)).toEqual(['grant.issued', 'grant.redeemed']);
    expect(types(b1.body.id)).toEqual(['grant.issued', 'grant.voided']);
    expect(types(c.body.id)).toEqual(['grant.expired', 'grant.issued']);
  });

  it('a client with no endpoint gets no events written', async () => {
    const quiet = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const r = await quiet.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'q' } }, { idempotencyKey: idem() });
    expect(r.status).toBe(201);
    const n = await h.ctx.db.selectFrom('webhook_events').select(sql<number>`count(*)::int`.as('n')).where('client_id', '=', quiet.id).executeTakeFirstOrThrow();
    expect(n.n).toBe(0);
  });
});
