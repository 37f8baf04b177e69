import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../testutil/harness.ts';
import { startDelivering, startReceiver, waitFor } from '../modules/webhooks/webhooks.testkit.ts';
import { createKit, type Kit } from './recharge/recharge.testkit.ts';

// GET /v1/admin/grants/{id}/trail: every step of a grant's life, from each module, in one timeline.
let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  h = await createHarness({ QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

describe('grant trail', () => {
  it('a card code: issued through a client, revealed twice, webhooks delivered; another voided with its reason', async () => {
    const client = await h.client(['grants:write', 'grants:read', 'webhooks:write', 'webhooks:read']);
    const endpoint = await client.request('POST', '/v1/webhooks/endpoints', { url: receiver.url }, { idempotencyKey: idem() });
    expect(endpoint.status).toBe(201);
    const admin = await h.admin('support');
    const product = await h.product();
    const codes = await h.stock(product.id, 2);
    const issue = (n: string) => client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone: '13912345678', external_id: 'u-' + n }, out_order_no: 'ord-' + n + idem().slice(0, 8) }, { idempotencyKey: idem() });
    const a = (await issue('a')).body;
    const token = a.redeem_url.split('/r/')[1];
    const delivering = startDelivering(h.ctx);
    try {
      expect((await http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' })).status).toBe(200);
      expect((await http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' })).status).toBe(200);
      // issued and redeemed, each delivered once
      await waitFor(async () => {
        const t = (await admin.request('GET', `/v1/admin/grants/${a.id}/trail`)).body;
        return t.webhooks.length === 2 && t.webhooks.every((w: any) => w.deliveries[0]?.status === 'succeeded') && t;
      });
    } finally {
      await delivering.stop();
    }
    const res = await admin.request('GET', `/v1/admin/grants/${a.id}/trail`);
    expect(res.status).toBe(200);
    const t = res.body;
    expect(t.grant).toMatchObject({ id: a.id, status: 'redeemed', redeem_url: null, out_order_no: a.out_order_no, client: { id: client.id, name: expect.stringMatching(/^test /) }, issued_by: client.id, recipient: { phone: '139****5678' } });
    expect(t.reveals.count).toBe(2);
    expect(t.reveals.times).toHaveLength(2);
    expect(t.recharge).toBeNull();
    expect(t.webhooks.map((w: any) => w.type)).toEqual(['grant.issued', 'grant.redeemed']);
    expect(t.webhooks[0].deliveries[0]).toMatchObject({ endpoint_id: endpoint.body.id, status: 'succeeded', attempt_log: [expect.objectContaining({ attempt: 1, status_code: 204 })] });
    expect(t.audit.map((e: any) => e.action)).toEqual(['grant.reveal', 'grant.reveal']);
    const events = t.timeline.map((e: any) => `${e.kind}:${e.event}`);
    expect(events[0]).toBe('grant:grant.issued');
    for (const e of ['grant:grant.redeemed', 'audit:grant.reveal', 'webhook:event.created', 'webhook:delivery.attempt']) expect(events).toContain(e);
    expect(events.filter((e: string) => e === 'audit:grant.reveal')).toHaveLength(2);
    expect(events.filter((e: string) => e === 'webhook:delivery.attempt')).toHaveLength(2);
    const times = t.timeline.map((e: any) => e.at);
    expect(times).toEqual([...times].sort());
    // nothing secret: no code, no token, no full phone
    const raw = JSON.stringify(t);
    for (const secret of [...codes.flatMap((c) => Object.values(c)), token, '13912345678']) expect(raw).not.toContain(secret);

    const b = (await issue('b')).body;
    expect((await admin.request('POST', `/v1/admin/grants/${b.id}/void`, { reason: 'duplicate order' })).status).toBe(200);
    const tb = (await admin.request('GET', `/v1/admin/grants/${b.id}/trail`)).body;
    expect(tb.grant).toMatchObject({ status: 'voided', end_reason: 'duplicate order' });
    expect(tb.reveals).toEqual({ count: 0, times: [] });
    expect(tb.timeline.map((e: any) => [e.kind, e.event, e.actor])).toEqual(
      expect.arrayContaining([
        ['grant', 'grant.issued', client.id],
        ['grant', 'grant.voided', null],
        ['audit', 'grant.void', admin.id],
      ]),
    );
    expect(tb.timeline.find((e: any) => e.event === 'grant.void').summary).toContain('duplicate order');
    // the grant page keeps its shape: the grant with its audit events
    const page = (await admin.request('GET', `/v1/admin/grants/${b.id}`)).body;
    expect(page).toMatchObject({ id: b.id, status: 'voided', redeem_url: null });
    expect(page.trail.map((e: any) => [e.action, e.actor])).toEqual([['grant.void', admin.id]]);
  });

  it('unknown grants are 404; the public and clients cannot read trails', async () => {
    const admin = await h.admin();
    const r = await admin.request('GET', '/v1/admin/grants/grt_nope/trail');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('not_found');
    expect((await http(`${h.url}/v1/admin/grants/grt_nope/trail`, {})).status).toBe(401);
  });
});

describe('grant trail of a direct recharge', () => {
  let k: Kit;
  beforeAll(async () => {
    k = await createKit({ suppliers: [{ errorCode: 3001, errorNext: 1 }, {}] });
  });
  afterAll(() => k?.close());

  it('shows each attempt with its submits, callbacks and queries', async () => {
    k.startRunner();
    const r = await k.issue('13911112222');
    expect(r.status).toBe(202);
    const final = await k.waitFinal(r.body.id);
    expect(final.status).toBe('redeemed');
    // the success callback may trail the query that found the order: wait for it
    const t = await waitFor(async () => {
      const x = (await k.admin.request('GET', `/v1/admin/grants/${r.body.id}/trail`)).body;
      return x.recharge?.events.some((e: any) => e.kind === 'callback') && x;
    });
    expect(t.grant).toMatchObject({ id: r.body.id, status: 'redeemed', recipient: { account: '139****2222' } });
    expect(t.recharge.attempts.length).toBeGreaterThanOrEqual(1);
    expect(t.recharge.attempts.some((a: any) => a.state === 'succeeded')).toBe(true);
    const kinds = t.timeline.filter((e: any) => e.kind === 'recharge').map((e: any) => e.event);
    expect(kinds).toContain('submit');
    expect(kinds).toContain('callback');
    expect(t.timeline.find((e: any) => e.event === 'grant.redeemed').summary).toBe('recharge succeeded');
    expect(JSON.stringify(t)).not.toContain('13911112222');
  });
});
