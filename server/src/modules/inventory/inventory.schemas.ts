import { Type } from '@sinclair/typebox';
import { ListQuery } from '../../platform/http/schemas.ts';

// TypeBox schemas of the inventory admin API: validation, types and OpenAPI from one source.
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0 });

export const StockRow = Type.Object({
  product_id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  available: Count,
  reserved: Count,
  delivered: Count,
  expired: Count,
  voided: Count,
  total: Count,
  safety_stock: Count,
  below_safety_stock: Type.Boolean(),
});

export const StockQuery = Type.Object({ product: Type.Optional(Type.String({ maxLength: 100, description: 'sku or id' })) }, { additionalProperties: false });

export const Rejection = Type.Object({ line: Type.Integer(), reason: Type.String() });

export const Batch = Type.Object({
  id: Type.String(),
  product_id: Type.String(),
  supplier: Nullable(Type.String()),
  unit_cost: Type.Union([Type.Integer({ description: '分 per code' }), Type.Null()]),
  code_expires_at: Nullable(DateTime),
  source_name: Nullable(Type.String()),
  source_sha256: Nullable(Type.String()),
  status: Type.Union([Type.Literal('completed'), Type.Literal('voided')]),
  total_rows: Count,
  imported_count: Count,
  rejected_count: Count,
  voided_count: Count,
  imported_by: Type.String(),
  created_at: DateTime,
  voided_at: Nullable(DateTime),
});

export const BatchDetail = Type.Intersect([
  Batch,
  Type.Object({
    report: Type.Object({
      format: Type.Optional(Type.String()),
      rejected: Type.Array(Rejection, { description: 'the first 10,000 rejected rows' }),
      rejected_truncated: Type.Boolean(),
    }),
    codes: Type.Object({ available: Count, reserved: Count, delivered: Count, expired: Count, voided: Count }),
  }),
]);

export const BatchListQuery = Type.Object(
  { ...ListQuery, product: Type.Optional(Type.String({ maxLength: 100, description: 'sku or id' })) },
  { additionalProperties: false },
);

export const VoidResult = Type.Object({ batch: Batch, voided: Count });

export const ImportAccepted = Type.Object({
  job_id: Type.String(),
  status: Type.String(),
  batch_id: Type.String({ description: 'the batch the job will create' }),
});
