-- Analytics (issue 6 §3): the dashboard's figures as counters kept exact by the database itself.
--
-- Why triggers, and why this one module's SQL names other modules' tables: every write path (the issuing
-- function, the one-statement recharge CTEs, the sweeper, imports, manual SQL) already ends in an INSERT or
-- UPDATE of grants, recharge_attempts or codes. A trigger on those tables cannot be bypassed by a new write
-- path and runs inside the writer's transaction, so the counters are exact at every commit and roll back with
-- it. This migration is the single documented exception to "a module's SQL names only its own tables"; the
-- analytics module's TypeScript reads only the analytics_* tables.
--
-- Why shards: a counter row per (day, product) would be a hot row that serialises issuance (DESIGN §8: a
-- single counter row caps throughput near 1,500/s). Each connection adds to the row of its own shard
-- (pg_backend_pid() % 16); pooled connections (8–16) rarely share one, so writers do not wait on each other.
-- Readers sum over shards.
--
-- Row-level triggers on grants and attempts (one or two upserts per issuance, plans cached per connection;
-- `WHEN (OLD.status IS DISTINCT FROM NEW.status)` keeps repeated reveals and polls out of them). A
-- statement-level trigger with transition tables on codes: an import stocks a million codes in a few
-- statements, and one upsert per product per statement is what keeps that fast.
--
-- Every figure is the sum of per-row contributions of a row's *current* state (see docs/dashboards.md):
--   grants:   issued (day of created_at); redeemed, revenue (product price), cost (the code's batch unit cost)
--             on the day of redeemed_at; voided / expired / failed on the day of ended_at; cohort_redeemed
--             (redeemed, counted on the day the grant was issued: the numerator of the redemption rate).
--   attempts: started (day of created_at); succeeded / failed / rejected, latency (submitted_at → finished_at)
--             on the day of finished_at; a succeeded attempt adds its unit cost to the grants' cost.
--   codes:    available now per product.
-- A trigger adds NEW's contribution and subtracts OLD's; quanyi_analytics_backfill() recomputes everything
-- from the rows (run below, so installing on a database with data is exact).

-- The day a timestamp falls on in China (Asia/Shanghai has had no daylight saving time since 1991: a fixed
-- offset, so the function may be IMMUTABLE).
CREATE FUNCTION quanyi_analytics_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ts AT TIME ZONE 'UTC' + interval '8 hours')::date $$;

CREATE FUNCTION quanyi_analytics_shard() RETURNS smallint
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$ SELECT (pg_backend_pid() % 16)::smallint $$;

-- client_id / supplier_id are '' when there is none (a key column cannot be NULL).
CREATE TABLE analytics_grant_daily (
  day              date NOT NULL,
  product_id       text NOT NULL,
  client_id        text NOT NULL,
  shard            smallint NOT NULL,
  issued           bigint NOT NULL DEFAULT 0,
  redeemed         bigint NOT NULL DEFAULT 0,
  cohort_redeemed  bigint NOT NULL DEFAULT 0,
  voided           bigint NOT NULL DEFAULT 0,
  expired          bigint NOT NULL DEFAULT 0,
  failed           bigint NOT NULL DEFAULT 0,
  revenue          bigint NOT NULL DEFAULT 0,
  cost             bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, product_id, client_id, shard)
);

CREATE TABLE analytics_attempt_daily (
  day             date NOT NULL,
  supplier_id     text NOT NULL,
  product_id      text NOT NULL,
  client_id       text NOT NULL,
  shard           smallint NOT NULL,
  started         bigint NOT NULL DEFAULT 0,
  succeeded       bigint NOT NULL DEFAULT 0,
  failed          bigint NOT NULL DEFAULT 0,
  rejected        bigint NOT NULL DEFAULT 0,
  latency_count   bigint NOT NULL DEFAULT 0,
  latency_sum_ms  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, supplier_id, product_id, client_id, shard)
);

-- Latency histogram of final attempts: bucket = width_bucket(ms, quanyi_analytics_latency_bounds()), 0..11.
CREATE TABLE analytics_attempt_latency (
  day          date NOT NULL,
  supplier_id  text NOT NULL,
  product_id   text NOT NULL,
  client_id    text NOT NULL,
  bucket       smallint NOT NULL,
  shard        smallint NOT NULL,
  n            bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, supplier_id, product_id, client_id, bucket, shard)
);

