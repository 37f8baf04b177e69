-- Issue 7 §7, risk control (风控): rules per scope, blacklists, counters (PostgreSQL store, used when Redis is
-- not configured), the review queue and the log of deny / review decisions. No plaintext phone anywhere:
-- phones are keyed fingerprints (ServerSecrets.phoneFingerprint) and masked hints.

-- A rule applies to every claim of its scope: global (scope_id ''), a product, a campaign or a client.
-- kind limit: at most `max` claims per `dimension` value per fixed window of `window_seconds`
-- (review_above: more than that many in the window go to review). kind threshold: a fact the client system
-- passes must satisfy `op value` (phone_verified = true, account_age_days >= 7 …).
CREATE TABLE risk_rules (
  id             text PRIMARY KEY,                                  -- rsk_…
  scope_type     text NOT NULL CHECK (scope_type IN ('global', 'product', 'campaign', 'client')),
  scope_id       text NOT NULL DEFAULT '',
  name           text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('limit', 'threshold')),
  action         text NOT NULL CHECK (action IN ('deny', 'review')),
  dimension      text CHECK (dimension IN ('ip', 'device', 'phone', 'external_id')),
  max            integer CHECK (max >= 1),
  window_seconds integer CHECK (window_seconds BETWEEN 1 AND 31622400),
  review_above   integer CHECK (review_above >= 0),
  fact           text,
  op             text CHECK (op IN ('eq', 'gte', 'lte')),
  value          jsonb,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'limit' OR (dimension IS NOT NULL AND max IS NOT NULL AND window_seconds IS NOT NULL)),
  CHECK (kind <> 'threshold' OR (fact IS NOT NULL AND op IS NOT NULL AND value IS NOT NULL)),
  CHECK ((scope_type = 'global') = (scope_id = ''))
);
CREATE INDEX risk_rules_scope_idx ON risk_rules (scope_type, scope_id) WHERE status = 'active';

-- Blacklists: IP ranges (cidr, IPv4 and IPv6; a single address is a /32 or /128) and phones (fingerprint).
CREATE TABLE risk_blacklist (
  id          text PRIMARY KEY,                                     -- rbl_…
  kind        text NOT NULL CHECK (kind IN ('ip', 'phone')),
  ip_range    cidr,
  phone_fp    bytea,
  shown       text NOT NULL,                                        -- the range, or the masked phone
  note        text NOT NULL DEFAULT '',
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'ip') = (ip_range IS NOT NULL) AND (kind = 'phone') = (phone_fp IS NOT NULL))
);
CREATE UNIQUE INDEX risk_blacklist_ip_idx ON risk_blacklist (ip_range) WHERE kind = 'ip';
CREATE UNIQUE INDEX risk_blacklist_phone_idx ON risk_blacklist (phone_fp) WHERE kind = 'phone';

-- Counters of limit rules (fixed windows), changed only by the conditional upsert in risk.counters.ts.
-- key = rule id + dimension + a hash of the value (a phone by its keyed fingerprint).
CREATE TABLE risk_counters (
  key           text NOT NULL,
  window_start  bigint NOT NULL,                                    -- Unix seconds
  n             integer NOT NULL CHECK (n >= 0),
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX risk_counters_expiry_idx ON risk_counters (expires_at);

-- Reservations given back (releaseClaim is idempotent: a retried release gives the counts back once).
CREATE TABLE risk_releases (
  reservation_id text PRIMARY KEY,
  released_at    timestamptz NOT NULL DEFAULT now()
);

-- The review queue. status follows reviewMachine (risk.machine.ts): pending → approved | rejected.
CREATE TABLE risk_reviews (
  id              text PRIMARY KEY,                                 -- rvw_…
  subject_type    text NOT NULL,                                    -- whose handler finishes it (registerReviewHandler)
  subject_ref     text NOT NULL,
  payload         jsonb NOT NULL DEFAULT '{}'::jsonb,               -- no plaintext secrets (see submitForReview)
  reason          text NOT NULL,
  scope           jsonb NOT NULL DEFAULT '{}'::jsonb,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  decided_by      text,
  decision_reason text,
  decided_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subject_type, subject_ref)
);
CREATE INDEX risk_reviews_status_idx ON risk_reviews (status, id DESC);

-- Deny and review decisions, for the console (allows are not logged: the hot path). Masked, never a phone.
CREATE TABLE risk_decisions (
  id           text PRIMARY KEY,                                    -- rdc_…
  outcome      text NOT NULL CHECK (outcome IN ('deny', 'review')),
  code         text NOT NULL,
  reason       text NOT NULL,
  rule_id      text,
  scope        jsonb NOT NULL DEFAULT '{}'::jsonb,
  ip           text,
  phone_masked text,
  device_hint  text,
  external_hint text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_decisions_created_idx ON risk_decisions (created_at);
