import { Type, type Static } from '@sinclair/typebox';
import { Product, ProductCreate } from '../catalog/index.ts';

const ComponentRefs = Type.Array(Type.String({ minLength: 1, maxLength: 100, description: 'product sku or id (prd_…)' }), {
  minItems: 2,
  maxItems: 20,
  description: 'the component products in order: existing card_code, direct_recharge or link products (no bundle inside a bundle)',
});
const PickCount = Type.Integer({ minimum: 1, maximum: 20, description: 'choice pack: how many of the components the recipient picks (k of n)' });

export const BundleKind = Type.Union([Type.Literal('bundle'), Type.Literal('choice_pack')]);

export const BundleCreate = Type.Composite(
  [
    Type.Omit(ProductCreate, ['kind', 'account_types']),
    Type.Object({ kind: BundleKind, components: ComponentRefs, pick_count: Type.Optional(PickCount) }),
  ],
  { additionalProperties: false },
);
export type BundleCreate = Static<typeof BundleCreate>;

export const ComponentsPut = Type.Object(
  { components: ComponentRefs, pick_count: Type.Optional(Type.Union([PickCount, Type.Null()])) },
  { additionalProperties: false },
);
export type ComponentsPut = Static<typeof ComponentsPut>;

export const BundleComponent = Type.Object({
  position: Type.Integer({ minimum: 1 }),
  product: Type.Pick(Product, ['id', 'sku', 'name', 'platform', 'kind', 'period', 'renewal', 'status']),
});

export const BundleView = Type.Object({
  product: Product,
  pick_count: Type.Union([Type.Integer(), Type.Null()], { description: 'choice pack: k of n; null for a bundle' }),
  components: Type.Array(BundleComponent),
});
export type BundleView = Static<typeof BundleView>;
