-- A replay returns the first result whatever the stock, product or supplier state is now (issue 5 §4).
-- The issuing function now starts by serialising requests that carry the same Idempotency-Key (or the same
-- out_order_no) for a client — a transaction-scoped advisory lock — and returns the existing grant when
-- there is one, before it looks at the product or the stock. 50 parallel retries of the last code used to
-- give 1 × 201 and 49 × out_of_stock: the retries skipped the locked code and found no stock.
-- `outcome`: issued | replay_key | replay_order. No row: the product is missing, inactive, not stocked, or
-- out of stock (the caller says which).
DROP FUNCTION quanyi_issue_grant(text, text, text, text, bytea, text, bytea, text, text, text, text, jsonb, bytea, timestamptz, integer, text);

CREATE FUNCTION quanyi_issue_grant(
  p_id text, p_client_id text, p_product text, p_external_id text, p_phone_enc bytea, p_phone_masked text,
  p_phone_fp bytea, p_email text, p_out_order_no text, p_idempotency_key text, p_request_hash text,
  p_metadata jsonb, p_token_hash bytea, p_expires_at timestamptz, p_default_days integer, p_issued_by text
) RETURNS TABLE (
  id text, status text, product_id text, sku text, name text, platform text, kind text, period_unit text,
  period_count integer, renewal boolean, recipient_external_id text, recipient_phone_masked text,
  recipient_email text, out_order_no text, metadata jsonb, expires_at timestamptz, created_at timestamptz,
  redeemed_at timestamptz, ended_at timestamptz, client_id text, request_hash text, outcome text
) LANGUAGE plpgsql AS $$
DECLARE
  p products%ROWTYPE;
  v_code bigint;
  v_existing text;
  v_outcome text;
  g grants%ROWTYPE;
BEGIN
  IF p_client_id IS NOT NULL AND p_idempotency_key IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('grant-key:' || p_client_id || ':' || p_idempotency_key, 0));
    SELECT gr.id INTO v_existing FROM grants gr WHERE gr.client_id = p_client_id AND gr.idempotency_key = p_idempotency_key;
    v_outcome := 'replay_key';
  END IF;
  IF v_existing IS NULL AND p_client_id IS NOT NULL AND p_out_order_no IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('grant-order:' || p_client_id || ':' || p_out_order_no, 0));
    SELECT gr.id INTO v_existing FROM grants gr WHERE gr.client_id = p_client_id AND gr.out_order_no = p_out_order_no;
    v_outcome := 'replay_order';
  END IF;
  IF v_existing IS NOT NULL THEN
    SELECT * INTO g FROM grants gr WHERE gr.id = v_existing;
    SELECT * INTO p FROM products pr WHERE pr.id = g.product_id;
  ELSE
    SELECT * INTO p FROM products pr
     WHERE (pr.id = p_product OR pr.sku = p_product) AND pr.status = 'active' AND pr.kind IN ('card_code', 'link');
    IF NOT FOUND THEN
      RETURN;
    END IF;
    v_code := quanyi_claim_code(p.id, p_id);
    IF v_code IS NULL THEN
      RETURN;
    END IF;
    INSERT INTO grants AS gr (id, client_id, product_id, status, recipient_external_id, recipient_phone_enc,
                        recipient_phone_masked, recipient_phone_fp, recipient_email, out_order_no, idempotency_key,
                        request_hash, metadata, token_hash, code_id, expires_at, issued_by)
    VALUES (p_id, p_client_id, p.id, 'issued', p_external_id, p_phone_enc, p_phone_masked, p_phone_fp, p_email,
            p_out_order_no, p_idempotency_key, p_request_hash, p_metadata, p_token_hash, v_code,
            COALESCE(p_expires_at, now() + make_interval(days => COALESCE(p.validity_days, p_default_days))), p_issued_by)
    RETURNING * INTO g;
    v_outcome := 'issued';
  END IF;
  RETURN QUERY SELECT g.id, g.status, g.product_id, p.sku, p.name, p.platform, p.kind, p.period_unit,
                      p.period_count, p.renewal, g.recipient_external_id, g.recipient_phone_masked,
                      g.recipient_email, g.out_order_no, g.metadata, g.expires_at, g.created_at,
                      g.redeemed_at, g.ended_at, g.client_id, g.request_hash, v_outcome;
END $$;
