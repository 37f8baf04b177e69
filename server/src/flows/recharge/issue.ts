import type { AppContext } from '../../platform/context.ts';
import { AppError, conflict, fail, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { sql } from 'kysely';
import { withCtes } from '../../platform/db/ctes.ts';
import { activeProductCte, findProduct, type ProductCteRow } from '../../modules/catalog/index.ts';
import { firstSupplierCte } from '../../modules/suppliers/index.ts';
import { nobodyListensCte } from '../../modules/webhooks/index.ts';
import { findClientGrant, grantAsClientSees, insertAwaitingGrant, insertPendingGrant, pendingGrantCte, pendingGrantView, type GrantIssuer, type GrantWithOwner, type IssuerInput, type PendingGrantInput } from '../../modules/grants/index.ts';
import type { Grant } from '../../modules/grants/index.ts';
import { accountCandidates, checkAccount, createRechargeOrder, maskAccount, newOrderCtes, type AccountType } from '../../modules/recharges/index.ts';
import type { RechargePorts } from './ports.ts';

// Issuing a direct recharge (POST /v1/grants on a `direct_recharge` product): in ONE transaction the
// pending grant, its recharge order, the first attempt, the job that submits it and the `grant.pending`
// event; answered 202. Idempotency works as for card codes: a replay answers the first response (202 and
// the grant as it is now) whatever the product or supplier state is now; another body under the same key
// is 409 idempotency_key_reused; an out_order_no of another request is 409 duplicate_out_order_no.

const isUnique = (e: unknown) => (e as { code?: string })?.code === '23505';

// Without `recipient.account` (links, QR codes, bulk lists) the grant is issued waiting for the account:
// 201, `grant.issued`, no recharge order; the recipient gives the account on the redeem link
// (flows/recharge/account.ts). Its replays answer 201 too, whatever it became since.
function replay(found: GrantWithOwner, requestHash: string, clash: 'idempotency_key_reused' | 'duplicate_out_order_no', firstStatus: 201 | 202) {
  if (found.requestHash !== requestHash) {
    throw clash === 'idempotency_key_reused'
      ? conflict('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { existing_grant_id: found.grant.id })
      : conflict('duplicate_out_order_no', `out_order_no ${found.grant.out_order_no} already belongs to grant ${found.grant.id}.`, { existing_grant_id: found.grant.id });
  }
  return { grant: found.grant, replayed: true, status: found.kind === 'direct_recharge' ? firstStatus : 201 };
}

async function findReplay(ctx: AppContext, clientId: string, idempotencyKey: string, outOrderNo: string | null, requestHash: string, firstStatus: 201 | 202) {
  const byKey = await findClientGrant(ctx.db, ctx.config.publicUrl, ctx.secrets, clientId, { idempotencyKey });
  if (byKey) return replay(byKey, requestHash, 'idempotency_key_reused', firstStatus);
  if (outOrderNo) {
    const byNo = await findClientGrant(ctx.db, ctx.config.publicUrl, ctx.secrets, clientId, { outOrderNo });
    if (byNo) return replay(byNo, requestHash, 'duplicate_out_order_no', firstStatus);
  }
  return null;
}

/**
 * The common case in ONE statement (DESIGN §8): the product (active, direct recharge), its first supplier,
 * the grant, the order, the first attempt and the job, composed from each module's own SQL. Answers null
 * when it wrote nothing — no such active product, no supplier, or a grant already holds the key or the
 * out_order_no (a unique violation) — and the careful path below then finds out which and answers it.
 * It writes nothing when the client listens for `grant.pending`: that event carries the grant as written and
 * joins the same transaction, which the careful path does (a cached "listens" skips this attempt altogether).
 */
async function acceptInOneStatement(ctx: AppContext, input: IssuerInput, grant: Omit<PendingGrantInput, 'productId'>, account: { account: string; types: AccountType[] }): Promise<Grant | null> {
  // the product must take the account as one of the kinds it can be (the careful path says why not)
  const product = activeProductCte('rc_product', input.body.product, 'direct_recharge', account.types);
  const supplier = firstSupplierCte('rc_supplier', sql`SELECT id FROM rc_product`);
  // nobody listens for grant.pending at this moment (the database's answer, not a cache's)
  const quiet = nobodyListensCte('rc_quiet', sql`${input.clientId}`, 'grant.pending');
  const g = pendingGrantCte('rc_grant', ctx.secrets, grant, { product: 'rc_product', when: sql`EXISTS (SELECT 1 FROM rc_supplier) AND EXISTS (SELECT 1 FROM rc_quiet)` });
  const order = newOrderCtes({ grant: 'rc_grant', supplier: 'rc_supplier', account: account.account, secrets: ctx.secrets });
  const stmt = withCtes<{ grant: Record<string, unknown>; product: ProductCteRow }>(
    [product, supplier, quiet, g, ...order.ctes],
    sql`SELECT to_jsonb(rc_grant.*) AS grant, to_jsonb(rc_product.*) AS product FROM rc_grant CROSS JOIN rc_product`,
  );
  try {
    const r = await stmt.execute(ctx.db);
    const row = r.rows[0];
    if (!row) return null;
    const written = { ...row.grant, created_at: new Date(String(row.grant.created_at)) };
    return pendingGrantView(ctx.config.publicUrl, ctx.secrets, written, row.product);
  } catch (e) {
    if (isUnique(e)) return null;
    throw e;
  }
}

export function directRechargeIssuer(ports: RechargePorts): GrantIssuer {
  return async (ctx, input) => {
    const { body } = input;
    const outOrderNo = body.out_order_no ?? null;
    const pendingGrant = (account: string | null, id: string): Omit<PendingGrantInput, 'productId'> => ({
      id,
      clientId: input.clientId,
      externalId: body.recipient.external_id ?? null,
      phone: body.recipient.phone ?? null,
      email: body.recipient.email ?? null,
      accountMasked: account === null ? '' : maskAccount(account),
      outOrderNo,
      idempotencyKey: input.idempotencyKey,
      requestHash: input.requestHash,
      metadata: body.metadata ?? {},
      issuedBy: input.issuedBy,
    });
    if (body.recipient.account !== undefined && !body.expires_at && !(await ports.wantsEvent(ctx.db, input.clientId, 'grant.pending'))) {
      const quick = accountCandidates(body.recipient.account);
      if (quick.types.length) {
        const grant = await acceptInOneStatement(ctx, input, pendingGrant(quick.account, newId('grt')), quick);
        if (grant) return { grant, replayed: false, status: 202 };
      }
    }

    const firstStatus = body.recipient.account === undefined ? 201 : 202;
    const earlier = await findReplay(ctx, input.clientId, input.idempotencyKey, outOrderNo, input.requestHash, firstStatus);
    if (earlier) return earlier;

    const product = await findProduct(ctx.db, body.product);
    if (!product) throw new AppError(404, 'product_not_found', 'Not found', `No product with sku or id ${body.product}.`);
    if (product.status !== 'active') throw conflict('product_inactive', `Product ${body.product} is ${product.status}.`);
    const route = await ports.supplierRoute(ctx.db, product.id);
    if (body.recipient.account === undefined) {
      if (route.length === 0) throw fail('recharge_no_supplier', `Product ${product.sku} has no supplier to recharge through.`);
      return issueAwaiting(ctx, ports, input, product, pendingGrant(null, newId('grt')));
    }
    const checked = checkAccount(product.account_types, body.recipient.account);
    if (!checked.ok) throw validationFailed([{ field: 'recipient.account', message: checked.message }], `recipient.account ${checked.message}.`);
    if (body.expires_at) throw validationFailed([{ field: 'expires_at', message: 'a direct recharge does not expire: it is redeemed or fails' }]);
    if (route.length === 0) throw fail('recharge_no_supplier', `Product ${product.sku} has no supplier to recharge through.`);

    const id = newId('grt');
    try {
      const grant = await ctx.db.transaction().execute(async (tx) => {
        await insertPendingGrant(tx, ctx.secrets, { ...pendingGrant(checked.account, id), productId: product.id });
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
      const again = await findReplay(ctx, input.clientId, input.idempotencyKey, outOrderNo, input.requestHash, firstStatus);
      if (again) return again;
      throw e;
    }
  };
}

/**
 * A direct recharge issued without an account: `issued`, waiting for the recipient to give it on the
 * redeem link, expiring like an unclaimed card code (default: the product's validity, else the configured
 * one). `grant.issued` is recorded in the same transaction.
 */
async function issueAwaiting(
  ctx: AppContext,
  ports: RechargePorts,
  input: IssuerInput,
  product: { id: string; validity_days: number | null },
  grant: Omit<PendingGrantInput, 'productId'>,
): Promise<{ grant: Grant; replayed: boolean; status: 201 }> {
  const days = product.validity_days ?? ctx.config.grantDefaultValidityDays;
  const expiresAt = input.body.expires_at ? new Date(input.body.expires_at) : new Date(Date.now() + days * 86_400_000);
  if (!(expiresAt.getTime() > Date.now())) throw validationFailed([{ field: 'expires_at', message: 'must be in the future' }]);
  const { accountMasked: _none, ...g } = grant;
  try {
    const written = await ctx.db.transaction().execute(async (tx) => {
      await insertAwaitingGrant(tx, ctx.secrets, { ...g, productId: product.id, expiresAt });
      const view = (await grantAsClientSees(tx, ctx.config.publicUrl, ctx.secrets, g.id))!;
      await ports.recordEvent(tx, { type: 'grant.issued', clientId: input.clientId, subjectId: g.id, data: view.grant });
      return view.grant;
    });
    return { grant: written, replayed: false, status: 201 };
  } catch (e) {
    if (!isUnique(e)) throw e;
    const again = await findReplay(ctx, input.clientId, input.idempotencyKey, g.outOrderNo, input.requestHash, 201);
    if (again) return again as { grant: Grant; replayed: boolean; status: 201 };
    throw e;
  }
}
