import { Value } from '@sinclair/typebox/value';
import { forgetConnection } from './connection-cache.ts';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Executor, Tx } from '../../platform/db/db.ts';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import { conflict, fail, validationFailed, type FieldProblem } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/index.ts';
import { findProduct } from '../catalog/index.ts';
import { adapterNames, adapterFor } from './adapters/registry.ts';
import { supplierCircuits } from './circuit-breaker.ts';
import * as repo from './suppliers.repo.ts';
import { ProductSuppliersPut, type ProductSupplierInput, type ProductSuppliers, type Supplier, type SupplierCreate, type SupplierUpdate } from './suppliers.schemas.ts';

// Suppliers: who they are, how to reach them, their credentials (the secret wrapped by the master key, like
// client secrets) and each product's ordered supplier list. Every change writes its own audit event; no
// credential ever reaches a response, a log line or an audit detail.

export type SupplierDeps = Pick<AppContext, 'keyring' | 'config'>;

export const secretContext = (supplierId: string) => 'supplier-secret:' + supplierId;

export const callbackUrl = (publicUrl: string, supplierId: string) => `${publicUrl}/v1/callbacks/suppliers/${supplierId}`;

/** Enough of the app_key to recognise it, never enough to use it. */
export function maskKey(key: string): string {
  const shown = Math.min(4, Math.floor(key.length / 3));
  return key.slice(0, shown) + '****';
}

/** An http(s) URL without embedded credentials (they would be shown back and logged with the endpoint). */
export function checkEndpoint(value: string): FieldProblem | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return { field: 'endpoint', message: 'must be an absolute http(s) URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { field: 'endpoint', message: 'must be an absolute http(s) URL' };
  if (u.username || u.password) return { field: 'endpoint', message: 'must not carry credentials (use app_key / app_secret)' };
  return null;
}

/** Names are looked up like ids (`sup_…` means an id) and listed in `--suppliers "NAME:…,…"`. */
export function checkName(name: string): FieldProblem | null {
  if (name.startsWith('sup_')) return { field: 'name', message: 'must not start with sup_ (that means an id)' };
  if (name.includes(',')) return { field: 'name', message: 'must not contain a comma (it separates the CLI --suppliers list)' };
  return null;
}

