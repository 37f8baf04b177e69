import { randomBytes } from 'node:crypto';
import type { AppContext } from '../platform/context.ts';
import { appendAudit } from '../modules/audit/index.ts';
import { createProduct } from '../modules/catalog/index.ts';
import type { Product } from '../modules/catalog/index.ts';
import { createClient } from '../modules/clients/index.ts';
import { createAdminUser } from '../modules/identity/index.ts';
import { stockGeneratedCodes } from '../modules/inventory/index.ts';

/**
 * On an empty database: two demo products with generated codes, an admin login and a client key, so a
 * new user can try the API right after `npm start`. Returns the credentials to print (shown once).
 */
export async function seedDemo(ctx: AppContext) {
  const any = await ctx.db.selectFrom('admin_users').select('id').limit(1).executeTakeFirst();
  if (any) return null;
  const password = randomBytes(9).toString('base64url');
  const admin = await createAdminUser(ctx.db, { email: 'admin@quanyi.local', password, role: 'admin' }, 'system');
  const client = await createClient(ctx.db, ctx.keyring, { name: 'Demo client', scopes: ['grants:write', 'grants:read'] }, 'system');
  const products: Product[] = [];
  for (const p of [
    { sku: 'DEMO-IQIYI-VIP-1M', name: '爱奇艺黄金VIP会员 1个月', platform: 'iqiyi', price: 1500, face_value: 2500 },
    { sku: 'DEMO-TENCENT-VIP-1M', name: '腾讯视频VIP会员 1个月', platform: 'tencent_video', price: 1500, face_value: 2500 },
  ]) {
    const product = await createProduct(ctx.db, { ...p, kind: 'card_code', period: { unit: 'month', count: 1 }, renewal: false, safety_stock: 20, validity_days: 90 }, 'system');
    await stockGeneratedCodes(ctx, product.id, 100, { importedBy: admin.id });
    products.push(product);
  }
  await ctx.db.transaction().execute((tx) =>
    appendAudit(tx, { actor: 'system', action: 'demo.seed', target: null, details: { products: products.map((p) => p.sku), admin: admin.email, client_key_id: client.key_id } }),
  );
  return { admin: { email: admin.email, password }, client: { key_id: client.key_id, secret: client.secret }, products };
}
