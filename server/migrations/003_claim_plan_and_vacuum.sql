-- Pin the claim plan harder. Without statistics (an embedded database is never auto-analyzed; a large
-- import is not analyzed yet) the planner preferred codes_product_status_idx plus a Sort of every available
-- code of the product: O(stock) per claim. With sorts and bitmap scans off as well, the only plan left is
-- the ordered walk of codes_claim_idx that stops at the first unlocked row.
CREATE OR REPLACE FUNCTION quanyi_claim_code(p_product text, p_grant text) RETURNS bigint
LANGUAGE plpgsql
SET enable_seqscan = off
SET enable_sort = off
SET enable_bitmapscan = off
AS $$
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

-- Every claim leaves a dead entry in codes_claim_idx until VACUUM; the next claims step over them. Vacuum
-- the codes table after a fixed number of changes instead of a fraction of a (possibly huge) table.
ALTER TABLE codes SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
                       autovacuum_analyze_scale_factor = 0.02);
