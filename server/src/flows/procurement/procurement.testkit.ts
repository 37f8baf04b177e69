import { randomBytes } from 'node:crypto';
import { startSandboxSupplier, type SandboxKnobs, type SandboxSupplier } from '../../modules/suppliers/index.ts';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { createHarness, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { FAST_RECHARGE_ENV } from '../recharge/recharge.testkit.ts';

// Test kit of procurement: the real app and job runner, one sandbox supplier over real sockets, and a
// card-code product below its safety stock, routed through that supplier, with a reorder quantity.
export interface ProcKit {
  h: Harness;
  admin: AdminAgent;
  client: SignedClient;
  /** replaceable: a test may restart the supplier (fresh books, same port and keys) */
  sandbox: SandboxSupplier;
  supplier: { id: string; name: string; appKey: string; appSecret: string };
  startRunner(): void;
  stopRunner(): Promise<void>;
  /** a card-code product with safety stock, `stocked` codes, routed through the sandbox, reorder quantity set */
  product(opts?: { safetyStock?: number; stocked?: number; reorder?: number; unitCost?: number }): Promise<{ id: string; sku: string }>;
  purchases(productId: string): Promise<any[]>;
  waitPurchaseFinal(id: string, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

export async function createProcKit(opts: { knobs?: Partial<SandboxKnobs>; env?: Record<string, string>; logStream?: NodeJS.WritableStream } = {}): Promise<ProcKit> {
  const h = await createHarness({ ...FAST_RECHARGE_ENV, ...opts.env }, opts.logStream ? { logStream: opts.logStream } : {});
  const admin = await h.admin();
  const client = await h.client();
  const appKey = 'key-' + randomBytes(4).toString('hex');
  const appSecret = 'secret-' + randomBytes(12).toString('hex');
  const sandbox = await startSandboxSupplier({ appKey, appSecret, knobs: { processingMs: 60, ...opts.knobs } });
  const name = 'sandbox-' + randomBytes(3).toString('hex');
  const created = await admin.request('POST', '/v1/admin/suppliers', { name, adapter: 'fulu', endpoint: sandbox.url, app_key: appKey, app_secret: appSecret });
  if (created.status !== 201) throw new Error('supplier create: ' + JSON.stringify(created.body));
  let runner: { stop(): Promise<void> } | null = null;
  const kit: ProcKit = {
    h,
    admin,
    client,
    sandbox,
    supplier: { id: created.body.id, name, appKey, appSecret },
    startRunner() {
      runner ??= startJobRunner(h.ctx, { pollMs: 20 });
    },
    async stopRunner() {
      await runner?.stop();
      runner = null;
    },
    async product(p = {}) {
      const product = await h.product({ safety_stock: p.safetyStock ?? 5 });
      if (p.stocked) await h.stock(product.id, p.stocked);
      const put = await admin.request('PUT', `/v1/admin/products/${product.id}/suppliers`, { suppliers: [{ supplier_id: kit.supplier.id, supplier_product_id: '2001', unit_cost: p.unitCost ?? 1000 }] });
      if (put.status !== 200) throw new Error('product suppliers: ' + JSON.stringify(put.body));
      const set = await admin.request('PUT', `/v1/admin/procurement/products/${product.id}`, { reorder_quantity: p.reorder ?? 10 });
      if (set.status !== 200) throw new Error('procurement settings: ' + JSON.stringify(set.body));
      return { id: product.id, sku: product.sku };
    },
    async purchases(productId) {
      const r = await admin.request('GET', `/v1/admin/procurement/purchases?product=${productId}`);
      if (r.status !== 200) throw new Error('purchases: ' + JSON.stringify(r.body));
      return r.body.data;
    },
    async waitPurchaseFinal(id, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const r = await admin.request('GET', `/v1/admin/procurement/purchases/${id}`);
        if (['succeeded', 'failed', 'rejected'].includes(r.body.state)) return r.body;
        if (Date.now() > until) throw new Error(`purchase ${id} still ${r.body.state} after ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    async close() {
      await kit.stopRunner();
      await kit.sandbox.close();
      await h.close();
    },
  };
  kit.startRunner();
  return kit;
}
