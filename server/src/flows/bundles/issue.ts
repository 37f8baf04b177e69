import type { AppContext } from '../../platform/context.ts';
import { AppError, conflict, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { findProduct } from '../../modules/catalog/index.ts';
import { packSpec } from '../../modules/bundles/index.ts';
import { findClientGrant, grantAsClientSees, insertParentGrant, recordGrantEvent, type GrantIssuer, type GrantWithOwner, type IssuerInput } from '../../modules/grants/index.ts';
import { ComponentsUnavailable, fulfilComponents, planComponents, productBrief } from './fulfil.ts';

// POST /v1/grants for a bundle or a choice pack (registered in ./index.ts). One transaction writes the
// parent grant and — for a bundle — every component (fulfil.ts), all or nothing: a component out of stock
// answers 409 out_of_stock naming it, and nothing is issued or reserved. A choice pack reserves nothing at
// issue: the recipient picks at redeem time (pick.ts). Idempotency as for single grants: a replay answers
// the first grant as it is now; another body under the same key is 409 idempotency_key_reused.

const isUnique = (e: unknown) => (e as { code?: string })?.code === '23505';

function replay(found: GrantWithOwner, requestHash: string, clash: 'idempotency_key_reused' | 'duplicate_out_order_no') {
  if (found.requestHash !== requestHash) {
    throw clash === 'idempotency_key_reused'
      ? conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { existing_grant_id: found.grant.id })
      : conflict('duplicate_out_order_no', `out_order_no ${found.grant.out_order_no} already belongs to grant ${found.grant.id}.`, { existing_grant_id: found.grant.id });
  }
  return { grant: found.grant, replayed: true, status: (found.kind === 'direct_recharge' ? 202 : 201) as 201 | 202 };
}

async function findReplay(ctx: AppContext, input: IssuerInput) {
  const byKey = await findClientGrant(ctx.db, ctx.config.publicUrl, ctx.secrets, input.clientId, { idempotencyKey: input.idempotencyKey });
  if (byKey) return replay(byKey, input.requestHash, 'idempotency_key_reused');
  if (input.body.out_order_no) {
    const byNo = await findClientGrant(ctx.db, ctx.config.publicUrl, ctx.secrets, input.clientId, { outOrderNo: input.body.out_order_no });
    if (byNo) return replay(byNo, input.requestHash, 'duplicate_out_order_no');
  }
  return null;
}

export const packIssuer: GrantIssuer = async (ctx, input) => {
  const { body } = input;
  const earlier = await findReplay(ctx, input);
  if (earlier) return earlier;

  const product = await findProduct(ctx.db, body.product);
  if (!product) throw new AppError(404, 'product_not_found', 'Not found', `No product with sku or id ${body.product}.`);
  if (product.status !== 'active') throw conflict('product_inactive', `Product ${body.product} is ${product.status}.`);
  const spec = await packSpec(ctx.db, product.id);
  if (!spec || spec.components.length === 0) throw conflict('product_inactive', `Product ${product.sku} has no components.`);
  let expiresAt = new Date(Date.now() + (product.validity_days ?? ctx.config.grantDefaultValidityDays) * 86_400_000);
  if (body.expires_at) {
    expiresAt = new Date(body.expires_at);
    if (!(expiresAt.getTime() > Date.now())) throw validationFailed([{ field: 'expires_at', message: 'must be in the future' }]);
  }
  // a bundle checks every component now; a choice pack checks its picks when they are made
  const plan = product.kind === 'bundle' ? await planComponents(ctx.db, spec.components, body.recipient.account, 'recipient.account') : null;

  const id = newId('grt');
  try {
    const grant = await ctx.db.transaction().execute(async (tx) => {
      await insertParentGrant(tx, ctx.secrets, { id, clientId: input.clientId, productId: product.id, body, idempotencyKey: input.idempotencyKey, requestHash: input.requestHash, issuedBy: input.issuedBy, expiresAt });
      if (plan) await fulfilComponents(tx, ctx, { id, clientId: input.clientId }, plan);
      await recordGrantEvent(tx, ctx, 'grant.issued', id, input.clientId);
      return (await grantAsClientSees(tx, ctx.config.publicUrl, ctx.secrets, id))!.grant;
    });
    return { grant, replayed: false, status: 201 };
  } catch (e) {
    if (e instanceof ComponentsUnavailable) {
      const names = e.products.map((p) => p.sku).join(', ');
      throw conflict('out_of_stock', `Bundle ${product.sku}: component ${names} has no available stock; nothing was issued.`, {
        product: product.id,
        component: e.products[0].id,
        components: e.products.map(productBrief),
      });
    }
    // a concurrent request with the same key or out_order_no committed first: answer as its replay
    if (!isUnique(e)) throw e;
    const again = await findReplay(ctx, input);
    if (again) return again;
    throw e;
  }
};
