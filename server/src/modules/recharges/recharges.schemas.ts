import { Type } from '@sinclair/typebox';
import { ListQuery } from '../../platform/http/schemas.ts';

// What the admin API answers about recharge orders (recharges.views.ts builds it), so the OpenAPI document,
// and the console's typed client generated from it, know every field. Times are ISO strings or null.
const Ts = Type.String({ format: 'date-time' });
const TsNull = Type.Union([Ts, Type.Null()]);
const Str = Type.String();
const StrNull = Type.Union([Type.String(), Type.Null()]);
const IntNull = Type.Union([Type.Integer(), Type.Null()]);

export const RechargeOrderStatus = Type.Union([Type.Literal('processing'), Type.Literal('succeeded'), Type.Literal('failed')]);
const AttemptState = Type.Union(['created', 'submitting', 'accepted', 'unknown', 'succeeded', 'failed', 'rejected'].map((s) => Type.Literal(s)));

export const RechargeOrder = Type.Object({
  id: Str,
  grant_id: Str,
  client_id: StrNull,
  product_id: Str,
  account: Type.String({ description: 'masked' }),
  status: RechargeOrderStatus,
  failure: Type.Union([Type.Object({ code: Str, message: Str }), Type.Null()]),
  created_at: Ts,
  finished_at: TsNull,
});

export const RechargeAttempt = Type.Object({
  id: Str,
  attempt_no: Type.Integer(),
  customer_order_no: Str,
  supplier_id: Str,
  supplier_product_id: Str,
  unit_cost_fen: Type.Integer(),
  state: AttemptState,
  supplier_state: StrNull,
  supplier_order_id: StrNull,
  price_fen: IntNull,
  submits: Type.Integer(),
  polls: Type.Integer(),
  result_code: IntNull,
  result_message: StrNull,
  created_at: Ts,
  submitted_at: TsNull,
  finished_at: TsNull,
});

export const RechargeEvent = Type.Object({
  id: Type.Integer(),
  at: Ts,
  kind: Type.Union(['submit', 'callback', 'query', 'resolve', 'recover'].map((s) => Type.Literal(s))),
  attempt_id: StrNull,
  supplier_id: StrNull,
  outcome: Str,
  supplier_code: IntNull,
  actor: Str,
  detail: Type.Unknown({ description: 'facts of the event (never an account in full or a credential)' }),
});

export const RechargeOrderDetail = Type.Composite([RechargeOrder, Type.Object({ attempts: Type.Array(RechargeAttempt), events: Type.Array(RechargeEvent) })]);

export const RechargeListQuery = Type.Object(
  {
    ...ListQuery,
    status: Type.Optional(RechargeOrderStatus),
    product: Type.Optional(Type.String({ maxLength: 100, description: 'prd_… id' })),
    supplier: Type.Optional(Type.String({ maxLength: 100, description: 'sup_… id: orders with an attempt at this supplier' })),
    created_from: Type.Optional(Type.String({ format: 'date-time', description: 'created at or after' })),
    created_to: Type.Optional(Type.String({ format: 'date-time', description: 'created before' })),
  },
  { additionalProperties: false },
);
