import { createHash, randomBytes } from 'node:crypto';
import { startSandboxSupplier, type SandboxKnobs, type SandboxSupplier } from '../../modules/suppliers/index.ts';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { createHarness, idem, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';

// Test kit of the recharge flows: the real app and job runner, sandbox suppliers over real sockets whose
// callbacks come back to the app, and a direct-recharge product routed through them. Fast poll schedule
// and short timeouts via configuration, so fault runs take seconds.
export const FAST_RECHARGE_ENV = {
  QUANYI_RECHARGE_SUBMIT_TIMEOUT_MS: '800',
  QUANYI_RECHARGE_QUERY_TIMEOUT_MS: '800',
  QUANYI_RECHARGE_POLL_SCHEDULE_MS: '80,150,300',
  QUANYI_RECHARGE_RESUBMIT_AFTER_NOT_FOUND: '2',
  QUANYI_RECHARGE_RESUBMIT_AFTER_MS: '300',
};

export interface Kit {
  h: Harness;
  admin: AdminAgent;
  client: SignedClient;
  sandboxes: Array<{ sandbox: SandboxSupplier; supplierId: string; name: string; appSecret: string }>;
  product: { id: string; sku: string };
  stopRunner(): Promise<void>;
  startRunner(): void;
  issue(account: string, extra?: Record<string, unknown>): Promise<{ status: number; body: any; headers: Headers }>;
  /** polls GET /v1/grants/{id} as `as` (default: the kit's client) until the grant is no longer pending */
  waitFinal(grantId: string, timeoutMs?: number, as?: SignedClient): Promise<any>;
  close(): Promise<void>;
}

export async function createKit(opts: { suppliers?: Array<Partial<SandboxKnobs>>; env?: Record<string, string>; logStream?: NodeJS.WritableStream } = {}): Promise<Kit> {
  const h = await createHarness({ ...FAST_RECHARGE_ENV, QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true', ...opts.env }, opts.logStream ? { logStream: opts.logStream } : {});
  const admin = await h.admin();
  const client = await h.client();
  const sandboxes: Kit['sandboxes'] = [];
  for (const [i, knobs] of (opts.suppliers ?? [{}, {}]).entries()) {
    const appKey = 'key-' + randomBytes(4).toString('hex');
    const appSecret = 'secret-' + randomBytes(12).toString('hex');
    const sandbox = await startSandboxSupplier({ appKey, appSecret, knobs: { processingMs: 60, ...knobs } });
    const name = `sandbox-${i + 1}-${randomBytes(3).toString('hex')}`;
    const created = await admin.request('POST', '/v1/admin/suppliers', { name, adapter: 'fulu', endpoint: sandbox.url, app_key: appKey, app_secret: appSecret });
    if (created.status !== 201) throw new Error('supplier create: ' + JSON.stringify(created.body));
    sandbox.knobs.callbackUrl = `${h.url}/v1/callbacks/suppliers/${created.body.id}`;
    sandboxes.push({ sandbox, supplierId: created.body.id, name, appSecret });
  }
  const product = await h.product({ kind: 'direct_recharge', name: 'iQiyi VIP 1 month (direct)', platform: 'iqiyi' });
  const put = await admin.request('PUT', `/v1/admin/products/${product.id}/suppliers`, {
    suppliers: sandboxes.map((s, i) => ({ supplier_id: s.supplierId, supplier_product_id: String(1001 + i), unit_cost: 900 + i * 10 })),
  });
  if (put.status !== 200) throw new Error('product suppliers: ' + JSON.stringify(put.body));
  let runner: { stop(): Promise<void> } | null = null;
  const kit: Kit = {
    h,
    admin,
    client,
    sandboxes,
    product,
    startRunner() {
      runner ??= startJobRunner(h.ctx, { pollMs: 20 });
    },
    async stopRunner() {
      await runner?.stop();
      runner = null;
    },
    issue(account, extra = {}) {
      return client.request('POST', '/v1/grants', { product: product.sku, recipient: { account }, ...extra }, { idempotencyKey: idem() });
    },
    async waitFinal(grantId, timeoutMs = 20_000, as = client) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const g = await as.request('GET', `/v1/grants/${grantId}`);
        if (g.status !== 200) throw new Error(`GET /v1/grants/${grantId}: ${g.status}`);
        if (g.body.status !== 'pending') return g.body;
        if (Date.now() > until) throw new Error(`grant ${grantId} still pending after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await kit.stopRunner();
      for (const s of sandboxes) await s.sandbox.close();
      await h.close();
    },
  };
  kit.startRunner();
  return kit;
}

/** DESIGN §11 signing, written again here (independent of the adapter): md5 of the sorted code points + secret */
export function signCallback(body: Record<string, unknown>, appSecret: string): Record<string, unknown> {
  const text = [...JSON.stringify(body)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!).join('') + appSecret;
  return { ...body, sign: createHash('md5').update(text, 'utf8').digest('hex') };
}

export const phone = (n: number) => '139' + String(n).padStart(8, '0');
