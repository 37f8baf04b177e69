import { Type, type Static } from '@sinclair/typebox';
import { Product } from '../catalog/index.ts';
import { PHONE_PATTERN } from '../../platform/phone.ts';

export const GrantStatus = Type.Union(
  ['pending', 'issued', 'redeemed', 'expired', 'voided', 'failed'].map((s) => Type.Literal(s)),
);

export const Recipient = Type.Object(
  {
    external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'your user id' })),
    phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN, maxLength: 32, description: 'digits with an optional leading + and single spaces or dashes (+86 / 0086 before a mainland mobile is dropped); stored encrypted, shown masked' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'direct recharge: the platform account to top up (an 11-digit mobile number or a platform uid); stored encrypted, shown masked' })),
  },
  { additionalProperties: false, minProperties: 1, description: 'who receives it: at least one of external_id, phone, email (and account for a direct recharge)' },
);

export const IssueGrantBody = Type.Object(
  {
    product: Type.String({ minLength: 1, maxLength: 100, description: 'product sku or id (prd_…)' }),
    recipient: Recipient,
    out_order_no: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e]+$', description: 'your order number; unique per client' })),
    expires_at: Type.Optional(Type.String({ format: 'date-time', description: 'default: now + the product validity (or 365 days)' })),
    metadata: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean(), Type.Null()]), { maxProperties: 20 })),
  },
  { additionalProperties: false },
);
export type IssueGrantBody = Static<typeof IssueGrantBody>;

/** The product as a grant shows it: what it is, not what it costs. */
export const GrantProduct = Type.Pick(Product, ['id', 'sku', 'name', 'platform', 'kind', 'period', 'renewal']);

/** One component of a bundle or choice pack: its own grant, fulfilled and tracked on its own. */
export const GrantComponent = Type.Object({
  grant_id: Type.String({ description: 'the component grant (grt_…)' }),
  status: GrantStatus,
  product: GrantProduct,
  account: Type.Optional(Type.Union([Type.String({ description: 'direct recharge: the account, masked' }), Type.Null()])),
  failure: Type.Optional(Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()])),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  redeemed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  ended_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type GrantComponent = Static<typeof GrantComponent>;

export const Grant = Type.Object({
  id: Type.String({ description: 'grt_…' }),
  status: GrantStatus,
  product: GrantProduct,
  recipient: Type.Object({
    external_id: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String({ description: 'masked' }), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    account: Type.Optional(Type.Union([Type.String({ description: 'direct recharge: the account, masked' }), Type.Null()])),
  }),
  failure: Type.Optional(Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()], { description: 'why a direct recharge failed (status failed)' })),
  out_order_no: Type.Union([Type.String(), Type.Null()]),
  redeem_url: Type.Union([Type.String(), Type.Null()], { description: 'the link to hand to the recipient; only in answers to the client that issued the grant' }),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  redeemed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  ended_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  components: Type.Optional(Type.Array(GrantComponent, { description: 'bundle / choice pack: each component and its state (a choice pack: empty until the recipient picks)' })),
});
export type Grant = Static<typeof Grant>;

export const GrantListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    out_order_no: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(GrantStatus),
    product: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type GrantListQuery = Static<typeof GrantListQuery>;

export const VoidGrantBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);

/** The console's grant search (GET /v1/admin/grants); the grants export takes the same filter. */
export const AdminGrantFilter = Type.Object(
  {
    out_order_no: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(GrantStatus),
    product: Type.Optional(Type.String({ maxLength: 100, description: 'product sku or id' })),
    client: Type.Optional(Type.String({ maxLength: 100, description: 'the issuing client (cli_…)' })),
    external_id: Type.Optional(Type.String({ maxLength: 128 })),
    phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN, maxLength: 32, description: 'any spelling of the number; matched by its keyed fingerprint' })),
    created_from: Type.Optional(Type.String({ format: 'date-time', description: 'issued at or after' })),
    created_to: Type.Optional(Type.String({ format: 'date-time', description: 'issued before' })),
  },
  { additionalProperties: false },
);
export type AdminGrantFilter = Static<typeof AdminGrantFilter>;

export const AdminGrantQuery = Type.Composite([Type.Pick(GrantListQuery, ['limit', 'cursor']), AdminGrantFilter], { additionalProperties: false });
