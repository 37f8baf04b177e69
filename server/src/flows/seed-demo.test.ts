import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../testutil/harness.ts';
import { signedHeaders } from '../platform/auth/signing.ts';
import { seedDemo } from './seed-demo.ts';
import { DEMO_RECHARGE_SKU, restartDemoSandboxes, seedDemoRecharge } from './demo-suppliers.ts';
import { startJobRunner } from '../platform/jobs/runner.ts';

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

    const login = await http(`${h.url}/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-quanyi-console': '1' }, body: JSON.stringify(demo!.admin) });
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

  it('a demo direct-recharge product with two sandbox suppliers: a grant reaches redeemed, and the sandboxes come back after a restart', async () => {
    const client = await h.client();
    let sandboxes = await seedDemoRecharge(h.ctx);
    const runner = startJobRunner(h.ctx, { pollMs: 20 });
    try {
      // the first supplier declines (product unavailable): the grant fails over to the second
      sandboxes[0].knobs.errorCode = 3001;
      sandboxes[0].knobs.errorRate = 1;
      const r = await client.request('POST', '/v1/grants', { product: DEMO_RECHARGE_SKU, recipient: { account: '13812345678' } }, { idempotencyKey: idem() });
      expect([r.status, r.body.status]).toEqual([202, 'pending']);
      const end = Date.now() + 60_000;
      let g = r.body;
      while (g.status === 'pending' && Date.now() < end) {
        await new Promise((res) => setTimeout(res, 100));
        g = (await client.request('GET', `/v1/grants/${r.body.id}`)).body;
      }
      expect(g.status).toBe('redeemed');
      expect(sandboxes[1].stats().rechargesByAccount['13812345678']).toBe(1);
      expect(sandboxes[0].stats().rechargesByAccount['13812345678']).toBeUndefined();
      // a restart: the sandboxes come back on their ports with their credentials
      for (const s of sandboxes) await s.close();
      sandboxes = await restartDemoSandboxes(h.ctx, (m) => { throw new Error(m); });
      expect(sandboxes).toHaveLength(2);
    } finally {
      await runner.stop();
      for (const s of sandboxes) await s.close().catch(() => undefined);
    }
  });
});
