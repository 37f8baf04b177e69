import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type AdminAgent, type Harness } from '../../testutil/harness.ts';
import { pollBalances, startBalancePoller, startSandboxSupplier, supplierConnection, type SandboxSupplier } from './index.ts';

// Balances end to end: the real fulu adapter against the sandbox supplier over real HTTP.
let h: Harness;
let admin: AdminAgent;
let sandbox: SandboxSupplier;
beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin();
  sandbox = await startSandboxSupplier({ appKey: 'sandbox-key', appSecret: 'sandbox-secret', knobs: { balanceFen: 50_000 } });
});
afterAll(async () => {
  await sandbox?.close();
  await h?.close();
});

const lowAlerts = (id: string) =>
  h.ctx.db.selectFrom('audit_events').select(['actor', 'details']).where('target', '=', id).where('action', '=', 'supplier.low_balance').execute();

function captureLog() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) };
}

describe('supplier balance', () => {
  it('stores the polled balance and alerts once per crossing below the threshold', async () => {
    const s = (await admin.request('POST', '/v1/admin/suppliers', {
      name: 'sandbox', adapter: 'fulu', endpoint: sandbox.url, app_key: 'sandbox-key', app_secret: 'sandbox-secret', low_balance_threshold: 40_000,
    })).body;
    const first = await admin.request('POST', `/v1/admin/suppliers/${s.id}/balance/refresh`);
    expect(first.status).toBe(200);
    expect(first.body.refresh).toEqual({ ok: true, alerted: false });
    expect(first.body.supplier).toMatchObject({ balance: 50_000, low_balance: false, balance_checked_at: expect.any(String) });

    sandbox.knobs.balanceFen = 30_000; // 300.00 元 < 400.00 元
    const log = captureLog();
    expect(await pollBalances(h.ctx, log)).toEqual({ ok: 1, failed: 0 });
    expect(log.lines).toEqual([{ obj: expect.objectContaining({ supplier_id: s.id, balance: 30_000, threshold: 40_000 }), msg: 'supplier balance below its threshold' }]);
    expect(await pollBalances(h.ctx, log)).toEqual({ ok: 1, failed: 0 }); // still low: no second alert
    expect(log.lines).toHaveLength(1);
    const alerts = await lowAlerts(s.id);
    expect(alerts).toEqual([{ actor: 'system', details: { name: 'sandbox', balance: 30_000, threshold: 40_000 } }]);
    expect((await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body).toMatchObject({ balance: 30_000, low_balance: true });

    sandbox.knobs.balanceFen = 45_000; // back above: the flag clears …
    await pollBalances(h.ctx, log);
    expect((await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body.low_balance).toBe(false);
    sandbox.knobs.balanceFen = 100; // … and the next crossing alerts again
    const again = await admin.request('POST', `/v1/admin/suppliers/${s.id}/balance/refresh`);
    expect(again.body.refresh).toEqual({ ok: true, alerted: true });
    expect(await lowAlerts(s.id)).toHaveLength(2);

    // a threshold change is judged afresh by the next poll
    await admin.request('PATCH', `/v1/admin/suppliers/${s.id}`, { low_balance_threshold: 50 });
    await pollBalances(h.ctx, log);
    expect((await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body).toMatchObject({ balance: 100, low_balance: false });
  });

  it('a failed query keeps the last balance and says why; disabled suppliers are not polled', async () => {
    const wrong = (await admin.request('POST', '/v1/admin/suppliers', {
      name: 'wrong-secret', adapter: 'fulu', endpoint: sandbox.url, app_key: 'sandbox-key', app_secret: 'not-the-secret',
    })).body;
    const r = await admin.request('POST', `/v1/admin/suppliers/${wrong.id}/balance/refresh`);
    expect(r.status).toBe(200);
    expect(r.body.refresh.ok).toBe(false);
    expect(r.body.refresh.reason).toEqual(expect.any(String));
    expect(r.body.refresh.reason).not.toContain('not-the-secret');
    expect(r.body.supplier).toMatchObject({ balance: null, balance_checked_at: null });

    await admin.request('PATCH', `/v1/admin/suppliers/${wrong.id}`, { status: 'disabled' });
    const log = captureLog();
    const pass = await pollBalances(h.ctx, log);
    expect(pass.failed).toBe(0); // the disabled one was not asked
    expect((await supplierConnection(h.ctx, wrong.id)).supplier.status).toBe('disabled');
  });

  it('the worker polls on its interval', async () => {
    const s = (await admin.request('POST', '/v1/admin/suppliers', {
      name: 'polled', adapter: 'fulu', endpoint: sandbox.url, app_key: 'sandbox-key', app_secret: 'sandbox-secret',
    })).body;
    sandbox.knobs.balanceFen = 123_456;
    const poller = startBalancePoller(h.ctx, { firstAfterMs: 0, intervalMs: 100, log: captureLog() });
    try {
      const deadline = Date.now() + 20_000;
      let balance: number | null = null;
      while (Date.now() < deadline && balance !== 123_456) {
        await new Promise((r) => setTimeout(r, 100));
        balance = (await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body.balance;
      }
      expect(balance).toBe(123_456);
    } finally {
      await poller.stop();
    }
  });
});
