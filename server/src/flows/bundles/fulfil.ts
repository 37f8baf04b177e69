import type { AppContext } from '../../platform/context.ts';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { AppError, conflict, fail, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Product } from '../../modules/catalog/index.ts';
import { insertChildGrant } from '../../modules/grants/index.ts';
import { claimCode } from '../../modules/inventory/index.ts';
import { checkAccount, createRechargeOrder, maskAccount } from '../../modules/recharges/index.ts';
import { supplierRoute, type RouteEntry } from '../../modules/suppliers/index.ts';

// Fulfilling the components of a bundle (at issue) or of a choice pack's pick, all or nothing: in the
// caller's ONE transaction every card-code / link component claims a code (SKIP LOCKED, the single-grant
// claim) and gets its child grant; every direct-recharge component gets a pending child grant, its recharge
// order, first attempt and job. When any code is missing the caller rolls the transaction back, so nothing
// stays reserved and no order or job exists.

/** What the components need before the transaction: the checked account and each recharge's supplier route. */
export interface ComponentPlan {
  components: Product[];
  account: string | null;
  routes: Map<string, RouteEntry>;
}

/**
 * Checks, outside the transaction, what does not depend on stock: each component is active, a direct
 * recharge has an account of a kind its product takes and a supplier to send it to. `field` names the
 * request field holding the account (recipient.account or account).
 */
export async function planComponents(db: Executor, components: Product[], rawAccount: string | undefined, field: string): Promise<ComponentPlan> {
  const inactive = components.find((c) => c.status !== 'active');
  if (inactive) throw conflict('product_inactive', `Component ${inactive.sku} is ${inactive.status}.`, { component: inactive.id });
  const recharges = components.filter((c) => c.kind === 'direct_recharge');
  let account: string | null = null;
  const routes = new Map<string, RouteEntry>();
  for (const c of recharges) {
    if (rawAccount === undefined) throw validationFailed([{ field, message: `${c.sku} is a direct recharge: it needs the platform account to top up` }]);
    const checked = checkAccount(c.account_types, rawAccount);
    if (!checked.ok) throw validationFailed([{ field, message: `${c.sku}: ${checked.message}` }], `${field} ${checked.message} (for ${c.sku}).`);
    account = checked.account;
    const route = await supplierRoute(db, c.id);
    if (route.length === 0) throw fail('recharge_no_supplier', `Component ${c.sku} has no supplier to recharge through.`);
    routes.set(c.id, route[0]);
  }
  return { components, account, routes };
}

/** Thrown inside the transaction to roll it back: these components had no code left. */
export class ComponentsUnavailable extends Error {
  constructor(readonly products: Product[]) {
    super('components unavailable: ' + products.map((p) => p.sku).join(', '));
  }
}

/** Writes every component's child grant (and code / recharge order); throws ComponentsUnavailable to roll back. */
export async function fulfilComponents(tx: Tx, ctx: AppContext, parent: { id: string; clientId: string | null }, plan: ComponentPlan): Promise<void> {
  const missing: Product[] = [];
  for (const c of plan.components) {
    const childId = newId('grt');
    if (c.kind === 'direct_recharge') {
      const first = plan.routes.get(c.id);
      if (!first || !plan.account) throw new AppError(500, 'internal_error', 'Internal error', `component ${c.sku} was not planned`);
      await insertChildGrant(tx, ctx.secrets, { id: childId, parentId: parent.id, productId: c.id, status: 'pending', codeId: null, accountMasked: maskAccount(plan.account) });
      await createRechargeOrder(tx, {
        grantId: childId,
        clientId: parent.clientId,
        productId: c.id,
        account: plan.account,
        secrets: ctx.secrets,
        first: { supplierId: first.supplierId, supplierProductId: first.supplierProductId, unitCostFen: first.unitCostFen },
      });
      continue;
    }
    // go on after a miss: the answer names every component that ran out, then all is rolled back
    const codeId = await claimCode(tx, c.id, childId);
    if (codeId === null) missing.push(c);
    else await insertChildGrant(tx, ctx.secrets, { id: childId, parentId: parent.id, productId: c.id, status: 'issued', codeId });
  }
  if (missing.length) throw new ComponentsUnavailable(missing);
}

export const productBrief = (p: Product) => ({ id: p.id, sku: p.sku, name: p.name });
