import { Type, type Static } from '@sinclair/typebox';

// Event types a client can subscribe to (DESIGN §6); more arrive with new modules.
export const WEBHOOK_EVENT_TYPES = ['grant.issued', 'grant.pending', 'grant.redeemed', 'grant.failed', 'grant.expired', 'grant.voided'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const EventType = Type.Union(WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t)));
const Ts = Type.String({ format: 'date-time' });
const TsNull = Type.Union([Ts, Type.Null()]);

export const EndpointBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'absolute https:// (or http://) URL on a public address' }),
    events: Type.Optional(Type.Array(EventType, { maxItems: 50, uniqueItems: true, description: 'event types to receive; omitted or empty = all' })),
    description: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type EndpointBody = Static<typeof EndpointBody>;

export const EndpointPatch = Type.Object(
  {
    url: Type.Optional(EndpointBody.properties.url),
    events: Type.Optional(Type.Array(EventType, { maxItems: 50, uniqueItems: true })),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type EndpointPatch = Static<typeof EndpointPatch>;

export const RotateBody = Type.Object(
  { previous_valid_for_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86400, default: 86400, description: 'how long the old secret keeps signing (a second v1=)' })) },
  { additionalProperties: false },
);

export const Endpoint = Type.Object({
  id: Type.String(),
  client_id: Type.String(),
  url: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  events: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  disabled_reason: Type.Union([Type.String(), Type.Null()]),
  disabled_at: TsNull,
  previous_secret_expires_at: TsNull,
  created_at: Ts,
  updated_at: Ts,
});
export type Endpoint = Static<typeof Endpoint>;

export const EndpointWithSecret = Type.Composite([Endpoint, Type.Object({ secret: Type.String({ description: 'whsec_…: shown only now' }) })]);

export const Attempt = Type.Object({
  attempt: Type.Integer(),
  at: Ts,
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  duration_ms: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
});

export const Delivery = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  endpoint_id: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  next_at: TsNull,
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  resend_of: Type.Union([Type.String(), Type.Null()]),
  created_at: Ts,
  updated_at: Ts,
  finished_at: TsNull,
  attempt_log: Type.Optional(Type.Array(Attempt)),
});
export type Delivery = Static<typeof Delivery>;

export const WebhookEvent = Type.Object({
  id: Type.String(),
  client_id: Type.String(),
  type: Type.String(),
  subject_id: Type.Union([Type.String(), Type.Null()]),
  created_at: Ts,
  data: Type.Unknown(),
  deliveries: Type.Optional(Type.Array(Delivery)),
});
export type WebhookEvent = Static<typeof WebhookEvent>;

export const EventListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100, pattern: '^evt_[0-9a-z]{26}$' })),
    type: Type.Optional(EventType),
    subject_id: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type EventListQuery = Static<typeof EventListQuery>;

export const ResendBody = Type.Object(
  { endpoint_id: Type.Optional(Type.String({ maxLength: 100, description: 'only to this endpoint; default: every active endpoint subscribed to the type' })) },
  { additionalProperties: false },
);
