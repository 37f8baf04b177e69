import type { AppContext } from '../../platform/context.ts';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { badRequest, conflict, gone, type FieldProblem } from '../../platform/errors.ts';
import { appendAudit } from '../../modules/audit/index.ts';
import { insertPick, packSpec } from '../../modules/bundles/index.ts';
import type { Product } from '../../modules/catalog/index.ts';
import { grantForToken } from '../../modules/grants/index.ts';
import { packRedeemView, TOKEN_PATTERN, TokenNotFound } from '../../modules/redeem/index.ts';
import { ComponentsUnavailable, fulfilComponents, planComponents, productBrief } from './fulfil.ts';

// POST /v1/redeem/{token}/pick: the recipient of a choice pack picks k of its n products. All or nothing in
// ONE transaction: the pick row (its primary key on the pack grant is the conditional write — of two
// concurrent picks exactly one commits; the other waits and then finds it), then every pick's code or
// recharge (fulfil.ts). A pick that ran out meanwhile → 409 choice_unavailable listing it; the transaction
// rolls back, so nothing is reserved and the pack can be picked again.

export interface PickBody {
  products: string[];
  account?: string;
}

export async function pickChoices(ctx: AppContext, token: string, body: PickBody, meta: { ip: string }) {
  if (!TOKEN_PATTERN.test(token)) throw new TokenNotFound();
  const g = await grantForToken(ctx.db, tokenHash(token));
  if (!g) throw new TokenNotFound();
  if (g.kind !== 'choice_pack') throw conflict('not_a_choice_pack', 'This entitlement is not a choice pack; there is nothing to pick.');
  if (g.status === 'voided') throw gone('grant_voided', 'This entitlement was cancelled by the issuer.');
  if (g.status === 'expired' || (g.expires_at !== null && new Date(g.expires_at) <= new Date())) throw gone('grant_expired', 'This entitlement has expired.');
  if (g.status !== 'issued') throw conflict('choice_already_picked', 'This choice pack has been picked and redeemed already.');

  const spec = await packSpec(ctx.db, g.product_id);
  const k = spec?.pickCount ?? 0;
  const options = spec?.components ?? [];
  const problems: FieldProblem[] = [];
  const picked: Product[] = [];
  const seen = new Set<string>();
  for (const [i, ref] of body.products.entries()) {
    const p = options.find((o) => o.id === ref || o.sku === ref);
    if (!p) problems.push({ field: `products[${i}]`, message: `${ref} is not an option of this pack` });
    else if (seen.has(p.id)) problems.push({ field: `products[${i}]`, message: `${p.sku} is picked twice` });
    else {
      seen.add(p.id);
      picked.push(p);
    }
  }
  if (body.products.length !== k) problems.push({ field: 'products', message: `pick exactly ${k} of the ${options.length} options` });
  if (problems.length) throw badRequest('choice_pick_invalid', problems.map((p) => `${p.field}: ${p.message}`).join('; ') + '.', problems);

  const plan = await planComponents(ctx.db, picked, body.account, 'account');
  try {
    await ctx.db.transaction().execute(async (tx) => {
      if (!(await insertPick(tx, g.id, picked.map((p) => p.id)))) throw conflict('choice_already_picked', 'This choice pack has been picked already.');
      await fulfilComponents(tx, ctx, { id: g.id, clientId: g.client_id }, plan);
      await appendAudit(tx, { actor: `public:${meta.ip}`, action: 'grant.pick', target: g.id, details: { products: picked.map((p) => p.sku) } });
    });
  } catch (e) {
    if (!(e instanceof ComponentsUnavailable)) throw e;
    throw conflict('choice_unavailable', `${e.products.map((p) => p.name).join(', ')} ran out while you chose; nothing was reserved. Pick another.`, {
      unavailable: e.products.map(productBrief),
    });
  }
  return { status: 'issued', ...(await packRedeemView(ctx.db, { id: g.id, kind: g.kind, product_id: g.product_id })) };
}
