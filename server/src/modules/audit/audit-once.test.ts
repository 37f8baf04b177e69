import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';

// Audit is written by the service that makes the change, never by its callers (issue 5 §1): one action, one
// event — through the admin API here; the CLI calls the same services and writes no audit of its own.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

async function eventsFor(target: string) {
  return (await h.ctx.db.selectFrom('audit_events').select(['action', 'actor']).where('target', '=', target).orderBy('seq').execute()).map((e) => [e.action, e.actor]);
}

describe('one action, one audit event', () => {
  it('products, clients, admin users and sign-ins', async () => {
    const admin = await h.admin('admin');
    const product = await admin.request('POST', '/v1/admin/products', { sku: 'AUD-1', name: 'a', platform: 'iqiyi', kind: 'card_code', price: 100 });
    expect(product.status).toBe(201);
    expect((await admin.request('PATCH', `/v1/admin/products/${product.body.id}`, { price: 200 })).status).toBe(200);
    expect(await eventsFor(product.body.id)).toEqual([['product.create', admin.id], ['product.update', admin.id]]);

    const client = await admin.request('POST', '/v1/admin/clients', { name: 'c', scopes: ['grants:read'] });
    expect(client.status).toBe(201);
    expect((await admin.request('POST', `/v1/admin/clients/${client.body.id}/disable`)).status).toBe(200);
    expect(await eventsFor(client.body.id)).toEqual([['client.create', admin.id], ['client.disable', admin.id]]);

    const user = await admin.request('POST', '/v1/admin/users', { email: 'audit-once@example.com', password: 'a long enough password', role: 'support' });
    expect(user.status).toBe(201);
    const login = await http(h.url + '/v1/admin/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-quanyi-console': '1' }, body: JSON.stringify({ email: 'audit-once@example.com', password: 'a long enough password' }) });
    expect(login.status).toBe(200);
    expect(await eventsFor(user.body.id)).toEqual([['admin_user.create', admin.id], ['admin.login', user.body.id]]);
  });
});
