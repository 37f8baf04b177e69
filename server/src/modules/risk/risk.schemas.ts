import { Type } from '@sinclair/typebox';
import { reviewMachine } from './risk.machine.ts';
import { DIMENSIONS, FACTS, MAX_WINDOW_SECONDS, SCOPE_TYPES } from './risk.rules.ts';

// TypeBox schemas of the risk admin API: validation, types and OpenAPI from one source. Cross-field rules
// (a limit needs a dimension, a threshold a known fact …) are checked by ruleProblems, also as 400 errors[].
const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));
const Action = lit(['deny', 'review'] as const);
const Op = lit(['eq', 'gte', 'lte'] as const);

const definition = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  action: Action,
  dimension: Type.Optional(lit(DIMENSIONS)),
  max: Type.Optional(Type.Integer({ minimum: 1, description: 'kind limit: claims allowed per value per window' })),
  window_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_WINDOW_SECONDS, description: 'kind limit: fixed window (3600 = per clock hour, 86400 = per UTC day)' })),
  review_above: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'kind limit: a soft threshold below max; claims above it go to review' })),
  fact: Type.Optional(Type.String({ maxLength: 100, description: `kind threshold: one of ${Object.keys(FACTS).join(', ')}` })),
  op: Type.Optional(Op),
  // not a union of integer and boolean: the validator coerces types, and would turn true into 1 (or 1 into
  // true); ruleProblems checks the value against the fact's type instead
  value: Type.Optional(Type.Unknown({ description: 'kind threshold: true / false for a boolean fact, an integer ≥ 0 for a numeric one' })),
};

export const RuleCreate = Type.Object(
  {
    scope_type: lit(SCOPE_TYPES),
    scope_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'the product, campaign or client id; none for global' })),
    kind: lit(['limit', 'threshold'] as const),
    ...definition,
  },
  { additionalProperties: false },
);

export const RulePatch = Type.Object(
  { ...Object.fromEntries(Object.entries(definition).map(([k, v]) => [k, Type.Optional(v)])), status: Type.Optional(lit(['active', 'disabled'] as const)) },
  { additionalProperties: false, minProperties: 1 },
);

export const Rule = Type.Object({
  id: Type.String({ description: 'rsk_…' }),
  scope_type: lit(SCOPE_TYPES),
  scope_id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  kind: lit(['limit', 'threshold'] as const),
  action: Action,
  dimension: Type.Union([lit(DIMENSIONS), Type.Null()]),
  max: Type.Union([Type.Integer(), Type.Null()]),
  window_seconds: Type.Union([Type.Integer(), Type.Null()]),
  review_above: Type.Union([Type.Integer(), Type.Null()]),
  fact: Type.Union([Type.String(), Type.Null()]),
  op: Type.Union([Op, Type.Null()]),
  value: Type.Union([Type.Integer(), Type.Boolean(), Type.Null()]),
  status: lit(['active', 'disabled'] as const),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const RuleQuery = Type.Object(
  { scope_type: Type.Optional(lit(SCOPE_TYPES)), scope_id: Type.Optional(Type.String({ maxLength: 100 })), status: Type.Optional(lit(['active', 'disabled'] as const)) },
  { additionalProperties: false },
);

export const BlacklistCreate = Type.Object(
  {
    kind: lit(['ip', 'phone'] as const),
    value: Type.String({ minLength: 1, maxLength: 64, description: 'ip: an address or CIDR range (IPv4 or IPv6); phone: a phone number (stored as a fingerprint, shown masked)' }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const BlacklistEntry = Type.Object({
  id: Type.String({ description: 'rbl_…' }),
  kind: lit(['ip', 'phone'] as const),
  value: Type.String({ description: 'the range, or the masked phone' }),
  note: Type.String(),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

export const Decide = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000, pattern: '\\S' }) }, { additionalProperties: false });

export const Review = Type.Object({
  id: Type.String({ description: 'rvw_…' }),
  subject_type: Type.String(),
  subject_ref: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  reason: Type.String({ description: 'why the claim was held' }),
  scope: Type.Record(Type.String(), Type.Unknown()),
  status: lit(reviewMachine.states),
  decided_by: Type.Union([Type.String(), Type.Null()]),
  decision_reason: Type.Union([Type.String(), Type.Null()]),
  decided_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const Decision = Type.Object({
  id: Type.String({ description: 'rdc_…' }),
  outcome: lit(['deny', 'review'] as const),
  code: Type.String(),
  reason: Type.String(),
  rule_id: Type.Union([Type.String(), Type.Null()]),
  scope: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
  phone_masked: Type.Union([Type.String(), Type.Null()]),
  device_hint: Type.Union([Type.String(), Type.Null()]),
  external_hint: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const FactList = Type.Object({ data: Type.Array(Type.Object({ name: Type.String(), type: lit(['boolean', 'integer'] as const), description: Type.String() })) });
