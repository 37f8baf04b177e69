-- A bundle or choice pack is sold once: its parent grant carries the revenue (the pack's price). Its children
-- (grants.parent_grant_id, migration 022) are how it is fulfilled: they count as issued and redeemed grants of
-- their own products, and carry the cost of what they used (a card code's batch cost), but no revenue of their
-- own. Before this, a redeemed pack counted its own price and every child's price. The figures stay defined in
-- one place, quanyi_analytics_grant_contrib, now told whether the grant is a child; the counters are recomputed.

CREATE FUNCTION quanyi_analytics_grant_contrib(
  p_sign int, p_with_issued boolean, p_status text, p_created timestamptz, p_redeemed timestamptz, p_ended timestamptz,
  p_product text, p_code bigint, p_child boolean
) RETURNS TABLE (day date, issued int, redeemed int, cohort_redeemed int, voided int, expired int, failed int, revenue bigint, cost bigint)
LANGUAGE sql STABLE AS $$
  SELECT quanyi_analytics_day(p_created), p_sign * p_with_issued::int, 0, p_sign * (p_status = 'redeemed')::int, 0, 0, 0, 0::bigint, 0::bigint
   WHERE p_with_issued OR p_status = 'redeemed'
  UNION ALL
  SELECT quanyi_analytics_day(CASE WHEN p_status = 'redeemed' THEN COALESCE(p_redeemed, p_ended, p_created) ELSE COALESCE(p_ended, p_created) END),
         0, p_sign * (p_status = 'redeemed')::int, 0, p_sign * (p_status = 'voided')::int, p_sign * (p_status = 'expired')::int,
         p_sign * (p_status = 'failed')::int,
         p_sign * CASE WHEN p_status = 'redeemed' AND NOT p_child THEN COALESCE((SELECT pr.price FROM products pr WHERE pr.id = p_product), 0) ELSE 0 END,
         p_sign * CASE WHEN p_status = 'redeemed' AND p_code IS NOT NULL
                       THEN COALESCE((SELECT b.unit_cost FROM codes c JOIN batches b ON b.id = c.batch_id WHERE c.id = p_code), 0) ELSE 0 END
   WHERE p_status IN ('redeemed', 'voided', 'expired', 'failed')
$$;

-- the old signature (no caller left in the migrations below) answers as for a grant that is not a child
CREATE OR REPLACE FUNCTION quanyi_analytics_grant_contrib(
  p_sign int, p_with_issued boolean, p_status text, p_created timestamptz, p_redeemed timestamptz, p_ended timestamptz,
  p_product text, p_code bigint
) RETURNS TABLE (day date, issued int, redeemed int, cohort_redeemed int, voided int, expired int, failed int, revenue bigint, cost bigint)
LANGUAGE sql STABLE AS $$
  SELECT * FROM quanyi_analytics_grant_contrib(p_sign, p_with_issued, p_status, p_created, p_redeemed, p_ended, p_product, p_code, false)
$$;

CREATE OR REPLACE FUNCTION quanyi_analytics_grants_insert_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_shard smallint := quanyi_analytics_shard();
BEGIN
  INSERT INTO analytics_grant_daily AS t (day, product_id, client_id, shard, issued, redeemed, cohort_redeemed, voided, expired, failed, revenue, cost)
  SELECT c.day, n.product_id, COALESCE(n.client_id, ''), v_shard, sum(c.issued), sum(c.redeemed), sum(c.cohort_redeemed),
         sum(c.voided), sum(c.expired), sum(c.failed), sum(c.revenue), sum(c.cost)
    FROM new_rows n,
         quanyi_analytics_grant_contrib(1, true, n.status, n.created_at, n.redeemed_at, n.ended_at, n.product_id, n.code_id, n.parent_grant_id IS NOT NULL) c
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

CREATE OR REPLACE FUNCTION quanyi_analytics_grants_update_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_shard smallint := quanyi_analytics_shard();
BEGIN
  -- the rows whose status changed: what they contributed before (subtracted) and contribute now (added)
  WITH changed AS (
    SELECT -1 AS sign, o.status, o.created_at, o.redeemed_at, o.ended_at, o.product_id, o.client_id, o.code_id, o.parent_grant_id
      FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.status IS DISTINCT FROM n.status
    UNION ALL
    SELECT 1, n.status, n.created_at, n.redeemed_at, n.ended_at, n.product_id, n.client_id, n.code_id, n.parent_grant_id
      FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.status IS DISTINCT FROM n.status
  )
  INSERT INTO analytics_grant_daily AS t (day, product_id, client_id, shard, issued, redeemed, cohort_redeemed, voided, expired, failed, revenue, cost)
  SELECT c.day, x.product_id, COALESCE(x.client_id, ''), v_shard, sum(c.issued), sum(c.redeemed), sum(c.cohort_redeemed),
         sum(c.voided), sum(c.expired), sum(c.failed), sum(c.revenue), sum(c.cost)
    FROM changed x,
         quanyi_analytics_grant_contrib(x.sign, false, x.status, x.created_at, x.redeemed_at, x.ended_at, x.product_id, x.code_id, x.parent_grant_id IS NOT NULL) c
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

CREATE OR REPLACE FUNCTION quanyi_analytics_backfill() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE grants, recharge_attempts, codes IN SHARE MODE;
  TRUNCATE analytics_grant_daily, analytics_attempt_daily, analytics_attempt_latency, analytics_failure_daily, analytics_stock;
  INSERT INTO analytics_grant_daily (day, product_id, client_id, shard, issued, redeemed, cohort_redeemed, voided, expired, failed, revenue, cost)
  SELECT c.day, g.product_id, COALESCE(g.client_id, ''), 0, sum(c.issued), sum(c.redeemed), sum(c.cohort_redeemed), sum(c.voided),
         sum(c.expired), sum(c.failed), sum(c.revenue), sum(c.cost)
    FROM grants g
   CROSS JOIN LATERAL quanyi_analytics_grant_contrib(1, true, g.status, g.created_at, g.redeemed_at, g.ended_at, g.product_id, g.code_id, g.parent_grant_id IS NOT NULL) c
   GROUP BY 1, 2, 3;
  INSERT INTO analytics_failure_daily (day, source, reason, product_id, client_id, supplier_id, shard, n)
  SELECT quanyi_analytics_day(COALESCE(ended_at, created_at)), 'grant', COALESCE(failure_code, 'unknown'), product_id, COALESCE(client_id, ''), '', 0, count(*)
    FROM grants WHERE status = 'failed' GROUP BY 1, 3, 4, 5;
  -- attempts are few next to grants: through the trigger's own function, row by row
  PERFORM quanyi_analytics_attempt_apply(1, true, a, 0::smallint) FROM recharge_attempts a;
  INSERT INTO analytics_stock (product_id, shard, available)
  SELECT product_id, 0, count(*) FROM codes WHERE status = 'available' GROUP BY product_id;
END $$;

-- packs redeemed before this migration counted their children's prices: recount from the rows
SELECT quanyi_analytics_backfill();
