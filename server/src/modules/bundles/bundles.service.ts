import { inTx, type Executor } from '../../platform/db/db.ts';
import { badRequest, notFound, type FieldProblem } from '../../platform/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { createProduct, findProduct, getProduct, type Product } from '../catalog/index.ts';
import type { BundleCreate, BundleView, ComponentsPut } from './bundles.schemas.ts';
import { readSpec, writeSpec } from './bundles.repo.ts';

// Bundles (组合套餐: every component) and choice packs (自选权益包: the recipient picks k of n) are products
// whose components are other products. This module owns the component lists; issuing and picking span
// modules and live in flows/bundles.

const PACK_KINDS = new Set(['bundle', 'choice_pack']);
export const isPackKind = (kind: string) => PACK_KINDS.has(kind);

/** Resolves and checks a component list: each exists, appears once and is not itself a bundle or pack. */
async function resolveComponents(db: Executor, refs: readonly string[], kind: string, pickCount: number | null | undefined): Promise<Product[]> {
  const problems: FieldProblem[] = [];
  const found: Product[] = [];
  const seen = new Set<string>();
  for (const [i, ref] of refs.entries()) {
    const p = await findProduct(db, ref);
    if (!p) problems.push({ field: `components[${i}]`, message: `no product with sku or id ${ref}` });
    else if (isPackKind(p.kind)) problems.push({ field: `components[${i}]`, message: `${p.sku} is a ${p.kind}: bundles do not nest` });
    else if (seen.has(p.id)) problems.push({ field: `components[${i}]`, message: `${p.sku} is listed twice` });
    else {
      seen.add(p.id);
      found.push(p);
    }
  }
  if (problems.length) throw badRequest('bundle_component_invalid', problems.map((p) => `${p.field}: ${p.message}`).join('; ') + '.', problems);
  if (kind === 'choice_pack' && (pickCount == null || pickCount > refs.length)) {
    throw badRequest('pick_count_invalid', `A choice pack picks 1 to ${refs.length} of its ${refs.length} components (pick_count).`, [
      { field: 'pick_count', message: pickCount == null ? 'required for a choice pack' : `must be at most ${refs.length}` },
    ]);
  }
  if (kind === 'bundle' && pickCount != null) {
    throw badRequest('pick_count_invalid', 'A bundle issues every component; pick_count is for choice packs.', [{ field: 'pick_count', message: 'only for a choice pack' }]);
  }
  return found;
}

/** Creates a bundle or choice-pack product with its components in one transaction; audited. */
export async function createBundle(db: Executor, input: BundleCreate, actor: string): Promise<BundleView> {
  const { components, pick_count, ...product } = input;
  return inTx(db, async (tx) => {
    const parts = await resolveComponents(tx, components, input.kind, pick_count);
    const p = await createProduct(tx, product, actor);
    await writeSpec(tx, p.id, pick_count ?? null, parts.map((c) => c.id));
    await appendAudit(tx, { actor, action: 'bundle.components.set', target: p.id, details: { kind: p.kind, pick_count: pick_count ?? null, components: parts.map((c) => c.sku) } });
    return bundleView(tx, p);
  });
}

/** Replaces the components (and pick count) of a bundle or choice pack; audited. */
export async function setComponents(db: Executor, ref: string, input: ComponentsPut, actor: string): Promise<BundleView> {
  return inTx(db, async (tx) => {
    const p = await getProduct(tx, ref);
    if (!isPackKind(p.kind)) throw badRequest('wrong_product_kind', `Product ${p.sku} is a ${p.kind}; only bundles and choice packs have components.`);
    const parts = await resolveComponents(tx, input.components, p.kind, input.pick_count);
    await writeSpec(tx, p.id, input.pick_count ?? null, parts.map((c) => c.id));
    await appendAudit(tx, { actor, action: 'bundle.components.set', target: p.id, details: { kind: p.kind, pick_count: input.pick_count ?? null, components: parts.map((c) => c.sku) } });
    return bundleView(tx, p);
  });
}

export interface PackSpec {
  pickCount: number | null;
  components: Product[];
}

/** The components of a bundle or choice pack, in order, as full products; null when `productId` is not one. */
export async function packSpec(db: Executor, productId: string): Promise<PackSpec | null> {
  const spec = await readSpec(db, productId);
  if (!spec) return null;
  const components: Product[] = [];
  for (const c of spec.components) components.push(await getProduct(db, c.component_id));
  return { pickCount: spec.pick_count, components };
}

async function bundleView(db: Executor, p: Product): Promise<BundleView> {
  const spec = await packSpec(db, p.id);
  return {
    product: p,
    pick_count: spec?.pickCount ?? null,
    components: (spec?.components ?? []).map((c, i) => ({
      position: i + 1,
      product: { id: c.id, sku: c.sku, name: c.name, platform: c.platform, kind: c.kind, period: c.period, renewal: c.renewal, status: c.status },
    })),
  };
}

export async function getBundle(db: Executor, ref: string): Promise<BundleView> {
  const p = await getProduct(db, ref);
  if (!isPackKind(p.kind)) throw notFound('Bundle', ref);
  return bundleView(db, p);
}
