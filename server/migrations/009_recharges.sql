-- Direct recharge (直充, DESIGN §11): one recharge order per direct-recharge grant, its attempts (one
-- customer_order_no at one supplier each; numbers run on across suppliers) and an append-only log of every
-- submit, callback, query and manual resolve. The states are those of recharge.machine.ts; the partial
-- indexes below name them because an index predicate cannot be derived at run time
-- (recharge.machine.test.ts checks that they agree with the machine).

CREATE TABLE recharge_orders (
  id               text PRIMARY KEY,                 -- rco_…
  grant_id         text NOT NULL UNIQUE,             -- one order per grant
  client_id        text,
  product_id       text NOT NULL,
  -- the platform account: AES-GCM under the PII key (context 'account:' || id), masked, keyed fingerprint
  account_enc      bytea NOT NULL,
  account_masked   text NOT NULL,
  account_fp       bytea NOT NULL,
  status           text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'succeeded', 'failed')),
  -- the next attempt number to hand out (attempt n has customer_order_no id || '-' || n)
  next_attempt_no  integer NOT NULL DEFAULT 1 CHECK (next_attempt_no >= 1),
  failure_code     text,
  failure_message  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX recharge_orders_status_idx ON recharge_orders (status, id DESC);
CREATE INDEX recharge_orders_account_idx ON recharge_orders (account_fp);
CREATE INDEX recharge_orders_product_idx ON recharge_orders (product_id, id DESC);

CREATE TABLE recharge_attempts (
  id                   text PRIMARY KEY,             -- rca_…
  order_id             text NOT NULL REFERENCES recharge_orders(id),
  attempt_no           integer NOT NULL CHECK (attempt_no >= 1),
  customer_order_no    text NOT NULL UNIQUE,         -- rco_…-N, what the supplier sees
  supplier_id          text NOT NULL,
  supplier_product_id  text NOT NULL,
  unit_cost_fen        bigint NOT NULL DEFAULT 0 CHECK (unit_cost_fen >= 0),
  state                text NOT NULL DEFAULT 'created'
                       CHECK (state IN ('created', 'submitting', 'accepted', 'unknown', 'succeeded', 'failed', 'rejected')),
  -- the supplier's order state while accepted: untreated | processing
  supplier_state       text,
  supplier_order_id    text,
  -- what the supplier charged (分), once known
  price_fen            bigint,
  -- how many times this customer_order_no was sent (a resubmission after repeated 2001 adds one)
  submits              integer NOT NULL DEFAULT 0,
  -- queries made so far (the poll schedule: 5 s, 10 s, 20 s, 40 s, then every 60 s)
  polls                integer NOT NULL DEFAULT 0,
  -- consecutive "no such order" (2001) answers since the first one, for the resubmission rule
  not_found_count      integer NOT NULL DEFAULT 0,
  not_found_since      timestamptz,
  result_code          integer,
  result_message       text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  submitted_at         timestamptz,
  finished_at          timestamptz,
  UNIQUE (order_id, attempt_no)
);
-- The last line of defence of "a recharge succeeds at most once per grant, across all suppliers".
CREATE UNIQUE INDEX recharge_attempts_one_success ON recharge_attempts (order_id) WHERE state = 'succeeded';
-- At most one live attempt per order: never submit elsewhere while an attempt may still succeed.
CREATE UNIQUE INDEX recharge_attempts_one_live ON recharge_attempts (order_id)
  WHERE state IN ('created', 'submitting', 'accepted', 'unknown');
CREATE INDEX recharge_attempts_supplier_idx ON recharge_attempts (supplier_id, created_at DESC);

-- Every exchange with a supplier about an attempt, and every manual resolve. No secrets: the account only
-- masked, never the signature. Callbacks whose customer_order_no is not ours are kept too (attempt NULL).
CREATE TABLE recharge_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id       text,
  attempt_id     text,
  supplier_id    text,
  kind           text NOT NULL CHECK (kind IN ('submit', 'callback', 'query', 'resolve', 'recover')),
  -- what came of it: accepted, rejected, unknown, found:<state>, not_found, ignored, applied …
  outcome        text NOT NULL,
  supplier_code  integer,
  detail         jsonb NOT NULL DEFAULT '{}'::jsonb,
  actor          text NOT NULL DEFAULT 'system',
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recharge_events_order_idx ON recharge_events (order_id, id);
CREATE INDEX recharge_events_attempt_idx ON recharge_events (attempt_id, id);

-- The grant side of a direct recharge: why it failed (shown to the client) and the masked account.
ALTER TABLE grants ADD COLUMN failure_code text;
ALTER TABLE grants ADD COLUMN failure_message text;
ALTER TABLE grants ADD COLUMN recipient_account_masked text;
