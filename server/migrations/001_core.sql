-- Core loop: catalog, encrypted card-code inventory, grants, clients, admin identity, audit, jobs.
-- Ids are prefixed text (prd_, bat_, grt_ …) except codes, which use a bigint identity: there are millions
-- of them, they never leave the server by id, and the claim index stays small.

-- Secrets the server needs at run time (fingerprint key, redeem-token key, PII key), each wrapped by the
-- master key. Re-wrapped by `quanyi keys rotate`.
CREATE TABLE server_secrets (
  name           text PRIMARY KEY,
  wrapped        bytea NOT NULL,
  master_key_id  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  id                  text PRIMARY KEY,
  sku                 text NOT NULL UNIQUE,
  name                text NOT NULL,
  platform            text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('card_code', 'direct_recharge', 'link')),
  period_unit         text CHECK (period_unit IN ('day', 'week', 'month', 'quarter', 'year')),
  period_count        integer CHECK (period_count > 0),
  renewal             boolean NOT NULL DEFAULT false,
  currency            text NOT NULL DEFAULT 'CNY',
  face_value          bigint NOT NULL DEFAULT 0 CHECK (face_value >= 0),
  cost                bigint NOT NULL DEFAULT 0 CHECK (cost >= 0),
  price               bigint NOT NULL DEFAULT 0 CHECK (price >= 0),
  validity_days       integer CHECK (validity_days > 0),
  safety_stock        integer NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'archived')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((period_unit IS NULL) = (period_count IS NULL))
);

CREATE TABLE batches (
  id              text PRIMARY KEY,
  product_id      text NOT NULL REFERENCES products(id),
  supplier        text,
  unit_cost       bigint CHECK (unit_cost >= 0),
  code_expires_at timestamptz,
  source_name     text,
  source_sha256   text,
  -- the batch data key, wrapped by the master key identified by master_key_id
  dek_wrapped     bytea NOT NULL,
  master_key_id   text NOT NULL,
  status          text NOT NULL DEFAULT 'completed' CHECK (status IN ('completed', 'voided')),
  total_rows      integer NOT NULL DEFAULT 0,
  imported_count  integer NOT NULL DEFAULT 0,
  rejected_count  integer NOT NULL DEFAULT 0,
  voided_count    integer NOT NULL DEFAULT 0,
  report          jsonb NOT NULL DEFAULT '{}'::jsonb,
  imported_by     text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  voided_at       timestamptz
);
CREATE INDEX batches_product_idx ON batches (product_id, created_at DESC);

