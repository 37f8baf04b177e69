import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { http, idem } from '../../testutil/harness.ts';
import { expireGrants } from '../expire-grants.ts';
import { createKit, type Kit } from './recharge.testkit.ts';

// A direct recharge issued without an account (links, QR codes, bulk lists): it waits as `issued`; the
// recipient gives the account on the redeem link, which starts the recharge through the sandbox supplier.
let k: Kit;
beforeAll(async () => {
  k = await createKit({ suppliers: [{}] });
});
afterAll(() => k?.close());

const tokenOf = (g: { redeem_url: string }) => g.redeem_url.split('/r/')[1];
const view = (token: string) => http(`${k.h.url}/v1/redeem/${token}`, { method: 'GET' });
const submit = (token: string, account: string) =>
  http(`${k.h.url}/v1/redeem/${token}/recharge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account }) });
const issueWaiting = (extra: Record<string, unknown> = {}, key = idem()) =>
  k.client.request('POST', '/v1/grants', { product: k.product.sku, recipient: { external_id: 'flyer' }, ...extra }, { idempotencyKey: key });
const orders = async (grantId: string) =>
  Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM recharge_orders WHERE grant_id = ${grantId}`.execute(k.h.ctx.db)).rows[0].n);

describe('a direct recharge issued without an account', () => {
  it('waits for the account, then recharges through the supplier to redeemed; the same account again answers the same, another is 409', async () => {
    const key = idem();
    const issued = await issueWaiting({}, key);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ status: 'issued', recipient: { account: null }, product: { kind: 'direct_recharge' } });
    expect(issued.body.expires_at).not.toBeNull();
    const replay = await issueWaiting({}, key);
    expect([replay.status, replay.body.id, replay.headers.get('idempotent-replayed')]).toEqual([201, issued.body.id, 'true']);
    const token = tokenOf(issued.body);

    const before = await view(token);
    expect(before.status).toBe(200);
    expect(before.body.recharge).toEqual({ status: 'awaiting_account', account_masked: null, account_types: ['mobile', 'uid'], failure: null });
    expect(await orders(issued.body.id)).toBe(0);
    // nothing to reveal: it is not a card code
    expect((await http(`${k.h.url}/v1/redeem/${token}/reveal`, { method: 'POST' })).status).not.toBe(200);

    const started = await submit(token, '13912345678');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'pending', account_masked: '139****5678' });
    const again = await submit(token, '+8613912345678');
    expect([again.status, again.body.account_masked]).toEqual([202, '139****5678']);
    const other = await submit(token, '13900000000');
    expect([other.status, other.body.code]).toEqual([409, 'recharge_already_started']);
    expect(await orders(issued.body.id)).toBe(1);

    const done = await k.waitFinal(issued.body.id);
    expect(done).toMatchObject({ status: 'redeemed', recipient: { account: '139****5678' } });
    const after = await view(token);
    expect(after.body.recharge).toMatchObject({ status: 'redeemed', account_masked: '139****5678' });
    expect((await submit(token, '13912345678')).status).toBe(202);
  });

  it('refuses a bad account with a clear 400 and changes nothing', async () => {
    const issued = await issueWaiting();
    const token = tokenOf(issued.body);
    for (const account of ['12345', '+1-555-0100', 'a b']) {
      const r = await submit(token, account);
      expect(r.status, account).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(r.body.errors[0].field).toBe('account');
    }
    const empty = await submit(token, '');
    expect([empty.status, empty.body.code]).toEqual([400, 'validation_failed']);
    expect((await view(token)).body.recharge.status).toBe('awaiting_account');
    expect(await orders(issued.body.id)).toBe(0);
    expect((await submit('x'.repeat(43), '13912345678')).status).toBe(404);
  });

  it('expires like an unclaimed card code, and an expired or voided one takes no account', async () => {
    const a = await issueWaiting();
    await sql`UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = ${a.body.id}`.execute(k.h.ctx.db);
    expect([(await submit(tokenOf(a.body), '13912345678')).status]).toEqual([410]);
    expect(await expireGrants(k.h.ctx.db)).toBeGreaterThanOrEqual(1);
    expect((await k.client.request('GET', `/v1/grants/${a.body.id}`)).body.status).toBe('expired');
    expect((await view(tokenOf(a.body))).body.code).toBe('grant_expired');

    const b = await issueWaiting();
    expect((await k.client.request('POST', `/v1/grants/${b.body.id}/void`, {})).status).toBe(200);
    const r = await submit(tokenOf(b.body), '13912345678');
    expect([r.status, r.body.code]).toEqual([410, 'grant_voided']);
    expect(await orders(b.body.id)).toBe(0);
  });

  it('a card-code link takes no account', async () => {
    const p = await k.h.product();
    await k.h.stock(p.id, 1);
    const g = await k.client.request('POST', '/v1/grants', { product: p.sku, recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    const r = await submit(tokenOf(g.body), '13912345678');
    expect([r.status, r.body.code]).toEqual([409, 'not_a_direct_recharge']);
    expect((await view(tokenOf(g.body))).body.recharge).toBeUndefined();
  });

  it('a link batch of a direct recharge waits for the accounts; a link from its export recharges', async () => {
    const created = await k.admin.request('POST', '/v1/admin/link-batches', { client: k.client.id, product: k.product.sku, count: 3, label: 'poster' });
    expect(created.status).toBe(202);
    let batch = created.body;
    for (let i = 0; i < 200 && batch.status === 'issuing'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      batch = (await k.admin.request('GET', `/v1/admin/link-batches/${batch.id}`)).body;
    }
    expect(batch).toMatchObject({ status: 'ready', issued: 3 });
    const csv = await (await fetch(`${k.h.url}/v1/admin/link-batches/${batch.id}/export?format=csv`, { headers: k.admin.headers })).text();
    const urls = csv.trim().split('\r\n').slice(1).map((l) => l.split(',')[2]);
    expect(urls).toHaveLength(3);
    const token = urls[1].split('/r/')[1];
    expect((await view(token)).body.recharge.status).toBe('awaiting_account');
    const started = await submit(token, 'iqiyi_fan.7');
    expect([started.status, started.body.status]).toEqual([202, 'pending']);
    const grantId = csv.trim().split('\r\n')[2].split(',')[1];
    expect((await k.waitFinal(grantId)).status).toBe('redeemed');
    expect(await orders(csv.trim().split('\r\n')[1].split(',')[1])).toBe(0);
  });
});
