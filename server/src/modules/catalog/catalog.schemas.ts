import { Type, type Static } from '@sinclair/typebox';

export const Period = Type.Object(
  {
    unit: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('quarter'), Type.Literal('year')]),
    count: Type.Integer({ minimum: 1, maximum: 120 }),
  },
  { additionalProperties: false, description: 'How long the entitlement lasts, e.g. {unit: "month", count: 1}' },
);

const Money = Type.Integer({ minimum: 0, maximum: 100_000_000_00, description: 'minor units (分)' });

/** what POST /v1/admin/products creates; bundles and choice packs are made of these (modules/bundles) */
export const SimpleProductKind = Type.Union([Type.Literal('card_code'), Type.Literal('direct_recharge'), Type.Literal('link')]);
export const ProductKind = Type.Union([Type.Literal('card_code'), Type.Literal('direct_recharge'), Type.Literal('link'), Type.Literal('bundle'), Type.Literal('choice_pack')]);
export const ProductStatus = Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('archived')]);

export const AccountType = Type.Union([Type.Literal('mobile'), Type.Literal('qq'), Type.Literal('uid'), Type.Literal('email')], {
  description: 'mobile: 11-digit mainland mobile number; qq: QQ number (5–11 digits); uid: platform uid (starts with a letter); email',
});
const AccountTypes = Type.Array(AccountType, {
  minItems: 1,
  maxItems: 4,
  uniqueItems: true,
  description: 'direct recharge: which kinds of platform account the product takes (default mobile, uid)',
});

export const ProductCreate = Type.Object(
  {
    sku: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'your SKU code; letters, digits, . _ -' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    platform: Type.String({ minLength: 1, maxLength: 50, description: 'iqiyi, tencent_video, youku, mango_tv, bilibili …' }),
    kind: SimpleProductKind,
    period: Type.Optional(Type.Union([Period, Type.Null()])),
    renewal: Type.Optional(Type.Boolean({ description: 'true: first period of an auto-renewing subscription (连续包月首期)' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    face_value: Type.Optional(Money),
    cost: Type.Optional(Money),
    price: Type.Optional(Money),
    validity_days: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()])),
    safety_stock: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    account_types: Type.Optional(AccountTypes),
    status: Type.Optional(ProductStatus),
  },
  { additionalProperties: false },
);
export type ProductCreate = Static<typeof ProductCreate>;

export const ProductUpdate = Type.Partial(Type.Omit(ProductCreate, ['sku', 'kind']), { additionalProperties: false });
export type ProductUpdate = Static<typeof ProductUpdate>;

export const Product = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  platform: Type.String(),
  kind: ProductKind,
  period: Type.Union([Period, Type.Null()]),
  renewal: Type.Boolean(),
  currency: Type.String(),
  face_value: Type.Integer(),
  cost: Type.Integer(),
  price: Type.Integer(),
  validity_days: Type.Union([Type.Integer(), Type.Null()]),
  safety_stock: Type.Integer(),
  account_types: Type.Array(AccountType),
  status: ProductStatus,
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Product = Static<typeof Product>;