CREATE TABLE codes (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  batch_id      text NOT NULL REFERENCES batches(id),
  product_id    text NOT NULL REFERENCES products(id),
  -- AES-256-GCM under the batch data key: iv(12) | tag(16) | ciphertext
  ciphertext    bytea NOT NULL,
  -- keyed HMAC-SHA256 of the normalised code: dedupe and lookup without the plaintext
  fingerprint   bytea NOT NULL UNIQUE,
  hint          text NOT NULL,
  source_line   integer NOT NULL,
  status        text NOT NULL DEFAULT 'available'
                CHECK (status IN ('available', 'reserved', 'delivered', 'expired', 'voided')),
  grant_id      text,
  expires_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- The claim index: only available codes, in the order they are handed out (earliest expiry first).
CREATE INDEX codes_claim_idx ON codes (product_id, expires_at, id) WHERE status = 'available';
CREATE INDEX codes_batch_idx ON codes (batch_id);
CREATE INDEX codes_product_status_idx ON codes (product_id, status);

-- Claims one available code of a product for a grant and returns its id (NULL when out of stock).
-- SET enable_seqscan = off pins the plan to codes_claim_idx: with one product holding all the stock the
-- planner otherwise picks a sequential scan that walks every already-claimed row (DESIGN §8).
CREATE FUNCTION quanyi_claim_code(p_product text, p_grant text) RETURNS bigint
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_id bigint;
BEGIN
  SELECT id INTO v_id FROM codes
   WHERE product_id = p_product AND status = 'available'
     AND (expires_at IS NULL OR expires_at > now())
   ORDER BY product_id, expires_at, id
   LIMIT 1
   FOR UPDATE SKIP LOCKED;
  IF v_id IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE codes SET status = 'reserved', grant_id = p_grant, updated_at = now() WHERE id = v_id;
  RETURN v_id;
END $$;

CREATE TABLE clients (
  id              text PRIMARY KEY,
  key_id          text NOT NULL UNIQUE,
  name            text NOT NULL,
  scopes          text[] NOT NULL,
  -- the signing secret, AES-GCM under the master key (HMAC verification needs the secret itself)
  secret_wrapped  bytea NOT NULL,
  master_key_id   text NOT NULL,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE grants (
  id                      text PRIMARY KEY,
  client_id               text REFERENCES clients(id),
  product_id              text NOT NULL REFERENCES products(id),
  status                  text NOT NULL CHECK (status IN ('pending', 'issued', 'redeemed', 'expired', 'voided', 'failed')),
  recipient_external_id   text,
  recipient_phone_enc     bytea,
  recipient_phone_masked  text,
  recipient_phone_fp      bytea,
  recipient_email         text,
  out_order_no            text,
  idempotency_key         text,
  request_hash            text,
  channel                 text,
  campaign                text,
  metadata                jsonb NOT NULL DEFAULT '{}'::jsonb,
  token_hash              bytea NOT NULL UNIQUE,
  code_id                 bigint,
  expires_at              timestamptz,
  reveal_count            integer NOT NULL DEFAULT 0,
  issued_by               text NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  redeemed_at             timestamptz,
  ended_at                timestamptz,
  end_reason              text
);
CREATE UNIQUE INDEX grants_client_idem_key ON grants (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX grants_client_out_order_no ON grants (client_id, out_order_no) WHERE out_order_no IS NOT NULL;
CREATE INDEX grants_expiry_idx ON grants (expires_at) WHERE status = 'issued';
CREATE INDEX grants_product_idx ON grants (product_id, id DESC);
CREATE INDEX grants_client_idx ON grants (client_id, id DESC);
CREATE INDEX grants_status_idx ON grants (status, id DESC);
CREATE INDEX grants_phone_idx ON grants (recipient_phone_fp) WHERE recipient_phone_fp IS NOT NULL;
CREATE INDEX grants_external_id_idx ON grants (recipient_external_id) WHERE recipient_external_id IS NOT NULL;

CREATE TABLE admin_users (
  id             text PRIMARY KEY,
  email          text NOT NULL UNIQUE,
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'operator', 'finance', 'auditor', 'support')),
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_login_at  timestamptz
);

CREATE TABLE admin_sessions (
  token_hash    bytea PRIMARY KEY,
  user_id       text NOT NULL REFERENCES admin_users(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ip            text,
  user_agent    text
);
CREATE INDEX admin_sessions_user_idx ON admin_sessions (user_id);

-- Append-only, hash-chained. The head row serialises appends so that every event links to exactly one
-- predecessor; the trigger refuses UPDATE and DELETE.
CREATE TABLE audit_events (
  seq          bigint PRIMARY KEY,
  created_at   timestamptz NOT NULL,
  actor        text NOT NULL,
  action       text NOT NULL,
  target       text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX audit_events_target_idx ON audit_events (target, seq);
CREATE INDEX audit_events_action_idx ON audit_events (action, seq);

CREATE TABLE audit_head (
  id    integer PRIMARY KEY CHECK (id = 1),
  seq   bigint NOT NULL,
  hash  text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

CREATE FUNCTION quanyi_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION quanyi_audit_append_only();

-- Durable jobs (outbox): written in the business transaction, claimed with SKIP LOCKED, retried with backoff.
CREATE TABLE jobs (
  id            text PRIMARY KEY,
  kind          text NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
  progress_done bigint NOT NULL DEFAULT 0,
  progress_total bigint,
  result        jsonb,
  last_error    text,
  attempts      integer NOT NULL DEFAULT 0,
  max_attempts  integer NOT NULL DEFAULT 5,
  run_at        timestamptz NOT NULL DEFAULT now(),
  locked_until  timestamptz,
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX jobs_ready_idx ON jobs (run_at) WHERE status IN ('queued', 'running');

-- Request nonces of signed client calls, kept for the clock-skew window (used when no Redis is configured).
CREATE TABLE api_nonces (
  client_id   text NOT NULL,
  nonce       text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (client_id, nonce)
);
CREATE INDEX api_nonces_expiry_idx ON api_nonces (expires_at);
