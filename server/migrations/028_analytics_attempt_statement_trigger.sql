-- The recharge attempts' dashboard counters, on a change of state, are kept by a statement trigger over
-- transition tables instead of the row trigger of migration 016 — as migration 018 did for grants. Supplier
-- callbacks are now applied in batches (one statement moves up to 64 attempts); the row trigger made up to
-- three upserts per attempt, of the same few counter rows, and was the largest single cost of a batch
-- (measured: 2.2 ms of a 10.8 ms statement for 32 callbacks). Now each statement makes one upsert per counter
-- key from the rows whose state changed. The figures are those of quanyi_analytics_attempt_apply (migration
-- 016), which still serves the insert trigger and the backfill: an update counts only final states (started
-- is counted on insert), on the day the attempt finished, with its submit-to-final latency and, for a
-- success, its unit cost in the grants' cost.
DROP TRIGGER analytics_attempts_state ON recharge_attempts;

CREATE FUNCTION quanyi_analytics_attempts_update_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_shard smallint := quanyi_analytics_shard();
BEGIN
  -- one statement: what the rows whose state changed contributed before (subtracted) and contribute now
  -- (added) — only final states count on an update — then one upsert per counter key into each table
  WITH changes AS (
    SELECT x.sign, x.state, quanyi_analytics_day(COALESCE(x.finished_at, x.created_at)) AS day,
           CASE WHEN x.submitted_at IS NOT NULL AND x.finished_at IS NOT NULL
                THEN greatest(0, floor(extract(epoch FROM x.finished_at - x.submitted_at) * 1000))::bigint END AS ms,
           x.supplier_id, o.product_id, COALESCE(o.client_id, '') AS client_id, x.result_code, x.unit_cost_fen
      FROM (SELECT -1 AS sign, ol.* FROM old_rows ol JOIN new_rows n ON n.id = ol.id WHERE ol.state IS DISTINCT FROM n.state
            UNION ALL
            SELECT 1, n.* FROM new_rows n JOIN old_rows ol ON ol.id = n.id WHERE ol.state IS DISTINCT FROM n.state) x
      JOIN recharge_orders o ON o.id = x.order_id
     WHERE x.state IN ('succeeded', 'failed', 'rejected')
  ),
  daily AS (
    INSERT INTO analytics_attempt_daily AS t (day, supplier_id, product_id, client_id, shard, succeeded, failed, rejected, latency_count, latency_sum_ms)
    SELECT day, supplier_id, product_id, client_id, v_shard, sum(sign * (state = 'succeeded')::int), sum(sign * (state = 'failed')::int),
           sum(sign * (state = 'rejected')::int), sum(sign * (ms IS NOT NULL)::int), sum(sign * COALESCE(ms, 0))
      FROM changes
     GROUP BY day, supplier_id, product_id, client_id
    ON CONFLICT (day, supplier_id, product_id, client_id, shard) DO UPDATE SET
      succeeded = t.succeeded + EXCLUDED.succeeded, failed = t.failed + EXCLUDED.failed, rejected = t.rejected + EXCLUDED.rejected,
      latency_count = t.latency_count + EXCLUDED.latency_count, latency_sum_ms = t.latency_sum_ms + EXCLUDED.latency_sum_ms
  ),
  latency AS (
    INSERT INTO analytics_attempt_latency AS t (day, supplier_id, product_id, client_id, bucket, shard, n)
    SELECT day, supplier_id, product_id, client_id, width_bucket(ms, quanyi_analytics_latency_bounds()), v_shard, sum(sign)
      FROM changes
     WHERE ms IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (day, supplier_id, product_id, client_id, bucket, shard) DO UPDATE SET n = t.n + EXCLUDED.n
  ),
  cost AS (
    INSERT INTO analytics_grant_daily AS t (day, product_id, client_id, shard, cost)
    SELECT day, product_id, client_id, v_shard, sum(sign * unit_cost_fen)
      FROM changes
     WHERE state = 'succeeded'
     GROUP BY day, product_id, client_id
    ON CONFLICT (day, product_id, client_id, shard) DO UPDATE SET cost = t.cost + EXCLUDED.cost
  )
  INSERT INTO analytics_failure_daily AS t (day, source, reason, product_id, client_id, supplier_id, shard, n)
  SELECT day, 'attempt', state || COALESCE(':' || result_code, ''), product_id, client_id, supplier_id, v_shard, sum(sign)
    FROM changes
   WHERE state <> 'succeeded'
   GROUP BY 1, 3, 4, 5, 6
  ON CONFLICT (day, source, reason, product_id, client_id, supplier_id, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_attempts_state AFTER UPDATE ON recharge_attempts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quanyi_analytics_attempts_update_trigger();
