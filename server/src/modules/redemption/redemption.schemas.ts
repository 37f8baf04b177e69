import { Type, type Static } from '@sinclair/typebox';
import { MAX_RANDOM, MIN_RANDOM } from './redemption.code.ts';
import { redemptionGenerationMachine, redemptionSetMachine } from './redemption.machine.ts';

const MAX_GENERATE = 100_000;

export const SetCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    client_id: Type.String({ minLength: 1, maxLength: 100, description: 'the client system in whose name grants are issued (cli_…)' }),
    product: Type.String({ minLength: 1, maxLength: 100, description: 'product sku or id (any kind)' }),
    max_redemptions: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, default: 1, description: 'redemptions per code (1 = single-use)' })),
    per_user_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'claims per recipient across the set' })),
    starts_at: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    ends_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type SetCreate = Static<typeof SetCreate>;

export const RedemptionSet = Type.Object({
  id: Type.String({ description: 'rcs_…' }),
  name: Type.String(),
  client_id: Type.String(),
  product_id: Type.String(),
  max_redemptions: Type.Integer(),
  per_user_limit: Type.Integer(),
  starts_at: Type.String({ format: 'date-time' }),
  ends_at: Type.String({ format: 'date-time' }),
  status: Type.Union(redemptionSetMachine.states.map((s) => Type.Literal(s))),
  code_count: Type.Integer(),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

export const SetListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    client_id: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(Type.Union(redemptionSetMachine.states.map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);

export const GenerateBody = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: MAX_GENERATE }),
    length: Type.Optional(Type.Integer({ minimum: MIN_RANDOM, maximum: MAX_RANDOM, default: 12, description: 'random characters (a check character is added)' })),
    prefix: Type.Optional(Type.String({ maxLength: 8, pattern: '^[2-9A-HJKMNP-Za-hjkmnp-z]*$', description: 'from the code alphabet (no 0, O, 1, I, L)' })),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' })),
  },
  { additionalProperties: false },
);

export const Generation = Type.Object({
  id: Type.String({ description: 'rcg_…' }),
  set_id: Type.String(),
  count: Type.Integer(),
  length: Type.Integer(),
  prefix: Type.String(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]),
  status: Type.Union(redemptionGenerationMachine.states.map((s) => Type.Literal(s))),
  job_id: Type.String(),
  generated: Type.Integer({ description: 'codes written so far' }),
  error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  downloaded_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  expires_at: Type.String({ format: 'date-time', description: 'the plaintext list is purged then (or at its first download)' }),
  download_url: Type.Union([Type.String(), Type.Null()], { description: 'the one-time download, while available' }),
});

export const ImportBody = Type.Object(
  { content: Type.String({ minLength: 1, maxLength: 1_000_000, description: 'TXT (one code per line) or CSV (code in the first column; a header `code` is skipped)' }) },
  { additionalProperties: false },
);

export const ImportResult = Type.Object({
  imported: Type.Integer(),
  rejected: Type.Array(Type.Object({ row: Type.Integer(), reason: Type.String({ description: 'length | charset | check | duplicate_in_file | exists' }) })),
});

export const CodeRow = Type.Object({
  id: Type.Integer(),
  hint: Type.String({ description: 'masked' }),
  redeemed: Type.Integer(),
  max_redemptions: Type.Integer(),
  source: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

export const CodeListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })), cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })) },
  { additionalProperties: false },
);
