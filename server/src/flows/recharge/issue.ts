import type { AppContext } from '../../platform/context.ts';
import { AppError, conflict, fail, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { findProduct } from '../../modules/catalog/index.ts';
import { findClientGrant, grantAsClientSees, insertPendingGrant, type GrantIssuer, type GrantWithOwner } from '../../modules/grants/index.ts';
import { checkAccount, createRechargeOrder, maskAccount } from '../../modules/recharges/index.ts';
import type { RechargePorts } from './ports.ts';

// Issuing a direct recharge (POST /v1/grants on a `direct_recharge` product): in ONE transaction the
// pending grant, its recharge order, the first attempt, the job that submits it and the `grant.pending`
// event; answered 202. Idempotency works as for card codes: a replay answers the first response (202 and
// the grant as it is now) whatever the product or supplier state is now; another body under the same key
// is 409 idempotency_key_reused; an out_order_no of another request is 409 duplicate_out_order_no.

const isUnique = (e: unknown) => (e as { code?: string })?.code === '23505';

function replay(found: GrantWithOwner, requestHash: string, clash: 'idempotency_key_reused' | 'duplicate_out_order_no') {
  if (found.requestHash !== requestHash) {
    throw clash === 'idempotency_key_reused'
      ? conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { existing_grant_id: found.grant.id })
      : conflict('duplicate_out_order_no', `out_order_no ${found.grant.out_order_no} already belongs to grant ${found.grant.id}.`, { existing_grant_id: found.grant.id });
  }
  return { grant: found.grant, replayed: true, status: (found.kind === 'direct_recharge' ? 202 : 201) as 201 | 202 };
}

async function findReplay(ctx: AppContext, clientId: string, idempotencyKey: string, outOrderNo: string | null, requestHash: string) {
  const byKey = await findClientGrant(ctx.db, ctx.config.publicUrl, ctx.secrets, clientId, { idempotencyKey });
  if (byKey) return replay(byKey, requestHash, 'idempotency_key_reused');
  if (outOrderNo) {
    const byNo = await findClientGrant(ctx.db, ctx.config.publicUrl, ctx.secrets, clientId, { outOrderNo });
    if (byNo) return replay(byNo, requestHash, 'duplicate_out_order_no');
  }
  return null;
}

export function directRechargeIssuer(ports: RechargePorts): GrantIssuer {
  return async (ctx, input) => {
    const { body } = input;
    const outOrderNo = body.out_order_no ?? null;
    const earlier = await findReplay(ctx, input.clientId, input.idempotencyKey, outOrderNo, input.requestHash);
    if (earlier) return earlier;

    const product = await findProduct(ctx.db, body.product);
    if (!product) throw new AppError(404, 'product_not_found', 'Not found', `No product with sku or id ${body.product}.`);
    if (product.status !== 'active') throw conflict('product_inactive', `Product ${body.product} is ${product.status}.`);
    if (body.recipient.account === undefined) {
      throw validationFailed([{ field: 'recipient.account', message: 'a direct recharge needs the platform account to top up' }]);
    }
    const checked = checkAccount(product.platform, body.recipient.account);
    if (!checked.ok) throw validationFailed([{ field: 'recipient.account', message: checked.message }], `recipient.account ${checked.message}.`);
    if (body.expires_at) throw validationFailed([{ field: 'expires_at', message: 'a direct recharge does not expire: it is redeemed or fails' }]);
    const route = await ports.supplierRoute(ctx.db, product.id);
    if (route.length === 0) throw fail('recharge_no_supplier', `Product ${product.sku} has no supplier to recharge through.`);

    const id = newId('grt');
    try {
      const grant = await ctx.db.transaction().execute(async (tx) => {
        await insertPendingGrant(tx, ctx.secrets, {
          id,
          clientId: input.clientId,
          productId: product.id,
          externalId: body.recipient.external_id ?? null,
          phone: body.recipient.phone ?? null,
          email: body.recipient.email ?? null,
          accountMasked: maskAccount(checked.account),
          outOrderNo,
          idempotencyKey: input.idempotencyKey,
          requestHash: input.requestHash,
          metadata: body.metadata ?? {},
          issuedBy: input.issuedBy,
        });
        const first = route[0];
        await createRechargeOrder(tx, {
          grantId: id,
          clientId: input.clientId,
          productId: product.id,
          account: checked.account,
          secrets: ctx.secrets,
          first: { supplierId: first.supplierId, supplierProductId: first.supplierProductId, unitCostFen: first.unitCostFen },
        });
        const g = (await grantAsClientSees(tx, ctx.config.publicUrl, ctx.secrets, id))!;
        await ports.recordEvent(tx, { type: 'grant.pending', clientId: input.clientId, subjectId: id, data: g.grant });
        return g.grant;
      });
      return { grant, replayed: false, status: 202 };
    } catch (e) {
      // a concurrent request with the same key or out_order_no committed first: answer as its replay
      if (!isUnique(e)) throw e;
      const again = await findReplay(ctx, input.clientId, input.idempotencyKey, outOrderNo, input.requestHash);
      if (again) return again;
      throw e;
    }
  };
}
