-- Issue 7 §1, redemption codes (兑换码), module `redemption`. A set is a campaign of codes bound to one client
-- (grants are issued in its name, so grant idempotency (client_id, idempotency_key) protects every claim) and
-- one product of any kind. Codes are stored as keyed fingerprints plus a masked hint only; the plaintext list
-- exists once, sealed (AES-GCM), until its first download or 24 h.
CREATE TABLE redemption_sets (
  id               text PRIMARY KEY,                                 -- rcs_…
  name             text NOT NULL,
  client_id        text NOT NULL,
  product_id       text NOT NULL,
  max_redemptions  integer NOT NULL CHECK (max_redemptions >= 1),   -- per code (1 = single-use)
  per_user_limit   integer NOT NULL CHECK (per_user_limit >= 1),    -- per recipient across the set
  starts_at        timestamptz NOT NULL,
  ends_at          timestamptz NOT NULL CHECK (ends_at > starts_at),
  -- redemptionSetMachine (redemption.machine.ts)
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'voided')),
  code_count       integer NOT NULL DEFAULT 0,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX redemption_sets_client_idx ON redemption_sets (client_id, id DESC);

CREATE TABLE redemption_codes (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  set_id           text NOT NULL REFERENCES redemption_sets(id),
  fingerprint      bytea NOT NULL,                                   -- ServerSecrets.redemptionFingerprint
  hint             text NOT NULL,                                    -- masked: prefix…last 3
  max_redemptions  integer NOT NULL CHECK (max_redemptions >= 1),
  -- the counter: moved only by conditional UPDATEs (redeemed < max_redemptions / redeemed > 0)
  redeemed         integer NOT NULL DEFAULT 0 CHECK (redeemed >= 0 AND redeemed <= max_redemptions),
  source           text NOT NULL CHECK (source IN ('generated', 'imported')),
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX redemption_codes_fingerprint_idx ON redemption_codes (fingerprint);
CREATE INDEX redemption_codes_set_idx ON redemption_codes (set_id, id);

-- claims per recipient and set (the per-user limit): a conditional upsert moves `used`
CREATE TABLE redemption_user_counts (
  set_id    text NOT NULL REFERENCES redemption_sets(id),
  user_key  bytea NOT NULL,                                          -- keyed fingerprint of the recipient
  used      integer NOT NULL CHECK (used >= 0),
  -- claims given back (their grant could not be issued): used + 2 * failed grows with every change, so the
  -- pair (used, failed) a claim leaves behind is unique and seeds its deterministic id
  failed    integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
  PRIMARY KEY (set_id, user_key)
);

CREATE TABLE redemption_claims (
  id            text PRIMARY KEY,                                    -- rcl_… deterministic; the grant's Idempotency-Key
  set_id        text NOT NULL REFERENCES redemption_sets(id),
  code_id       bigint NOT NULL REFERENCES redemption_codes(id),
  user_key      bytea NOT NULL,
  client_id     text NOT NULL,
  channel       text NOT NULL CHECK (channel IN ('api', 'h5')),
  request_key   text,                                                -- the caller's Idempotency-Key (signed API)
  request_hash  text,
  recipient     bytea NOT NULL,                                      -- sealed JSON (holds a phone)
  -- redemptionClaimMachine
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  grant_id      text,
  failure_code  text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX redemption_claims_request_idx ON redemption_claims (client_id, request_key) WHERE request_key IS NOT NULL;
CREATE INDEX redemption_claims_code_idx ON redemption_claims (code_id, id DESC);

-- A generation (generate N) or import run, and its plaintext list: sealed chunks, each written in the same
-- transaction as the fingerprints of its codes (a retried job resumes after the last chunk).
CREATE TABLE redemption_generations (
  id             text PRIMARY KEY,                                   -- rcg_…
  set_id         text NOT NULL REFERENCES redemption_sets(id),
  count          integer NOT NULL CHECK (count >= 1),
  length         integer NOT NULL,
  prefix         text NOT NULL DEFAULT '',
  format         text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  job_id         text NOT NULL,
  -- redemptionGenerationMachine
  status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'downloaded', 'purged')),
  generated      integer NOT NULL DEFAULT 0,
  error          text,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  downloaded_at  timestamptz,
  expires_at     timestamptz NOT NULL                                -- the plaintext list is purged after
);
CREATE INDEX redemption_generations_set_idx ON redemption_generations (set_id, id DESC);
CREATE INDEX redemption_generations_expires_idx ON redemption_generations (expires_at) WHERE status IN ('succeeded', 'failed', 'queued', 'running');

CREATE TABLE redemption_generation_chunks (
  generation_id  text NOT NULL REFERENCES redemption_generations(id) ON DELETE CASCADE,
  seq            integer NOT NULL,
  sealed         bytea NOT NULL,                                     -- AES-GCM (ServerSecrets.sealPii), never plaintext
  PRIMARY KEY (generation_id, seq)
);
