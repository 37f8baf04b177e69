import type { Executor } from '../platform/db/db.ts';
import type { Keyring } from '../platform/crypto/keyring.ts';
import { rewrapBatchKeys } from '../modules/inventory/index.ts';
import { rewrapWebhookSecrets } from '../modules/webhooks/index.ts';
import { rewrapSupplierSecrets } from '../modules/suppliers/index.ts';
import { rewrapTotpSecrets } from '../modules/identity/index.ts';

// Re-wraps every key-encrypting-key use (batch data keys, client secrets, server secrets, supplier secrets, admin TOTP secrets) under the
// keyring's current master key. Codes themselves are not touched: they are sealed under batch data keys.
export async function rewrapAll(db: Executor, keyring: Keyring) {
  const current = keyring.current.id;
  const counts = { batches: 0, clients: 0, server_secrets: 0, suppliers: 0, webhook_endpoints: 0, admin_totp: 0 };
  counts.batches = await rewrapBatchKeys(db, keyring);
  const clients = await db.selectFrom('clients').select(['id', 'secret_wrapped', 'master_key_id']).where('master_key_id', '!=', current).execute();
  for (const c of clients) {
    const ctxName = 'client-secret:' + c.id;
    const w = keyring.wrap(keyring.unwrap({ wrapped: Buffer.from(c.secret_wrapped), masterKeyId: c.master_key_id }, ctxName), ctxName);
    await db.updateTable('clients').set({ secret_wrapped: w.wrapped, master_key_id: w.masterKeyId }).where('id', '=', c.id).execute();
    counts.clients++;
  }
  const secrets = await db.selectFrom('server_secrets').selectAll().where('master_key_id', '!=', current).execute();
  for (const s of secrets) {
    const ctxName = 'server-secret:' + s.name;
    const w = keyring.wrap(keyring.unwrap({ wrapped: Buffer.from(s.wrapped), masterKeyId: s.master_key_id }, ctxName), ctxName);
    await db.updateTable('server_secrets').set({ wrapped: w.wrapped, master_key_id: w.masterKeyId }).where('name', '=', s.name).execute();
    counts.server_secrets++;
  }
  counts.suppliers = await rewrapSupplierSecrets(db, keyring);
  counts.webhook_endpoints = await rewrapWebhookSecrets(db, keyring);
  counts.admin_totp = await rewrapTotpSecrets(db, keyring);
  return counts;
}
