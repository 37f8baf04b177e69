import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../platform/context.ts';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { conflict } from '../../platform/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { packSpec, type PackSpec } from '../bundles/index.ts';
import { componentRows, recordGrantEvent, revealComponents } from '../grants/index.ts';
import { deliverCode, productsInStock, type CodeSecret } from '../inventory/index.ts';

// The redeem API of bundles and choice packs (issue 7 §5): what GET /v1/redeem/{token} adds for a pack
// (a choice pack's options with availability, each component's state) and the reveal of every card-code
// component. The pick itself reserves stock and writes recharge orders: flows/bundles/pick.ts.

const Brief = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  platform: Type.String(),
  kind: Type.String(),
  period: Type.Union([Type.Object({ unit: Type.String(), count: Type.Integer() }), Type.Null()]),
  renewal: Type.Boolean(),
});

export const PackComponentView = Type.Object({
  grant_id: Type.String(),
  product: Brief,
  status: Type.String({ description: 'issued (not revealed yet), redeemed, pending (a direct recharge on its way), failed, expired, voided' }),
  account: Type.Optional(Type.Union([Type.String({ description: 'direct recharge: the account, masked' }), Type.Null()])),
});

export const PackRedeemFields = {
  pick_count: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'choice pack: how many options to pick' })),
  picked: Type.Optional(Type.Boolean({ description: 'choice pack: whether the picks were made' })),
  options: Type.Optional(
    Type.Array(Type.Object({ product: Brief, available: Type.Boolean({ description: 'in stock (card codes, links) or recharging (direct recharge) right now' }) }), {
      description: 'choice pack: the products to pick from',
    }),
  ),
  components: Type.Optional(Type.Array(PackComponentView, { description: 'bundle, or a picked choice pack: each component and its state' })),
};

export const RevealedComponent = Type.Object({
  grant_id: Type.String(),
  product: Brief,
  status: Type.String(),
  card_number: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
});
export type RevealedComponent = Static<typeof RevealedComponent>;

type Brief = Static<typeof Brief>;
const brief = (p: { id: string; sku: string; name: string; platform: string; kind: string; period: { unit: string; count: number } | null; renewal: boolean }): Brief => ({
  id: p.id, sku: p.sku, name: p.name, platform: p.platform, kind: p.kind, period: p.period, renewal: p.renewal,
});

async function componentViews(db: Executor, parentId: string) {
  return (await componentRows(db, parentId)).map((r) => ({
    grant_id: r.id,
    product: brief({ id: r.product_id, sku: r.sku, name: r.name, platform: r.platform, kind: r.kind, period: r.period_unit ? { unit: r.period_unit, count: r.period_count! } : null, renewal: r.renewal }),
    status: r.status,
    ...(r.kind === 'direct_recharge' ? { account: r.recipient_account_masked ?? null } : {}),
  }));
}

/** Which options of a pack can be had now: card codes and links in stock, active direct recharges. */
export async function optionAvailability(db: Executor, spec: PackSpec) {
  const stocked = spec.components.filter((c) => c.kind !== 'direct_recharge').map((c) => c.id);
  const inStock = await productsInStock(db, stocked);
  return spec.components.map((c) => ({ product: brief(c), available: c.status === 'active' && (c.kind === 'direct_recharge' || inStock.has(c.id)) }));
}

/** The fields a pack adds to the redeem view (GET /v1/redeem/{token}, and the answer to a pick). */
export async function packRedeemView(db: Executor, grant: { id: string; kind: string; product_id: string }) {
  const components = await componentViews(db, grant.id);
  if (grant.kind !== 'choice_pack') return { components };
  const spec = await packSpec(db, grant.product_id);
  const picked = components.length > 0;
  return {
    pick_count: spec?.pickCount ?? null,
    picked,
    options: picked || !spec ? [] : await optionAvailability(db, spec),
    components,
  };
}

/**
 * Reveals every card-code and link component of a pack whose parent the caller just revealed (same
 * transaction): the first reveal redeems each, later ones count; each is audited, and its first reveal
 * sends `grant.redeemed`. A choice pack not picked yet is refused (the caller's transaction rolls back).
 */
export async function revealPack(tx: Tx, ctx: AppContext, parent: { id: string; kind: string }, meta: { ip: string }): Promise<{ components: RevealedComponent[] }> {
  const views = await componentViews(tx, parent.id);
  if (views.length === 0 && parent.kind === 'choice_pack') throw conflict('choice_not_picked', 'Pick the products of this choice pack first.');
  const revealed = new Map((await revealComponents(tx, parent.id)).map((r) => [r.id, r]));
  const out: RevealedComponent[] = [];
  for (const v of views) {
    const r = revealed.get(v.grant_id);
    if (!r) {
      out.push({ grant_id: v.grant_id, product: v.product, status: v.status });
      continue;
    }
    const code = await deliverCode(tx, r.code_id, ctx.keyring);
    await appendAudit(tx, { actor: `public:${meta.ip}`, action: 'grant.reveal', target: r.id, details: { parent: parent.id, reveal_count: r.reveal_count, first: r.reveal_count === 1, code_hint: code.hint } });
    if (r.reveal_count === 1) await recordGrantEvent(tx, ctx, 'grant.redeemed', r.id, r.client_id);
    out.push({ grant_id: v.grant_id, product: v.product, status: 'redeemed', ...(code.secret as CodeSecret) });
  }
  return { components: out };
}
