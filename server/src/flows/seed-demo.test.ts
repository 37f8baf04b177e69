import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../testutil/harness.ts';
import { signedHeaders } from '../platform/auth/signing.ts';
import { seedDemo } from './seed-demo.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('demo data for a first start', () => {
  it('creates products with stock and credentials that work, only once', async () => {
    const demo = await seedDemo(h.ctx);
    expect(demo).not.toBeNull();
    expect(await seedDemo(h.ctx)).toBeNull();

    const login = await http(`${h.url}/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demo!.admin) });
    expect(login.status).toBe(200);

    const body = JSON.stringify({ product: demo!.products[0].sku, recipient: { external_id: 'first-user' } });
    const res = await http(`${h.url}/v1/grants`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'idempotency-key': idem(), ...signedHeaders({ keyId: demo!.client.key_id, secret: demo!.client.secret, method: 'POST', path: '/v1/grants', body }) },
    });
    expect(res.status).toBe(201);
    const reveal = await http(res.body.redeem_url.replace('/r/', '/v1/redeem/') + '/reveal', { method: 'POST' });
    expect(reveal.body.card_number).toMatch(/^DEMO[0-9A-F]{12}$/);
  });
});
