// THE table of stable error codes (DESIGN §6). A `code` is a contract with client developers: it never
// changes meaning. Every AppError names one of these; the OpenAPI document lists them all. Add a line here
// when a new expected failure appears — TypeScript refuses a code that is not in this table.
export const ERROR_CODES = {
  // request shape
  validation_failed: { status: 400, title: 'Validation failed', description: 'A field is missing or invalid; see errors[].' },
  invalid_json: { status: 400, title: 'Bad request', description: 'The body is not valid JSON.' },
  bad_request: { status: 400, title: 'Bad request', description: 'The request is malformed (URL, headers or body).' },
  idempotency_key_required: { status: 400, title: 'Bad request', description: 'POSTs need an Idempotency-Key header.' },
  invalid_file: { status: 400, title: 'Bad request', description: 'The uploaded file cannot be read.' },
  empty_file: { status: 400, title: 'Bad request', description: 'The uploaded file has no rows.' },
  wrong_product_kind: { status: 400, title: 'Bad request', description: 'The product kind does not allow this operation.' },
  already_expired: { status: 400, title: 'Bad request', description: 'The given expiry is in the past.' },
  unknown_adapter: { status: 400, title: 'Bad request', description: 'No supplier adapter has this name.' },
  unsupported_format: { status: 400, title: 'Bad request', description: 'The file format is not CSV, TXT or XLSX.' },
  webhook_url_invalid: { status: 400, title: 'Bad request', description: 'The webhook URL is not an absolute http(s) URL whose host resolves.' },
  webhook_url_private: { status: 400, title: 'Bad request', description: 'The webhook URL points at a loopback, private or link-local address.' },
  payload_too_large: { status: 413, title: 'Payload too large', description: 'The body or file exceeds the limit.' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type', description: 'Send application/json (or multipart/form-data for uploads).' },
  // authentication and authorisation
  missing_signature: { status: 401, title: 'Unauthorized', description: 'The signing headers are missing.' },
  invalid_timestamp: { status: 401, title: 'Unauthorized', description: 'X-Quanyi-Timestamp is not Unix seconds.' },
  timestamp_out_of_window: { status: 401, title: 'Unauthorized', description: 'X-Quanyi-Timestamp is more than 300 s off.' },
  invalid_nonce: { status: 401, title: 'Unauthorized', description: 'X-Quanyi-Nonce is not 16–128 printable characters.' },
  nonce_reused: { status: 401, title: 'Unauthorized', description: 'The nonce was used before.' },
  invalid_signature: { status: 401, title: 'Unauthorized', description: 'The signature does not match the request.' },
  client_disabled: { status: 401, title: 'Unauthorized', description: 'The client key is disabled.' },
  not_signed_in: { status: 401, title: 'Unauthorized', description: 'No valid admin session.' },
  invalid_credentials: { status: 401, title: 'Unauthorized', description: 'Wrong email or password.' },
  insufficient_scope: { status: 403, title: 'Forbidden', description: 'The client key lacks the scope.' },
  forbidden: { status: 403, title: 'Forbidden', description: 'The admin role lacks the permission, or the request is cross-site.' },
  // lookups
  not_found: { status: 404, title: 'Not found', description: 'No such resource (or not yours).' },
  product_not_found: { status: 404, title: 'Not found', description: 'No product with that sku or id.' },
  supplier_not_found: { status: 404, title: 'Not found', description: 'No supplier with that id or name.' },
  file_not_found: { status: 404, title: 'Not found', description: 'The file cannot be read.' },
  redeem_token_not_found: { status: 404, title: 'Not found', description: 'The redeem link is not valid.' },
  // business conflicts
  idempotency_key_reused: { status: 409, title: 'Conflict', description: 'The Idempotency-Key was used with another body.' },
  duplicate_out_order_no: { status: 409, title: 'Conflict', description: 'The out_order_no belongs to another grant.' },
  out_of_stock: { status: 409, title: 'Conflict', description: 'The product has no available codes.' },
  product_inactive: { status: 409, title: 'Conflict', description: 'The product is not active.' },
  product_not_stocked: { status: 409, title: 'Conflict', description: 'The product is not issued from stock.' },
  sku_taken: { status: 409, title: 'Conflict', description: 'Another product has this sku.' },
  supplier_name_taken: { status: 409, title: 'Conflict', description: 'Another supplier has this name.' },
  email_taken: { status: 409, title: 'Conflict', description: 'Another admin user has this email.' },
  batch_already_voided: { status: 409, title: 'Conflict', description: 'The batch is voided already.' },
  procurement_not_configured: { status: 409, title: 'Conflict', description: 'The product has no reorder quantity configured (procurement).' },
  procurement_no_supplier: { status: 409, title: 'Conflict', description: 'The product has no active supplier that can take a purchase order now.' },
  supplier_unavailable: { status: 502, title: 'Bad gateway', description: 'The supplier did not answer usably (timeout, network error, bad signature).' },
  grant_issued: { status: 409, title: 'Conflict', description: 'The grant is in a state that does not allow this.' },
  grant_pending: { status: 409, title: 'Conflict', description: 'The grant is still pending (a recharge in progress).' },
  grant_redeemed: { status: 409, title: 'Conflict', description: 'The grant is redeemed and cannot change.' },
  grant_expired: { status: 410, title: 'Gone', description: 'The entitlement expired.' },
  grant_voided: { status: 410, title: 'Gone', description: 'The entitlement was cancelled.' },
  grant_failed: { status: 410, title: 'Gone', description: 'The entitlement could not be fulfilled.' },
  // direct recharge (DESIGN §11)
  recharge_no_supplier: { status: 409, title: 'Conflict', description: 'The direct-recharge product has no supplier to recharge through.' },
  recharge_not_unknown: { status: 409, title: 'Conflict', description: 'Only an attempt in state unknown can be resolved by hand.' },
  invalid_callback_signature: { status: 401, title: 'Unauthorized', description: 'The supplier callback is not signed with the supplier\'s credentials.' },
  // failure.code of a failed direct-recharge grant (not an HTTP answer: what GET /v1/grants/{id} shows)
  recharge_account_invalid: { status: 410, title: 'Gone', description: 'The supplier refused the recharge account (4001).' },
  recharge_unavailable: { status: 410, title: 'Gone', description: 'Every supplier of the product declined the recharge.' },
  webhook_endpoint_disabled: { status: 409, title: 'Conflict', description: 'The webhook endpoint is disabled; enable it first.' },
  job_not_dead: { status: 409, title: 'Conflict', description: 'Only dead or failed jobs can be re-queued.' },
  // limits and availability
  rate_limited: { status: 429, title: 'Too many requests', description: 'Slow down; see Retry-After.' },
  internal_error: { status: 500, title: 'Internal error', description: 'A fault on our side; quote the request_id.' },
  grant_without_code: { status: 500, title: 'Internal error', description: 'A card-code grant has no code attached.' },
  code_unavailable: { status: 500, title: 'Internal error', description: 'The code of a grant is not available.' },
  service_unavailable: { status: 503, title: 'Service unavailable', description: 'A dependency (the database) is unavailable; retry after Retry-After.' },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