export function toSupplier(r: repo.SupplierPublicRow, publicUrl: string): Supplier {
  return {
    id: r.id,
    name: r.name,
    adapter: r.adapter,
    endpoint: r.endpoint,
    app_key_hint: maskKey(r.app_key),
    status: r.status,
    balance: r.balance === null ? null : Number(r.balance),
    balance_checked_at: r.balance_checked_at ? r.balance_checked_at.toISOString() : null,
    low_balance_threshold: r.low_balance_threshold === null ? null : Number(r.low_balance_threshold),
    low_balance: r.low_balance_alerted,
    callback_url: callbackUrl(publicUrl, r.id),
    circuit: supplierCircuits.snapshot(r.id),
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function wrapSecret(keyring: Keyring, supplierId: string, secret: string) {
  return keyring.wrap(Buffer.from(secret, 'utf8'), secretContext(supplierId));
}

export async function createSupplier(deps: SupplierDeps, tx: Tx, input: SupplierCreate, actor: string): Promise<Supplier> {
  const problems = [checkName(input.name), checkEndpoint(input.endpoint)].filter((p): p is FieldProblem => p !== null);
  if (problems.length) throw validationFailed(problems);
  if (!adapterFor(input.adapter)) throw fail('unknown_adapter', `No adapter is called "${input.adapter}"; known: ${adapterNames().join(', ')}.`);
  const id = newId('sup');
  const w = wrapSecret(deps.keyring, id, input.app_secret);
  const row = await repo.insertSupplier(tx, {
    id,
    name: input.name,
    adapter: input.adapter,
    endpoint: input.endpoint,
    app_key: input.app_key,
    app_secret_wrapped: w.wrapped,
    master_key_id: w.masterKeyId,
    status: input.status ?? 'active',
    low_balance_threshold: input.low_balance_threshold ?? null,
  });
  if (!row) throw conflict('supplier_name_taken', `A supplier called "${input.name}" already exists.`);
  await appendAudit(tx, {
    actor,
    action: 'supplier.create',
    target: id,
    details: { name: row.name, adapter: row.adapter, endpoint: row.endpoint, app_key_hint: maskKey(row.app_key), status: row.status, low_balance_threshold: row.low_balance_threshold },
  });
  return toSupplier(row, deps.config.publicUrl);
}

export async function findSupplier(db: Executor, ref: string) {
  return repo.findSupplierRow(db, ref);
}

export async function getSupplier(deps: SupplierDeps, db: Executor, ref: string): Promise<Supplier> {
  const row = await repo.findSupplierRow(db, ref);
  if (!row) throw fail('supplier_not_found', `Supplier ${ref} does not exist.`);
  return toSupplier(row, deps.config.publicUrl);
}

export async function listSuppliers(deps: SupplierDeps, db: Executor, opts: { limit: number; cursor?: string; status?: 'active' | 'disabled' }) {
  const rows = await repo.listSupplierRows(db, { ...opts, limit: opts.limit + 1 });
  const more = rows.length > opts.limit;
  const data = rows.slice(0, opts.limit).map((r) => toSupplier(r, deps.config.publicUrl));
  return { data, next_cursor: more ? data[data.length - 1].id : null };
}

export async function updateSupplier(deps: SupplierDeps, tx: Tx, ref: string, input: SupplierUpdate, actor: string): Promise<Supplier> {
  const problems = [input.name === undefined ? null : checkName(input.name), input.endpoint === undefined ? null : checkEndpoint(input.endpoint)];
  if (problems.some(Boolean)) throw validationFailed(problems.filter((p): p is FieldProblem => p !== null));
  const current = await repo.findSupplierRow(tx, ref, { forUpdate: true });
  if (!current) throw fail('supplier_not_found', `Supplier ${ref} does not exist.`);
  if (input.name !== undefined && input.name !== current.name && (await repo.nameTakenByOther(tx, input.name, current.id))) {
    throw conflict('supplier_name_taken', `A supplier called "${input.name}" already exists.`);
  }
  const set: Parameters<typeof repo.updateSupplierRow>[2] = {};
  // what the audit event says changed: values for plain fields, only the fact for credentials
  const changes: Record<string, unknown> = {};
  for (const k of ['name', 'endpoint', 'status', 'low_balance_threshold'] as const) {
    if (input[k] !== undefined && input[k] !== current[k]) {
      (set as Record<string, unknown>)[k] = input[k];
      changes[k] = input[k];
    }
  }
  if (input.app_key !== undefined && input.app_key !== current.app_key) {
    set.app_key = input.app_key;
    changes.app_key_hint = maskKey(input.app_key);
  }
  if (input.app_secret !== undefined) {
    const w = wrapSecret(deps.keyring, current.id, input.app_secret);
    set.app_secret_wrapped = w.wrapped;
    set.master_key_id = w.masterKeyId;
    changes.app_secret = 'rotated';
  }
  // a new threshold is judged afresh by the next balance poll
  if (changes.low_balance_threshold !== undefined) set.low_balance_alerted = false;
  if (Object.keys(changes).length === 0) return toSupplier(current, deps.config.publicUrl);
  const row = (await repo.updateSupplierRow(tx, current.id, set))!;
  forgetConnection(current.id);
  await appendAudit(tx, { actor, action: 'supplier.update', target: current.id, details: { changes } });
  return toSupplier(row, deps.config.publicUrl);
}

async function productIdOf(db: Executor, productRef: string): Promise<string> {
  const product = await findProduct(db, productRef);
  if (!product) throw fail('product_not_found', `Product ${productRef} does not exist.`);
  return product.id;
}

export async function getProductSuppliers(db: Executor, productRef: string): Promise<ProductSuppliers> {
  const productId = await productIdOf(db, productRef);
  return { product_id: productId, suppliers: await repo.productSupplierRows(db, productId) };
}

/** Replaces a product's ordered supplier list (position = order in `list`, from 1). An empty list clears it. */
export async function setProductSuppliers(tx: Tx, productRef: string, list: ProductSupplierInput[], actor: string): Promise<ProductSuppliers> {
  // the HTTP schema checked this already; the CLI (through a flow) arrives here unchecked
  const shapeErrors = [...Value.Errors(ProductSuppliersPut, { suppliers: list })];
  if (shapeErrors.length) {
    throw validationFailed(shapeErrors.map((e) => ({ field: e.path.replace(/^\//, '').replace(/\//g, '.'), message: e.message })));
  }
  const productId = await productIdOf(tx, productRef);
  const problems: FieldProblem[] = [];
  const rows: Array<{ position: number; supplier_id: string; supplier_product_id: string; unit_cost: number }> = [];
  const seen = new Set<string>();
  for (const [i, item] of list.entries()) {
    const s = await repo.findSupplierRow(tx, item.supplier_id);
    if (!s) {
      problems.push({ field: `suppliers.${i}.supplier_id`, message: `no supplier ${item.supplier_id}` });
      continue;
    }
    if (seen.has(s.id)) problems.push({ field: `suppliers.${i}.supplier_id`, message: `supplier ${s.name} is listed twice` });
    seen.add(s.id);
    rows.push({ position: i + 1, supplier_id: s.id, supplier_product_id: item.supplier_product_id, unit_cost: item.unit_cost });
  }
  if (problems.length) throw validationFailed(problems);
  // two concurrent replacements of one list would collide on (product_id, position): take turns per product
  await sql`SELECT pg_advisory_xact_lock(hashtext(${'product_suppliers:' + productId}))`.execute(tx);
  await repo.replaceProductSuppliers(tx, productId, rows);
  await appendAudit(tx, {
    actor,
    action: 'product.suppliers.set',
    target: productId,
    details: { suppliers: rows.map((r) => ({ position: r.position, supplier_id: r.supplier_id, supplier_product_id: r.supplier_product_id, unit_cost: r.unit_cost })) },
  });
  return { product_id: productId, suppliers: await repo.productSupplierRows(tx, productId) };
}

/** Re-wraps every supplier secret under the keyring's current master key (`quanyi keys rotate`). */
export async function rewrapSupplierSecrets(db: Executor, keyring: Keyring): Promise<number> {
  let n = 0;
  for (const r of await repo.secretsWrappedUnder(db, keyring.current.id)) {
    const plain = keyring.unwrap({ wrapped: Buffer.from(r.app_secret_wrapped), masterKeyId: r.master_key_id }, secretContext(r.id));
    const w = keyring.wrap(plain, secretContext(r.id));
    await repo.setWrappedSecret(db, r.id, w.wrapped, w.masterKeyId);
    n++;
  }
  return n;
}
