-- Webhooks to client systems (DESIGN §6). An event is written in the business transaction of the change it
-- reports (only when the client has an active endpoint for its type); a background fan-out turns it into
-- one delivery per subscribed endpoint, and each delivery is a job retried over about a day.
-- client_id carries no foreign key: the clients module owns that table.

CREATE TABLE webhook_endpoints (
  id                          text PRIMARY KEY,                      -- whe_…
  client_id                   text NOT NULL,
  url                         text NOT NULL,
  description                 text,
  -- event types this endpoint receives; empty = all of them
  events                      text[] NOT NULL DEFAULT '{}',
  -- the signing secret (whsec_…), wrapped by the master key like client secrets; never stored in the clear
  secret_wrapped              bytea NOT NULL,
  master_key_id               text NOT NULL,
  -- during a rotation the previous secret keeps signing (a second v1=) until it expires
  previous_secret_wrapped     bytea,
  previous_master_key_id      text,
  previous_secret_expires_at  timestamptz,
  status                      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
  disabled_reason             text,
  disabled_at                 timestamptz,
  -- registration is idempotent per client and Idempotency-Key
  idempotency_key             text,
  request_hash                text,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now()
);
-- what recordEvent's EXISTS probes on the issuance hot path
CREATE INDEX webhook_endpoints_active_idx ON webhook_endpoints (client_id) WHERE status = 'active';
CREATE INDEX webhook_endpoints_client_idx ON webhook_endpoints (client_id, id DESC);
CREATE UNIQUE INDEX webhook_endpoints_idem_key ON webhook_endpoints (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE webhook_events (
  id             text PRIMARY KEY,                                    -- evt_…, stable across retries and re-sends
  client_id      text NOT NULL,
  type           text NOT NULL,
  subject_id     text,
  -- a snapshot of the subject when the event happened (the grant as GET /v1/grants/{id} returned it)
  data           jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- set when the fan-out created its deliveries
  fanned_out_at  timestamptz
);
CREATE INDEX webhook_events_fanout_idx ON webhook_events (created_at, id) WHERE fanned_out_at IS NULL;
CREATE INDEX webhook_events_client_idx ON webhook_events (client_id, id DESC);
CREATE INDEX webhook_events_subject_idx ON webhook_events (subject_id) WHERE subject_id IS NOT NULL;

CREATE TABLE webhook_deliveries (
  id                text PRIMARY KEY,                                 -- whd_…
  event_id          text NOT NULL REFERENCES webhook_events(id),
  endpoint_id       text NOT NULL REFERENCES webhook_endpoints(id),
  client_id         text NOT NULL,
  -- webhookDeliveryMachine (webhooks.machine.ts)
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivering', 'retrying', 'succeeded', 'dead', 'cancelled')),
  attempts          integer NOT NULL DEFAULT 0,
  next_at           timestamptz,
  last_status_code  integer,
  last_error        text,
  -- a re-send is a new delivery of the same event; who asked for it
  resend_of         text,
  requested_by      text,
  -- a re-send through the client API is idempotent per event and Idempotency-Key
  idempotency_key   text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
-- the fan-out creates the first delivery of an event to an endpoint at most once
CREATE UNIQUE INDEX webhook_deliveries_first_idx ON webhook_deliveries (event_id, endpoint_id) WHERE resend_of IS NULL;
CREATE UNIQUE INDEX webhook_deliveries_resend_key ON webhook_deliveries (event_id, endpoint_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_open_idx ON webhook_deliveries (endpoint_id) WHERE status IN ('pending', 'delivering', 'retrying');

-- Every try of a delivery: when, the answer, how long. Never the secret, the signature or the body.
CREATE TABLE webhook_delivery_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  text NOT NULL REFERENCES webhook_deliveries(id),
  attempt      integer NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  status_code  integer,
  duration_ms  integer NOT NULL,
  error        text
);
CREATE INDEX webhook_delivery_attempts_delivery_idx ON webhook_delivery_attempts (delivery_id, id);
