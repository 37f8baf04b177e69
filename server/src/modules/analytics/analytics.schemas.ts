import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';

// The dashboard's query and answer shapes: validation, TS types and OpenAPI (the console's client is
// generated from it). Money is integer 分 (CNY). Days are Asia/Shanghai calendar days, inclusive.

const Day = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, an Asia/Shanghai day' });
const Count = Type.Integer({ minimum: 0 });
const Money = Type.Integer({ description: '分 (CNY minor units)' });
const Rate = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

const period = {
  from: Type.Optional({ ...Day, description: 'first day, inclusive (default: 29 days before `to`)' }),
  to: Type.Optional({ ...Day, description: 'last day, inclusive (default: today in Asia/Shanghai); at most 366 days after `from`' }),
};
const product = { product: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'product sku or id (prd_…)' })) };
const client = { client: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'client id; `none` for grants issued by admins' })) };
const supplier = { supplier: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'supplier id (sup_…)' })) };
const limit = { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) };

const query = <T extends TProperties>(props: T): TObject<T> => Type.Object(props, { additionalProperties: false });

/** summary, daily series, clients: grant figures (not per supplier) */
export const GrantFiguresQuery = query({ ...period, ...product, ...client });
export const TopProductsQuery = query({ ...period, ...client, ...limit });
export const ClientsQuery = query({ ...period, ...product, ...limit });
export const StockQuery = query({ ...product });
/** recharge per supplier and failures: attempts are per supplier */
export const RechargeFiguresQuery = query({ ...period, ...product, ...client, ...supplier });
export type FiguresQuery = Static<typeof RechargeFiguresQuery> & Static<typeof TopProductsQuery> & Static<typeof ClientsQuery>;

const Period = Type.Object({ from: Day, to: Day });

const GrantCounts = {
  issued: Type.Integer({ description: 'grants created on the day (every kind; direct recharges when accepted)' }),
  redeemed: Type.Integer({ description: 'grants redeemed on the day (card code revealed, recharge succeeded)' }),
  voided: Type.Integer(),
  expired: Type.Integer(),
  failed: Type.Integer({ description: 'direct recharges that failed on the day' }),
  revenue: { ...Money, description: 'product price of the grants redeemed on the day (分)' },
  cost: { ...Money, description: 'unit cost of what was delivered on the day: the redeemed code’s batch cost, the succeeded recharge attempt’s unit cost (分)' },
};

export const Summary = Type.Object({
  period: Period,
  ...GrantCounts,
  redeemed_of_issued: Type.Integer({ description: 'of the grants issued in the period, how many are redeemed now' }),
  redemption_rate: { ...Rate, description: '核销率 = redeemed_of_issued ÷ issued (grants issued in the period that are redeemed now); null when nothing was issued' },
  margin: { ...Money, description: 'revenue − cost' },
  currency: Type.Literal('CNY'),
});
export type Summary = Static<typeof Summary>;

export const DailySeries = Type.Object({
  period: Period,
  data: Type.Array(Type.Object({ day: Day, ...GrantCounts, redeemed_of_issued: Type.Integer() }), { description: 'one entry per day of the period, zeros included' }),
});

export const StockLevels = Type.Object({
  data: Type.Array(
    Type.Object({
      product_id: Type.String(),
      sku: Type.String(),
      name: Type.String(),
      status: Type.String(),
      available: Type.Integer({ description: 'codes available now (a code past its expiry counts until the sweeper marks it)' }),
      safety_stock: Count,
      below_safety_stock: Type.Boolean(),
      issued_last_7_days: Count,
      daily_rate: Type.Number({ description: 'average grants per day over the last 7 days (today included)' }),
      days_left: Type.Union([Type.Number(), Type.Null()], { description: '库存周转: available ÷ daily_rate; null when nothing was issued in 7 days' }),
    }),
  ),
});

export const TopProducts = Type.Object({
  period: Period,
  data: Type.Array(Type.Object({ product_id: Type.String(), sku: NullableString, name: NullableString, issued: Type.Integer(), redeemed: Type.Integer(), revenue: Money })),
});

export const ClientVolumes = Type.Object({
  period: Period,
  data: Type.Array(
    Type.Object({
      client_id: Type.Union([Type.String(), Type.Null()], { description: 'null: grants issued by admins (console, CLI)' }),
      name: NullableString,
      issued: Type.Integer(),
      redeemed: Type.Integer(),
      revenue: Money,
    }),
  ),
});

export const SupplierRecharges = Type.Object({
  period: Period,
  data: Type.Array(
    Type.Object({
      supplier_id: Type.String(),
      started: Type.Integer({ description: 'attempts created in the period' }),
      succeeded: Type.Integer({ description: 'attempts that ended in the period, by final state' }),
      failed: Type.Integer(),
      rejected: Type.Integer({ description: 'declined at submit (3001–3004, 5000, circuit open): no order was created' }),
      success_rate: { ...Rate, description: 'succeeded ÷ (succeeded + failed + rejected)' },
      latency: Type.Object({
        count: Type.Integer({ description: 'final attempts that had been submitted' }),
        avg_ms: Type.Union([Type.Number(), Type.Null()]),
        p50_ms: Type.Union([Type.Number(), Type.Null()], { description: 'estimate from a fixed histogram (bucket bounds 250 ms … 15 min), linear within a bucket' }),
        p95_ms: Type.Union([Type.Number(), Type.Null()]),
      }),
    }),
  ),
});

export const Failures = Type.Object({
  period: Period,
  data: Type.Array(
    Type.Object({
      source: Type.Union([Type.Literal('grant'), Type.Literal('attempt')], { description: 'grant: a failed grant’s failure code; attempt: a failed or rejected attempt, as <state>:<supplier code>' }),
      reason: Type.String(),
      count: Type.Integer(),
    }),
  ),
});