-- Failures by reason: source 'grant' (a failed grant's failure_code) or 'attempt' (a failed or rejected
-- attempt: '<state>:<supplier code>').
CREATE TABLE analytics_failure_daily (
  day          date NOT NULL,
  source       text NOT NULL CHECK (source IN ('grant', 'attempt')),
  reason       text NOT NULL,
  product_id   text NOT NULL,
  client_id    text NOT NULL,
  supplier_id  text NOT NULL,
  shard        smallint NOT NULL,
  n            bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, source, reason, product_id, client_id, supplier_id, shard)
);

-- Available codes per product. Counted from the status only: a code past its expiry counts until the sweeper
-- marks it expired (the claim already skips it).
CREATE TABLE analytics_stock (
  product_id  text NOT NULL,
  shard       smallint NOT NULL,
  available   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (product_id, shard)
);

-- Upper bounds (ms, exclusive) of the latency buckets; the last bucket is open.
CREATE FUNCTION quanyi_analytics_latency_bounds() RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[250, 500, 1000, 2000, 5000, 10000, 30000, 60000, 120000, 300000, 900000] $$;


-- ---------------------------------------------------------------------------------------------------------
-- Grants. What one grant row contributes, signed: the triggers add NEW and subtract OLD, the backfill sums it
-- over every row — one definition of each figure.
CREATE FUNCTION quanyi_analytics_grant_contrib(
  p_sign int, p_with_issued boolean, p_status text, p_created timestamptz, p_redeemed timestamptz, p_ended timestamptz,
  p_product text, p_code bigint
) RETURNS TABLE (day date, issued int, redeemed int, cohort_redeemed int, voided int, expired int, failed int, revenue bigint, cost bigint)
LANGUAGE sql STABLE AS $$
  SELECT quanyi_analytics_day(p_created), p_sign * p_with_issued::int, 0, p_sign * (p_status = 'redeemed')::int, 0, 0, 0, 0::bigint, 0::bigint
   WHERE p_with_issued OR p_status = 'redeemed'
  UNION ALL
  SELECT quanyi_analytics_day(CASE WHEN p_status = 'redeemed' THEN COALESCE(p_redeemed, p_ended, p_created) ELSE COALESCE(p_ended, p_created) END),
         0, p_sign * (p_status = 'redeemed')::int, 0, p_sign * (p_status = 'voided')::int, p_sign * (p_status = 'expired')::int,
         p_sign * (p_status = 'failed')::int,
         p_sign * CASE WHEN p_status = 'redeemed' THEN COALESCE((SELECT pr.price FROM products pr WHERE pr.id = p_product), 0) ELSE 0 END,
         p_sign * CASE WHEN p_status = 'redeemed' AND p_code IS NOT NULL
                       THEN COALESCE((SELECT b.unit_cost FROM codes c JOIN batches b ON b.id = c.batch_id WHERE c.id = p_code), 0) ELSE 0 END
   WHERE p_status IN ('redeemed', 'voided', 'expired', 'failed')
$$;

