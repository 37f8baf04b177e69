-- Campaign links (issue 7 §2): one public link where a visitor who verified a phone claims one grant, within
-- the campaign's budget, window and per-person limit. Module `campaigns`; the claim flow is
-- flows/campaign-claim. Counters move only by conditional UPDATEs (DESIGN §3.1): `used` against `budget`,
-- a claimant's `n` against the campaign's per_person_limit.
CREATE TABLE campaigns (
  id               text PRIMARY KEY,
  slug             text NOT NULL UNIQUE,
  name             text NOT NULL,
  client_id        text NOT NULL REFERENCES clients(id),
  product_id       text NOT NULL REFERENCES products(id),
  budget           integer NOT NULL CHECK (budget > 0),
  used             integer NOT NULL DEFAULT 0,
  per_person_limit integer NOT NULL DEFAULT 1 CHECK (per_person_limit > 0),
  starts_at        timestamptz NOT NULL,
  ends_at          timestamptz NOT NULL,
  status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'ended')),
  description      text NOT NULL DEFAULT '',
  instructions     text NOT NULL DEFAULT '',
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  -- the last line of defence behind the conditional UPDATE: a bug can never give more than the budget
  CONSTRAINT campaigns_used_within_budget CHECK (used >= 0 AND used <= budget),
  CONSTRAINT campaigns_window CHECK (ends_at > starts_at)
);

-- One row per (campaign, verified phone): `n` live claims (what the limit counts; a failed claim gives its
-- count back), `attempts` claims ever started (never goes down: it numbers the claims, so a claim's id, and
-- with it the grant's Idempotency-Key, is deterministic and never reused).
CREATE TABLE campaign_claimants (
  campaign_id       text NOT NULL REFERENCES campaigns(id),
  phone_fingerprint bytea NOT NULL,
  n                 integer NOT NULL CHECK (n >= 0),
  attempts          integer NOT NULL CHECK (attempts >= 1),
  PRIMARY KEY (campaign_id, phone_fingerprint)
);

CREATE TABLE campaign_claims (
  id                text PRIMARY KEY,
  campaign_id       text NOT NULL REFERENCES campaigns(id),
  phone_fingerprint bytea NOT NULL,
  seq               integer NOT NULL,
  phone_sealed      bytea NOT NULL,
  phone_masked      text NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'issued', 'failed')),
  grant_id          text,
  failure           text,
  ip                text,
  device_id         text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, phone_fingerprint, seq)
);
CREATE INDEX campaign_claims_phone_idx ON campaign_claims (campaign_id, phone_fingerprint, status);
CREATE INDEX campaign_claims_pending_idx ON campaign_claims (created_at) WHERE status = 'pending';
