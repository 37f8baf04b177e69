import { Type } from '@sinclair/typebox';

// The answers of the reconciliation routes (bills.ts builds them), so the OpenAPI document and the console's
// typed client know each field. Amounts in 分.
const Category = Type.Union(['matched', 'amount_differs', 'only_theirs', 'only_ours'].map((c) => Type.Literal(c)));
const StrNull = Type.Union([Type.String(), Type.Null()]);
const Totals = Type.Object({ count: Type.Integer(), their_fen: Type.Integer(), our_fen: Type.Integer() });

export const BillSummary = Type.Object({
  id: Type.String(),
  supplier_id: Type.String(),
  supplier_name: Type.String(),
  day: Type.String(),
  source: Type.Union([Type.Literal('upload'), Type.Literal('fetch')]),
  lines: Type.Integer(),
  replaced: Type.Boolean(),
});

export const ReconciliationReport = Type.Object({
  supplier_id: Type.String(),
  supplier_name: Type.String(),
  day: Type.String(),
  bill: Type.Object({ id: Type.String(), source: Type.String(), lines: Type.Integer(), imported_at: Type.String({ format: 'date-time' }), imported_by: Type.String() }),
  lines: Type.Array(
    Type.Object({
      category: Category,
      customer_order_no: Type.String(),
      supplier_order_id: StrNull,
      our_kind: Type.Union([Type.Literal('recharge'), Type.Literal('purchase'), Type.Null()]),
      our_id: StrNull,
      our_state: StrNull,
      their_state: StrNull,
      their_fen: Type.Integer(),
      our_fen: Type.Integer(),
      difference_fen: Type.Integer(),
      bill_line: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
  totals: Type.Object({ matched: Totals, amount_differs: Totals, only_theirs: Totals, only_ours: Totals, all: Totals }),
});