CREATE FUNCTION quanyi_analytics_grant_apply(p_sign int, p_with_issued boolean, g grants, p_shard smallint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_grant_daily AS t (day, product_id, client_id, shard, issued, redeemed, cohort_redeemed, voided, expired, failed, revenue, cost)
  SELECT c.day, g.product_id, COALESCE(g.client_id, ''), p_shard, sum(c.issued), sum(c.redeemed), sum(c.cohort_redeemed), sum(c.voided),
         sum(c.expired), sum(c.failed), sum(c.revenue), sum(c.cost)
    FROM quanyi_analytics_grant_contrib(p_sign, p_with_issued, g.status, g.created_at, g.redeemed_at, g.ended_at, g.product_id, g.code_id) c
   GROUP BY c.day
  ON CONFLICT (day, product_id, client_id, shard) DO UPDATE SET
    issued = t.issued + EXCLUDED.issued, redeemed = t.redeemed + EXCLUDED.redeemed,
    cohort_redeemed = t.cohort_redeemed + EXCLUDED.cohort_redeemed, voided = t.voided + EXCLUDED.voided,
    expired = t.expired + EXCLUDED.expired, failed = t.failed + EXCLUDED.failed,
    revenue = t.revenue + EXCLUDED.revenue, cost = t.cost + EXCLUDED.cost;
  IF g.status = 'failed' THEN
    INSERT INTO analytics_failure_daily AS t (day, source, reason, product_id, client_id, supplier_id, shard, n)
    VALUES (quanyi_analytics_day(COALESCE(g.ended_at, g.created_at)), 'grant', COALESCE(g.failure_code, 'unknown'), g.product_id,
            COALESCE(g.client_id, ''), '', p_shard, p_sign)
    ON CONFLICT (day, source, reason, product_id, client_id, supplier_id, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
  END IF;
END $$;

-- One row trigger for grants and attempts: subtract what OLD contributed, add what NEW contributes.
CREATE FUNCTION quanyi_analytics_row_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_shard smallint := quanyi_analytics_shard();
BEGIN
  IF TG_TABLE_NAME = 'grants' THEN
    IF TG_OP = 'UPDATE' THEN PERFORM quanyi_analytics_grant_apply(-1, false, OLD, v_shard); END IF;
    PERFORM quanyi_analytics_grant_apply(1, TG_OP = 'INSERT', NEW, v_shard);
  ELSE
    IF TG_OP = 'UPDATE' THEN PERFORM quanyi_analytics_attempt_apply(-1, false, OLD, v_shard); END IF;
    PERFORM quanyi_analytics_attempt_apply(1, TG_OP = 'INSERT', NEW, v_shard);
  END IF;
  RETURN NULL;
END $$;

-- ---------------------------------------------------------------------------------------------------------
-- Recharge attempts: started on the day it was created; its final state on the day it finished, with the
-- latency from submit to final (when it was submitted) and, for a success, its unit cost (the grants' cost).
CREATE FUNCTION quanyi_analytics_attempt_apply(p_sign int, p_with_started boolean, a recharge_attempts, p_shard smallint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  p_state text := a.state;
  p_created timestamptz := a.created_at;
  p_submitted timestamptz := a.submitted_at;
  p_finished timestamptz := a.finished_at;
  p_supplier text := a.supplier_id;
  v_product text;
  v_client text;
  v_final boolean := a.state IN ('succeeded', 'failed', 'rejected');
  v_day date := quanyi_analytics_day(COALESCE(a.finished_at, a.created_at));
  v_ms bigint;
BEGIN
  IF NOT p_with_started AND NOT v_final THEN
    RETURN;
  END IF;
  SELECT o.product_id, COALESCE(o.client_id, '') INTO v_product, v_client FROM recharge_orders o WHERE o.id = a.order_id;
  IF v_final AND p_submitted IS NOT NULL AND p_finished IS NOT NULL THEN
    v_ms := greatest(0, floor(extract(epoch FROM p_finished - p_submitted) * 1000))::bigint;
  END IF;
  IF p_with_started THEN
    INSERT INTO analytics_attempt_daily AS t (day, supplier_id, product_id, client_id, shard, started)
    VALUES (quanyi_analytics_day(p_created), p_supplier, v_product, v_client, p_shard, p_sign)
    ON CONFLICT (day, supplier_id, product_id, client_id, shard) DO UPDATE SET started = t.started + EXCLUDED.started;
  END IF;
  IF NOT v_final THEN
    RETURN;
  END IF;
  INSERT INTO analytics_attempt_daily AS t (day, supplier_id, product_id, client_id, shard, succeeded, failed, rejected, latency_count, latency_sum_ms)
  VALUES (v_day, p_supplier, v_product, v_client, p_shard, p_sign * (p_state = 'succeeded')::int, p_sign * (p_state = 'failed')::int,
          p_sign * (p_state = 'rejected')::int, p_sign * (v_ms IS NOT NULL)::int, p_sign * COALESCE(v_ms, 0))
  ON CONFLICT (day, supplier_id, product_id, client_id, shard) DO UPDATE SET
    succeeded = t.succeeded + EXCLUDED.succeeded, failed = t.failed + EXCLUDED.failed, rejected = t.rejected + EXCLUDED.rejected,
    latency_count = t.latency_count + EXCLUDED.latency_count, latency_sum_ms = t.latency_sum_ms + EXCLUDED.latency_sum_ms;
  IF v_ms IS NOT NULL THEN
    INSERT INTO analytics_attempt_latency AS t (day, supplier_id, product_id, client_id, bucket, shard, n)
    VALUES (v_day, p_supplier, v_product, v_client, width_bucket(v_ms, quanyi_analytics_latency_bounds()), p_shard, p_sign)
    ON CONFLICT (day, supplier_id, product_id, client_id, bucket, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
  END IF;
  IF p_state = 'succeeded' THEN
    INSERT INTO analytics_grant_daily AS t (day, product_id, client_id, shard, cost)
    VALUES (v_day, v_product, v_client, p_shard, p_sign * a.unit_cost_fen)
    ON CONFLICT (day, product_id, client_id, shard) DO UPDATE SET cost = t.cost + EXCLUDED.cost;
  ELSE
    INSERT INTO analytics_failure_daily AS t (day, source, reason, product_id, client_id, supplier_id, shard, n)
    VALUES (v_day, 'attempt', p_state || COALESCE(':' || a.result_code, ''), v_product, v_client, p_supplier, p_shard, p_sign)
    ON CONFLICT (day, source, reason, product_id, client_id, supplier_id, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
  END IF;
END $$;

CREATE TRIGGER analytics_grants_insert AFTER INSERT ON grants
  FOR EACH ROW EXECUTE FUNCTION quanyi_analytics_row_trigger();
CREATE TRIGGER analytics_grants_status AFTER UPDATE OF status ON grants
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION quanyi_analytics_row_trigger();
CREATE TRIGGER analytics_attempts_insert AFTER INSERT ON recharge_attempts
  FOR EACH ROW EXECUTE FUNCTION quanyi_analytics_row_trigger();
CREATE TRIGGER analytics_attempts_state AFTER UPDATE OF state ON recharge_attempts
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION quanyi_analytics_row_trigger();

-- ---------------------------------------------------------------------------------------------------------
-- Codes: available per product, per statement (see the top).
CREATE FUNCTION quanyi_analytics_codes_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_shard smallint := quanyi_analytics_shard();
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO analytics_stock AS t (product_id, shard, available)
    SELECT product_id, v_shard, count(*) FROM new_rows WHERE status = 'available' GROUP BY product_id
    ON CONFLICT (product_id, shard) DO UPDATE SET available = t.available + EXCLUDED.available;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO analytics_stock AS t (product_id, shard, available)
    SELECT product_id, v_shard, sum(d) FROM (
      SELECT product_id, 1 AS d FROM new_rows WHERE status = 'available'
      UNION ALL
      SELECT product_id, -1 FROM old_rows WHERE status = 'available'
    ) x GROUP BY product_id HAVING sum(d) <> 0
    ON CONFLICT (product_id, shard) DO UPDATE SET available = t.available + EXCLUDED.available;
  ELSE
    INSERT INTO analytics_stock AS t (product_id, shard, available)
    SELECT product_id, v_shard, -count(*) FROM old_rows WHERE status = 'available' GROUP BY product_id
    ON CONFLICT (product_id, shard) DO UPDATE SET available = t.available + EXCLUDED.available;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_codes_insert AFTER INSERT ON codes
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quanyi_analytics_codes_trigger();
CREATE TRIGGER analytics_codes_update AFTER UPDATE ON codes
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quanyi_analytics_codes_trigger();
CREATE TRIGGER analytics_codes_delete AFTER DELETE ON codes
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quanyi_analytics_codes_trigger();

-- ---------------------------------------------------------------------------------------------------------
-- Recomputes every counter from the rows (into shard 0), inside the caller's transaction. For an install on a
-- database with data (below), and for a bulk load that went around the triggers (the benchmark). Takes
-- SHARE locks on the source tables so no write slips between the count and the commit.
CREATE FUNCTION quanyi_analytics_backfill() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE grants, recharge_attempts, codes IN SHARE MODE;
  TRUNCATE analytics_grant_daily, analytics_attempt_daily, analytics_attempt_latency, analytics_failure_daily, analytics_stock;
  INSERT INTO analytics_grant_daily (day, product_id, client_id, shard, issued, redeemed, cohort_redeemed, voided, expired, failed, revenue, cost)
  SELECT c.day, g.product_id, COALESCE(g.client_id, ''), 0, sum(c.issued), sum(c.redeemed), sum(c.cohort_redeemed), sum(c.voided),
         sum(c.expired), sum(c.failed), sum(c.revenue), sum(c.cost)
    FROM grants g
   CROSS JOIN LATERAL quanyi_analytics_grant_contrib(1, true, g.status, g.created_at, g.redeemed_at, g.ended_at, g.product_id, g.code_id) c
   GROUP BY 1, 2, 3;
  INSERT INTO analytics_failure_daily (day, source, reason, product_id, client_id, supplier_id, shard, n)
  SELECT quanyi_analytics_day(COALESCE(ended_at, created_at)), 'grant', COALESCE(failure_code, 'unknown'), product_id, COALESCE(client_id, ''), '', 0, count(*)
    FROM grants WHERE status = 'failed' GROUP BY 1, 3, 4, 5;
  -- attempts are few next to grants: through the trigger's own function, row by row
  PERFORM quanyi_analytics_attempt_apply(1, true, a, 0::smallint) FROM recharge_attempts a;
  INSERT INTO analytics_stock (product_id, shard, available)
  SELECT product_id, 0, count(*) FROM codes WHERE status = 'available' GROUP BY product_id;
END $$;

SELECT quanyi_analytics_backfill();
