import type { AppContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/db.ts';
import { fail } from '../../platform/errors.ts';
import type { SupplierAdapter, SupplierCredentials } from './adapters/adapter.ts';
import { adapterFor } from './adapters/registry.ts';
import * as repo from './suppliers.repo.ts';
import { secretContext } from './suppliers.service.ts';
import { cachedConnection } from './connection-cache.ts';

// What other modules use to reach a supplier: the product's failover route and an opened connection
// (adapter + credentials). Credentials leave this module only here, in memory, for the call being made.

export interface RouteEntry {
  position: number;
  supplierId: string;
  supplierName: string;
  supplierProductId: string;
  unitCostFen: number;
}

/**
 * A product's suppliers in failover order. Disabled suppliers are left out (they take no new orders) unless
 * `includeDisabled`; the circuit is not consulted here — ask `circuitAllows` right before submitting.
 */
export async function supplierRoute(db: Executor, productId: string, opts: { includeDisabled?: boolean } = {}): Promise<RouteEntry[]> {
  const rows = await repo.productSupplierRows(db, productId);
  return rows
    .filter((r) => opts.includeDisabled || r.supplier_status === 'active')
    .map((r) => ({ position: r.position, supplierId: r.supplier_id, supplierName: r.supplier_name, supplierProductId: r.supplier_product_id, unitCostFen: Number(r.unit_cost) }));
}

export interface SupplierRecord {
  id: string;
  name: string;
  adapter: string;
  endpoint: string;
  status: 'active' | 'disabled';
}

export interface SupplierConnection {
  supplier: SupplierRecord;
  adapter: SupplierAdapter;
  creds: SupplierCredentials;
}

const record = (r: SupplierRecord): SupplierRecord => ({ id: r.id, name: r.name, adapter: r.adapter, endpoint: r.endpoint, status: r.status });

/** The supplier a callback address names (`/v1/callbacks/suppliers/{id}`), or null. */
export async function supplierByCallbackId(db: Executor, supplierId: string): Promise<SupplierRecord | null> {
  if (!supplierId.startsWith('sup_')) return null;
  const row = await repo.findSupplierRow(db, supplierId);
  return row ? record(row) : null;
}

/**
 * The adapter and the opened credentials of a supplier, whatever its status (queries and callbacks of
 * orders placed before it was disabled still need them). Throws supplier_not_found / unknown_adapter.
 */
export function supplierConnection(ctx: Pick<AppContext, 'db' | 'keyring'>, supplierId: string): Promise<SupplierConnection> {
  return cachedConnection(ctx.db, supplierId, () => openConnection(ctx, supplierId));
}

async function openConnection(ctx: Pick<AppContext, 'db' | 'keyring'>, supplierId: string): Promise<SupplierConnection> {
  const row = await repo.findSupplierWithSecret(ctx.db, supplierId);
  if (!row) throw fail('supplier_not_found', `Supplier ${supplierId} does not exist.`);
  const adapter = adapterFor(row.adapter);
  if (!adapter) throw fail('unknown_adapter', `Supplier ${supplierId} names the adapter "${row.adapter}", which this build does not have.`);
  const secret = ctx.keyring.unwrap({ wrapped: Buffer.from(row.app_secret_wrapped), masterKeyId: row.master_key_id }, secretContext(row.id));
  return { supplier: record(row), adapter, creds: { endpoint: row.endpoint, appKey: row.app_key, appSecret: secret.toString('utf8') } };
}
