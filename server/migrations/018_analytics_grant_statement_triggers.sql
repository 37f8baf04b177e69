-- The grants' dashboard counters are kept by statement triggers over transition tables instead of the row
-- triggers of migration 016. A statement that writes many grants (a bulk insert, the expiry sweep, bulk
-- issuance) used to upsert the same counter row once per grant inside one transaction, and every update of a
-- row already updated in that transaction follows the row's growing version chain: quadratic — 60,000 grants
-- inserted in one statement took 73 s on PostgreSQL. Now each statement makes one upsert per counter key from
-- the rows it changed (`new_rows` / `old_rows`). The figures are defined once, in quanyi_analytics_grant_contrib
-- (migration 016), as before; the backfill is unchanged.
-- (PostgreSQL allows transition tables only without a column list, so the update trigger fires on every
-- UPDATE of grants and keeps the rows whose status changed.)
DROP TRIGGER analytics_grants_insert ON grants;
DROP TRIGGER analytics_grants_status ON grants;

CREATE FUNCTION quanyi_analytics_grants_insert_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_shard smallint := quanyi_analytics_shard();
BEGIN
  INSERT INTO analytics_grant_daily AS t (day, product_id, client_id, shard, issued, redeemed, cohort_redeemed, voided, expired, failed, revenue, cost)
  SELECT c.day, n.product_id, COALESCE(n.client_id, ''), v_shard, sum(c.issued), sum(c.redeemed), sum(c.cohort_redeemed),
         sum(c.voided), sum(c.expired), sum(c.failed), sum(c.revenue), sum(c.cost)
    FROM new_rows n,
         quanyi_analytics_grant_contrib(1, true, n.status, n.created_at, n.redeemed_at, n.ended_at, n.product_id, n.code_id) c
   GROUP BY c.day, n.product_id, COALESCE(n.client_id, '')
  ON CONFLICT (day, product_id, client_id, shard) DO UPDATE SET
    issued = t.issued + EXCLUDED.issued, redeemed = t.redeemed + EXCLUDED.redeemed,
    cohort_redeemed = t.cohort_redeemed + EXCLUDED.cohort_redeemed, voided = t.voided + EXCLUDED.voided,
    expired = t.expired + EXCLUDED.expired, failed = t.failed + EXCLUDED.failed,
    revenue = t.revenue + EXCLUDED.revenue, cost = t.cost + EXCLUDED.cost;
  INSERT INTO analytics_failure_daily AS t (day, source, reason, product_id, client_id, supplier_id, shard, n)
  SELECT quanyi_analytics_day(COALESCE(n.ended_at, n.created_at)), 'grant', COALESCE(n.failure_code, 'unknown'), n.product_id,
         COALESCE(n.client_id, ''), '', v_shard, count(*)
    FROM new_rows n
   WHERE n.status = 'failed'
   GROUP BY 1, 3, 4, 5
  ON CONFLICT (day, source, reason, product_id, client_id, supplier_id, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE FUNCTION quanyi_analytics_grants_update_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_shard smallint := quanyi_analytics_shard();
BEGIN
  -- the rows whose status changed: what they contributed before (subtracted) and contribute now (added)
  WITH changed AS (
    SELECT -1 AS sign, o.status, o.created_at, o.redeemed_at, o.ended_at, o.product_id, o.client_id, o.code_id
      FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.status IS DISTINCT FROM n.status
    UNION ALL
    SELECT 1, n.status, n.created_at, n.redeemed_at, n.ended_at, n.product_id, n.client_id, n.code_id
      FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.status IS DISTINCT FROM n.status
  )
  INSERT INTO analytics_grant_daily AS t (day, product_id, client_id, shard, issued, redeemed, cohort_redeemed, voided, expired, failed, revenue, cost)
  SELECT c.day, x.product_id, COALESCE(x.client_id, ''), v_shard, sum(c.issued), sum(c.redeemed), sum(c.cohort_redeemed),
         sum(c.voided), sum(c.expired), sum(c.failed), sum(c.revenue), sum(c.cost)
    FROM changed x,
         quanyi_analytics_grant_contrib(x.sign, false, x.status, x.created_at, x.redeemed_at, x.ended_at, x.product_id, x.code_id) c
   GROUP BY c.day, x.product_id, COALESCE(x.client_id, '')
  ON CONFLICT (day, product_id, client_id, shard) DO UPDATE SET
    issued = t.issued + EXCLUDED.issued, redeemed = t.redeemed + EXCLUDED.redeemed,
    cohort_redeemed = t.cohort_redeemed + EXCLUDED.cohort_redeemed, voided = t.voided + EXCLUDED.voided,
    expired = t.expired + EXCLUDED.expired, failed = t.failed + EXCLUDED.failed,
    revenue = t.revenue + EXCLUDED.revenue, cost = t.cost + EXCLUDED.cost;
  WITH changed AS (
    SELECT -1 AS sign, o.ended_at, o.created_at, o.failure_code, o.product_id, o.client_id
      FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.status IS DISTINCT FROM n.status AND o.status = 'failed'
    UNION ALL
    SELECT 1, n.ended_at, n.created_at, n.failure_code, n.product_id, n.client_id
      FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.status IS DISTINCT FROM n.status AND n.status = 'failed'
  )
  INSERT INTO analytics_failure_daily AS t (day, source, reason, product_id, client_id, supplier_id, shard, n)
  SELECT quanyi_analytics_day(COALESCE(x.ended_at, x.created_at)), 'grant', COALESCE(x.failure_code, 'unknown'), x.product_id,
         COALESCE(x.client_id, ''), '', v_shard, sum(x.sign)
    FROM changed x
   GROUP BY 1, 3, 4, 5
  ON CONFLICT (day, source, reason, product_id, client_id, supplier_id, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_grants_insert AFTER INSERT ON grants
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quanyi_analytics_grants_insert_trigger();
CREATE TRIGGER analytics_grants_status AFTER UPDATE ON grants
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quanyi_analytics_grants_update_trigger();
