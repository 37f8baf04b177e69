import { Type, type Static } from '@sinclair/typebox';

// TypeBox schemas of the bulk API: validation, types and OpenAPI from one source.
export const BulkRunStatus = Type.Union(['validating', 'ready', 'running', 'paused', 'completed', 'cancelled', 'failed'].map((s) => Type.Literal(s)));
export const BulkNotify = Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Null()], { description: 'a message to each recipient once their grant is issued (sms needs a phone, email an email)' });

export const BulkRun = Type.Object({
  id: Type.String({ description: 'blk_…' }),
  client_id: Type.String({ description: 'grants are issued in this client\'s name' }),
  product_id: Type.Union([Type.String(), Type.Null()], { description: 'the run\'s product; a row may name its own' }),
  status: BulkRunStatus,
  notify: BulkNotify,
  source: Type.Union([Type.Literal('upload'), Type.Literal('api')]),
  source_name: Type.Union([Type.String(), Type.Null()]),
  progress: Type.Object({
    total: Type.Integer({ description: 'rows in the list' }),
    valid: Type.Integer({ description: 'rows to issue' }),
    rejected: Type.Integer({ description: 'rows refused (see the report for each reason)' }),
    duplicates: Type.Integer({ description: 'rows repeating a recipient for the same product (not issued twice)' }),
    issued: Type.Integer(),
    failed: Type.Integer({ description: 'rows that could not be issued (out of stock, …)' }),
    done: Type.Integer({ description: 'issued + failed' }),
    remaining: Type.Integer(),
  }),
  job_id: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  started_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type BulkRun = Static<typeof BulkRun>;

// Row fields are plain strings here: a bad value rejects its row (reported), not the whole list.
const RowField = Type.Optional(Type.String({ maxLength: 256 }));
export const BulkRowInput = Type.Object(
  { phone: RowField, email: RowField, external_id: RowField, account: RowField, product: RowField, out_order_no: RowField },
  { additionalProperties: false },
);

export const CreateBulkBody = Type.Object(
  {
    product: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'product sku or id for rows that name none' })),
    notify: Type.Optional(BulkNotify),
    rows: Type.Array(BulkRowInput, { minItems: 1, maxItems: 5000, description: 'the recipients (at most 5,000 per request; upload a file in the console for more)' }),
  },
  { additionalProperties: false },
);
export type CreateBulkBody = Static<typeof CreateBulkBody>;

export const BulkListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(BulkRunStatus),
  },
  { additionalProperties: false },
);
export type BulkListQuery = Static<typeof BulkListQuery>;

export const ReportQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' })) }, { additionalProperties: false });
