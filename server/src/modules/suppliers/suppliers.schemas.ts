import { Type, type Static } from '@sinclair/typebox';

// Admin API shapes of suppliers and of a product's supplier list. Credentials go in, never out: responses
// carry only a masked app_key and no secret at all.

/** printable text: no control characters (NUL, newlines) that would end up in logs and CSV exports */
const Text = (max: number, extra: Record<string, unknown> = {}) => Type.String({ minLength: 1, maxLength: max, pattern: '^[^\\u0000-\\u001f\\u007f]+$', ...extra });
const Fen = Type.Integer({ minimum: 0, maximum: 100_000_000_00, description: 'minor units (分)' });

export const SupplierStatus = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);

export const SupplierCreate = Type.Object(
  {
    name: Text(100, { description: 'unique; used by the CLI (`--suppliers NAME:…`)' }),
    adapter: Type.String({ minLength: 1, maxLength: 50, description: 'the protocol: fulu' }),
    endpoint: Type.String({ minLength: 1, maxLength: 2000, description: 'the supplier gateway, http(s)' }),
    app_key: Text(200),
    app_secret: Text(500, { description: 'stored encrypted; never returned' }),
    status: Type.Optional(SupplierStatus),
    low_balance_threshold: Type.Optional(Type.Union([Fen, Type.Null()], { description: 'alert when the balance falls below this (分)' })),
  },
  { additionalProperties: false },
);
export type SupplierCreate = Static<typeof SupplierCreate>;

export const SupplierUpdate = Type.Object(
  {
    name: Type.Optional(Text(100)),
    endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    app_key: Type.Optional(Text(200)),
    app_secret: Type.Optional(Text(500, { description: 'rotates the secret; never returned' })),
    status: Type.Optional(SupplierStatus),
    low_balance_threshold: Type.Optional(Type.Union([Fen, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SupplierUpdate = Static<typeof SupplierUpdate>;

export const CircuitView = Type.Object({
  state: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half_open')]),
  since: Type.String({ format: 'date-time' }),
  window: Type.Object({ calls: Type.Integer(), failures: Type.Integer(), window_seconds: Type.Integer() }),
  last_reasons: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), reason: Type.String() })),
  opened_count: Type.Integer(),
}, { description: 'per process: the state in the process that answered' });

export const Supplier = Type.Object({
  id: Type.String(),
  name: Type.String(),
  adapter: Type.String(),
  endpoint: Type.String(),
  app_key_hint: Type.String({ description: 'the app_key, masked' }),
  status: SupplierStatus,
  balance: Type.Union([Type.Integer(), Type.Null()], { description: 'last polled balance (分)' }),
  balance_checked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  low_balance_threshold: Type.Union([Type.Integer(), Type.Null()]),
  low_balance: Type.Boolean({ description: 'the balance is below the threshold (alert raised)' }),
  callback_url: Type.String({ description: 'configure this at the supplier' }),
  circuit: CircuitView,
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Supplier = Static<typeof Supplier>;

export const ProductSupplierInput = Type.Object(
  {
    supplier_id: Type.String({ minLength: 1, maxLength: 100, description: 'sup_… (or the supplier name)' }),
    supplier_product_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$', description: "the supplier's own product id" }),
    unit_cost: Fen,
  },
  { additionalProperties: false },
);
export type ProductSupplierInput = Static<typeof ProductSupplierInput>;

export const ProductSuppliersPut = Type.Object(
  { suppliers: Type.Array(ProductSupplierInput, { maxItems: 20, description: 'in failover order: the first is tried first' }) },
  { additionalProperties: false },
);

export const ProductSupplierEntry = Type.Object({
  position: Type.Integer(),
  supplier_id: Type.String(),
  supplier_name: Type.String(),
  supplier_status: SupplierStatus,
  supplier_product_id: Type.String(),
  unit_cost: Type.Integer(),
});

export const ProductSuppliers = Type.Object({ product_id: Type.String(), suppliers: Type.Array(ProductSupplierEntry) });
export type ProductSuppliers = Static<typeof ProductSuppliers>;
