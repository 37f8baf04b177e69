import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onRealPostgres } from '../../testutil/database.ts';
import { createHarness, type AdminAgent, type Harness } from '../../testutil/harness.ts';
import { circuitAllows, recordSupplierCall, refreshBalance, startSandboxSupplier, supplierConnection, type SandboxSupplier, type SubmitResult } from './index.ts';

// The circuit as the recharges flow will drive it — ask, call the real adapter against the sandbox, record —
// and as the admin API shows it. Open time shortened to 1 s by configuration; the numbers are the design's.
let h: Harness;
let admin: AdminAgent;
let sandbox: SandboxSupplier;
beforeAll(async () => {
  h = await createHarness({ QUANYI_SUPPLIER_CIRCUIT_OPEN_SECONDS: '1' });
  admin = await h.admin();
  sandbox = await startSandboxSupplier({ appKey: 'ck', appSecret: 'cs' });
});
afterAll(async () => {
  await sandbox?.close();
  await h?.close();
});

let orderNo = 0;
/** one submission as a caller makes it: ask the circuit, call, record the outcome */
async function submit(supplierId: string): Promise<SubmitResult | 'skipped'> {
  if (!circuitAllows(supplierId)) return 'skipped';
  const { adapter, creds } = await supplierConnection(h.ctx, supplierId);
  const r = await adapter.submitRecharge(creds, { productId: '10001', customerOrderNo: `rco_circuit_${++orderNo}-1`, account: '13800000000', buyNum: 1 }, { timeoutMs: 2_000 });
  if (r.kind === 'accepted') recordSupplierCall(supplierId, { ok: true });
  else if (r.kind === 'rejected') recordSupplierCall(supplierId, { countsForCircuit: r.countsForCircuit, reason: `code ${r.code}: ${r.message}` });
  else recordSupplierCall(supplierId, r);
  return r;
}

describe('supplier circuit breaker, end to end', () => {
  it('declines (3001) never open it; busy (5000) opens it, it probes after the open time and closes on success', async () => {
    const s = (await admin.request('POST', '/v1/admin/suppliers', { name: 'circuit', adapter: 'fulu', endpoint: sandbox.url, app_key: 'ck', app_secret: 'cs' })).body;

    Object.assign(sandbox.knobs, { errorCode: 3001, errorRate: 1 });
    for (let i = 0; i < 25; i++) expect(await submit(s.id)).toMatchObject({ kind: 'rejected', code: 3001 });
    expect((await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body.circuit).toMatchObject({ state: 'closed', window: { calls: 25, failures: 0 } });

    Object.assign(sandbox.knobs, { errorCode: 5000 });
    const outcomes = [];
    for (let i = 0; i < 30; i++) outcomes.push(await submit(s.id));
    // 25 declines + 25 busy = 50 % of 50 calls: open at the 25th busy answer, the rest are skipped
    expect(outcomes.filter((o) => o !== 'skipped')).toHaveLength(25);
    expect(outcomes.slice(25)).toEqual(Array(5).fill('skipped'));
    const open = (await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body.circuit;
    expect(open).toMatchObject({ state: 'open', opened_count: 1, window: { calls: 50, failures: 25 } });
    expect(open.last_reasons[0].reason).toMatch(/^code 5000/);

    // half-open after the open time: one probe; the supplier has recovered, so the probe closes it
    Object.assign(sandbox.knobs, { errorCode: null, errorRate: 0 });
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body.circuit.state).toBe('half_open');
    expect(circuitAllows(s.id)).toBe(true);
    expect(circuitAllows(s.id)).toBe(false); // only the probe
    const { adapter, creds } = await supplierConnection(h.ctx, s.id);
    const probe = await adapter.submitRecharge(creds, { productId: '10001', customerOrderNo: 'rco_probe-1', account: '13800000001', buyNum: 1 });
    expect(probe.kind).toBe('accepted');
    recordSupplierCall(s.id, { ok: true });
    expect((await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body.circuit).toMatchObject({ state: 'closed', window: { calls: 0, failures: 0 } });
  });

  it('an unreachable supplier (transport errors) opens it too', async () => {
    const s = (await admin.request('POST', '/v1/admin/suppliers', { name: 'down', adapter: 'fulu', endpoint: 'http://127.0.0.1:9/gw', app_key: 'ck', app_secret: 'cs' })).body;
    for (let i = 0; i < 20; i++) expect(await submit(s.id)).toMatchObject({ kind: 'unknown', countsForCircuit: true });
    expect(circuitAllows(s.id)).toBe(false);
    expect((await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body.circuit.state).toBe('open');
  });
});

// Several processes polling at once must raise one alert per crossing: the row lock decides. Only real
// PostgreSQL runs the polls truly in parallel (the embedded database has one connection).
describe.skipIf(!onRealPostgres)('suppliers under concurrency (real PostgreSQL)', () => {
  it('parallel balance polls raise exactly one low-balance alert', async () => {
    const s = (await admin.request('POST', '/v1/admin/suppliers', { name: 'parallel', adapter: 'fulu', endpoint: sandbox.url, app_key: 'ck', app_secret: 'cs', low_balance_threshold: 1_000_000 })).body;
    sandbox.knobs.balanceFen = 500;
    const log = { warn: () => undefined };
    const results = await Promise.all(Array.from({ length: 12 }, () => refreshBalance(h.ctx, s.id, log)));
    expect(results.filter((r) => r.kind === 'ok' && r.alerted)).toHaveLength(1);
    const alerts = await h.ctx.db.selectFrom('audit_events').select('seq').where('target', '=', s.id).where('action', '=', 'supplier.low_balance').execute();
    expect(alerts).toHaveLength(1);
  });

  it('parallel replacements of one product list all succeed and leave one whole list', async () => {
    const a = (await admin.request('POST', '/v1/admin/suppliers', { name: 'pa', adapter: 'fulu', endpoint: sandbox.url, app_key: 'k', app_secret: 's' })).body;
    const b = (await admin.request('POST', '/v1/admin/suppliers', { name: 'pb', adapter: 'fulu', endpoint: sandbox.url, app_key: 'k', app_secret: 's' })).body;
    const product = await h.product({ kind: 'direct_recharge' });
    const lists = Array.from({ length: 10 }, (_, i) => ({
      suppliers: (i % 2 ? [a, b] : [b, a]).map((s, j) => ({ supplier_id: s.id, supplier_product_id: `P${i}`, unit_cost: 100 + j })),
    }));
    const answers = await Promise.all(lists.map((l) => admin.request('PUT', `/v1/admin/products/${product.id}/suppliers`, l)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    const final = (await admin.request('GET', `/v1/admin/products/${product.id}/suppliers`)).body.suppliers;
    expect(final.map((x: { position: number }) => x.position)).toEqual([1, 2]);
    expect(new Set(final.map((x: { supplier_product_id: string }) => x.supplier_product_id)).size).toBe(1); // one request's list, not a mix
  });
});
