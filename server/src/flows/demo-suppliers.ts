import { randomBytes } from 'node:crypto';
import type { AppContext } from '../platform/context.ts';
import { createProduct } from '../modules/catalog/index.ts';
import {
  callbackUrl,
  createSupplier,
  listSuppliers,
  setProductSuppliers,
  startSandboxSupplier,
  supplierConnection,
  type SandboxSupplier,
} from '../modules/suppliers/index.ts';

// The demo's direct recharge (`npm start` on a fresh checkout): two sandbox suppliers speaking the real
// gateway protocol over real HTTP, run inside the server process, and a direct-recharge product that fails
// over from the first to the second. The suppliers are ordinary suppliers (credentials encrypted, callbacks
// signed); only their gateways are sandboxes. On later starts the sandboxes come back on the same ports.
const PREFIX = 'demo-sandbox-';
export const DEMO_RECHARGE_SKU = 'DEMO-IQIYI-DIRECT-1M';

/** Creates the demo suppliers and product (first start); returns the running sandboxes. */
export async function seedDemoRecharge(ctx: AppContext): Promise<SandboxSupplier[]> {
  const sandboxes: SandboxSupplier[] = [];
  const ids: string[] = [];
  for (const letter of ['a', 'b']) {
    const appKey = `demo-${letter}-` + randomBytes(4).toString('hex');
    const appSecret = randomBytes(24).toString('base64url');
    const sandbox = await startSandboxSupplier({ appKey, appSecret, knobs: { latencyMs: 50, processingMs: 1500 } });
    sandboxes.push(sandbox);
    const s = await ctx.db.transaction().execute((tx) =>
      createSupplier(ctx, tx, { name: PREFIX + letter, adapter: 'fulu', endpoint: sandbox.url, app_key: appKey, app_secret: appSecret }, 'system'),
    );
    sandbox.knobs.callbackUrl = callbackUrl(ctx.config.publicUrl, s.id);
    ids.push(s.id);
  }
  await ctx.db.transaction().execute(async (tx) => {
    const product = await createProduct(
      tx,
      { sku: DEMO_RECHARGE_SKU, name: '爱奇艺黄金VIP会员 1个月（直充）', platform: 'iqiyi', kind: 'direct_recharge', period: { unit: 'month', count: 1 }, renewal: false, price: 1500, face_value: 2500 },
      'system',
    );
    await setProductSuppliers(tx, product.id, [
      { supplier_id: ids[0], supplier_product_id: '10001', unit_cost: 1200 },
      { supplier_id: ids[1], supplier_product_id: '20001', unit_cost: 1250 },
    ], 'system');
  });
  return sandboxes;
}

/** Starts the sandboxes of demo suppliers created on an earlier start (same ports, same credentials). */
export async function restartDemoSandboxes(ctx: AppContext, warn: (msg: string) => void): Promise<SandboxSupplier[]> {
  const out: SandboxSupplier[] = [];
  const suppliers = (await listSuppliers(ctx, ctx.db, { limit: 200 })).data.filter((s) => s.name.startsWith(PREFIX));
  for (const s of suppliers) {
    const { creds } = await supplierConnection(ctx, s.id);
    const url = new URL(creds.endpoint);
    if (url.hostname !== '127.0.0.1') continue;
    try {
      const sandbox = await startSandboxSupplier({ appKey: creds.appKey, appSecret: creds.appSecret, port: Number(url.port), knobs: { latencyMs: 50, processingMs: 1500 } });
      sandbox.knobs.callbackUrl = callbackUrl(ctx.config.publicUrl, s.id);
      out.push(sandbox);
    } catch (e) {
      warn(`demo sandbox supplier ${s.name} could not start on port ${url.port}: ${(e as Error).message}`);
    }
  }
  return out;
}
