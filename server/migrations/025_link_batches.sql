-- Link batches (issue 7 §2): N grants pre-issued without recipients, handed out as redeem links and QR
-- codes (flyers, partners, print). The links are bearer secrets and are NOT stored: the export regenerates
-- each from its grant id (ServerSecrets.redeemToken) on download.
CREATE TABLE link_batches (
  id           text PRIMARY KEY,                       -- lnb_…
  client_id    text NOT NULL,                          -- the client the grants belong to
  product_id   text NOT NULL,
  label        text NOT NULL,
  count        integer NOT NULL CHECK (count BETWEEN 1 AND 100000),
  issued       integer NOT NULL DEFAULT 0 CHECK (issued BETWEEN 0 AND count),
  expires_at   timestamptz,
  status       text NOT NULL DEFAULT 'issuing',        -- links.machine.ts: issuing → ready | failed
  error        text,
  job_id       text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE INDEX link_batches_created_idx ON link_batches (created_at DESC, id DESC);

-- one row per issued link: (batch, index) is the grant's business key, so a restarted job never issues twice
CREATE TABLE link_batch_items (
  batch_id  text NOT NULL REFERENCES link_batches(id),
  idx       integer NOT NULL,
  grant_id  text NOT NULL UNIQUE,
  expires_at timestamptz,                            -- the grant's, kept for the export (no read of grants)
  PRIMARY KEY (batch_id, idx)
);
