-- Bulk silent issuance (issue 7 §3): a run is one recipient list issued in one client's name; its rows are
-- the list, one per recipient, each with its own outcome. Recipients' phones and platform accounts are
-- sealed (AES-GCM under the server's PII key) with a masked copy for display; nothing else of them is secret.
CREATE TABLE bulk_runs (
  id              text PRIMARY KEY,                 -- blk_…
  client_id       text NOT NULL,                    -- grants are issued in this client's name
  product_id      text,                             -- the run's product; a row may name its own
  status          text NOT NULL,                    -- bulk.machine.ts
  notify          text CHECK (notify IN ('sms', 'email')),
  source          text NOT NULL CHECK (source IN ('upload', 'api')),
  source_name     text,
  total           integer NOT NULL DEFAULT 0,       -- rows read from the list
  valid           integer NOT NULL DEFAULT 0,       -- rows to issue
  rejected        integer NOT NULL DEFAULT 0,
  duplicates      integer NOT NULL DEFAULT 0,
  issued          integer NOT NULL DEFAULT 0,
  failed          integer NOT NULL DEFAULT 0,
  job_id          text,
  idempotency_key text,
  request_hash    text,
  error           text,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  CONSTRAINT bulk_runs_counts CHECK (issued + failed <= valid)
);
CREATE UNIQUE INDEX bulk_runs_client_idem ON bulk_runs (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX bulk_runs_created ON bulk_runs (id DESC);

CREATE TABLE bulk_rows (
  run_id          text NOT NULL REFERENCES bulk_runs(id) ON DELETE CASCADE,
  row_no          integer NOT NULL,                 -- 1-based line of the list (the header is line 1 of a file)
  status          text NOT NULL,                    -- pending | issued | failed | rejected | duplicate | cancelled
  product_id      text,
  external_id     text,
  phone_enc       bytea,
  phone_masked    text,
  email           text,
  account_enc     bytea,
  account_masked  text,
  out_order_no    text,
  grant_id        text,
  error_code      text,
  error           text,
  PRIMARY KEY (run_id, row_no)
);
-- the job walks the pending rows in order; finished rows drop out of this index
CREATE INDEX bulk_rows_pending ON bulk_rows (run_id, row_no) WHERE status = 'pending';

-- Claiming N codes of a product for N grants in one scan (bulk issuance's set-based path). Calling
-- quanyi_claim_code N times in one statement re-walks the partial index past every code the statement has
-- already claimed (they stay in the index until commit): O(N²) visits per statement. This takes the first N
-- available codes once (SKIP LOCKED, the plan pinned to the partial index as in quanyi_claim_code) and pairs
-- them with the grant ids in order. Fewer codes than grants: the last grants get none (out of stock).
CREATE FUNCTION quanyi_claim_codes(p_product text, p_grants text[]) RETURNS TABLE (grant_id text, code_id bigint)
LANGUAGE sql
SET enable_seqscan = off
SET enable_sort = off
SET enable_bitmapscan = off
AS $$
  WITH picked AS (
    SELECT s.id, row_number() OVER () AS n FROM (
      SELECT id FROM codes
       WHERE product_id = p_product AND status = 'available'
         AND (expires_at IS NULL OR expires_at > now())
       ORDER BY product_id, expires_at, id
       LIMIT cardinality(p_grants)
       FOR UPDATE SKIP LOCKED
    ) s
  ), wanted AS (
    SELECT u.gid, u.n FROM unnest(p_grants) WITH ORDINALITY AS u(gid, n)
  )
  UPDATE codes c SET status = 'reserved', grant_id = w.gid, updated_at = now()
    FROM picked p JOIN wanted w ON w.n = p.n
   WHERE c.id = p.id
  RETURNING w.gid, c.id
$$;
