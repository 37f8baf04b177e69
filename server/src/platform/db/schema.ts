import type { ColumnType, Generated } from 'kysely';

// Kysely table types. Timestamps read as Date; bigint columns are parsed to number (see db.ts).
type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsNull = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T = Record<string, unknown>> = ColumnType<T, string | T | undefined, string | T>;

export interface ServerSecretsTable {
  name: string;
  wrapped: Uint8Array;
  master_key_id: string;
  created_at: Generated<Date>;
}

export interface ProductsTable {
  id: string;
  sku: string;
  name: string;
  platform: string;
  kind: 'card_code' | 'direct_recharge' | 'link';
  period_unit: 'day' | 'week' | 'month' | 'quarter' | 'year' | null;
  period_count: number | null;
  renewal: Generated<boolean>;
  currency: Generated<string>;
  face_value: Generated<number>;
  cost: Generated<number>;
  price: Generated<number>;
  validity_days: number | null;
  safety_stock: Generated<number>;
  /** direct recharge: the kinds of account the product takes (migration 014) */
  account_types: Generated<Array<'mobile' | 'qq' | 'uid' | 'email'>>;
  status: Generated<'active' | 'inactive' | 'archived'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface BatchesTable {
  id: string;
  product_id: string;
  supplier: string | null;
  unit_cost: number | null;
  code_expires_at: TsNull;
  source_name: string | null;
  source_sha256: string | null;
  dek_wrapped: Uint8Array;
  master_key_id: string;
  status: Generated<'importing' | 'completed' | 'voided'>;
  purchase_order_no: Generated<string | null>;
  total_rows: Generated<number>;
  imported_count: Generated<number>;
  rejected_count: Generated<number>;
  voided_count: Generated<number>;
  report: Json;
  imported_by: string;
  created_at: Generated<Date>;
  voided_at: TsNull;
}

export type CodeStatus = 'staged' | 'available' | 'reserved' | 'delivered' | 'expired' | 'voided';

export interface CodesTable {
  id: Generated<number>;
  batch_id: string;
  product_id: string;
  ciphertext: Uint8Array;
  fingerprint: Uint8Array;
  hint: string;
  source_line: number;
  status: Generated<CodeStatus>;
  grant_id: string | null;
  expires_at: TsNull;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ClientsTable {
  id: string;
  key_id: string;
  name: string;
  scopes: string[];
  secret_wrapped: Uint8Array;
  master_key_id: string;
  status: Generated<'active' | 'disabled'>;
  created_at: Generated<Date>;
}

export type GrantStatus = 'pending' | 'issued' | 'redeemed' | 'expired' | 'voided' | 'failed';

export interface GrantsTable {
  id: string;
  client_id: string | null;
  product_id: string;
  status: GrantStatus;
  recipient_external_id: string | null;
  recipient_phone_enc: Uint8Array | null;
  recipient_phone_masked: string | null;
  recipient_phone_fp: Uint8Array | null;
  recipient_email: string | null;
  out_order_no: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  channel: string | null;
  campaign: string | null;
  metadata: Json;
  token_hash: Uint8Array;
  code_id: number | null;
  expires_at: TsNull;
  reveal_count: Generated<number>;
  issued_by: string;
  created_at: Generated<Date>;
  redeemed_at: TsNull;
  ended_at: TsNull;
  end_reason: string | null;
  /** direct recharge: why it failed (recharge_account_invalid, recharge_unavailable) */
  failure_code: Generated<string | null>;
  failure_message: Generated<string | null>;
  /** direct recharge: the account, masked (the recharge order holds it encrypted) */
  recipient_account_masked: Generated<string | null>;
}

export type Role = 'admin' | 'operator' | 'finance' | 'auditor' | 'support';

export interface AdminUsersTable {
  id: string;
  email: string;
  password_hash: string;
  role: Role;
  status: Generated<'active' | 'disabled'>;
  created_at: Generated<Date>;
  last_login_at: TsNull;
  /** TOTP secret sealed under the keyring (migration 015); pending until totp_enabled_at is set */
  totp_secret_wrapped: Uint8Array | null;
  totp_master_key_id: string | null;
  totp_enabled_at: TsNull;
  /** time step of the last accepted code: that step and earlier ones are refused (no replay) */
  totp_last_step: number | null;
}

export interface AdminSessionsTable {
  token_hash: Uint8Array;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Ts;
  ip: string | null;
  user_agent: string | null;
  /** moved forward at most about once a minute; the idle timeout counts from it (migration 015) */
  last_seen_at: Generated<Date>;
}

export interface AuditEventsTable {
  seq: number;
  created_at: Ts;
  actor: string;
  action: string;
  target: string | null;
  details: Json;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'dead';

export interface JobsTable {
  id: string;
  kind: string;
  payload: Json;
  status: Generated<JobStatus>;
  progress_done: Generated<number>;
  progress_total: number | null;
  result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  last_error: string | null;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: Generated<Date>;
  locked_until: TsNull;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: TsNull;
  runs: Generated<number>;
  dedupe_key: string | null;
  note: string | null;
}

export interface ApiNoncesTable {
  client_id: string;
  nonce: string;
  expires_at: Ts;
}

export interface SuppliersTable {
  id: string;
  name: string;
  adapter: string;
  endpoint: string;
  app_key: string;
  app_secret_wrapped: Uint8Array;
  master_key_id: string;
  status: Generated<'active' | 'disabled'>;
  balance: number | null;
  balance_checked_at: TsNull;
  low_balance_threshold: number | null;
  low_balance_alerted: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProductSuppliersTable {
  product_id: string;
  position: number;
  supplier_id: string;
  supplier_product_id: string;
  unit_cost: number;
}

export type WebhookEndpointStatus = 'active' | 'disabled' | 'deleted';
export type WebhookDeliveryStatus = 'pending' | 'delivering' | 'retrying' | 'succeeded' | 'dead' | 'cancelled';

export interface WebhookEndpointsTable {
  id: string;
  client_id: string;
  url: string;
  description: string | null;
  events: Generated<string[]>;
  secret_wrapped: Uint8Array;
  master_key_id: string;
  previous_secret_wrapped: Uint8Array | null;
  previous_master_key_id: string | null;
  previous_secret_expires_at: TsNull;
  status: Generated<WebhookEndpointStatus>;
  disabled_reason: string | null;
  disabled_at: TsNull;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WebhookEventsTable {
  id: string;
  client_id: string;
  type: string;
  subject_id: string | null;
  data: Json;
  created_at: Generated<Date>;
  fanned_out_at: TsNull;
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  client_id: string;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  next_at: TsNull;
  last_status_code: number | null;
  last_error: string | null;
  resend_of: string | null;
  requested_by: string | null;
  idempotency_key: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: TsNull;
}

export interface WebhookDeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  at: Generated<Date>;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

export interface DB {
  server_secrets: ServerSecretsTable;
  products: ProductsTable;
  batches: BatchesTable;
  codes: CodesTable;
  clients: ClientsTable;
  grants: GrantsTable;
  admin_users: AdminUsersTable;
  admin_sessions: AdminSessionsTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  jobs: JobsTable;
  api_nonces: ApiNoncesTable;
  suppliers: SuppliersTable;
  product_suppliers: ProductSuppliersTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
}

// ---- bulk (issue 7 §3, migration 021): bulk silent issuance runs and their rows -------------------------
// Kept out of `DB` (the bulk module reads them with `withTables<BulkTables>()`), so merging stays one block.
export type BulkRunStatus = 'validating' | 'ready' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';
export type BulkRowStatus = 'pending' | 'issued' | 'failed' | 'rejected' | 'duplicate' | 'cancelled';

export interface BulkRunsTable {
  id: string;
  client_id: string;
  product_id: string | null;
  status: BulkRunStatus;
  notify: 'sms' | 'email' | null;
  source: 'upload' | 'api';
  source_name: string | null;
  total: Generated<number>;
  valid: Generated<number>;
  rejected: Generated<number>;
  duplicates: Generated<number>;
  issued: Generated<number>;
  failed: Generated<number>;
  job_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  error: string | null;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  started_at: TsNull;
  finished_at: TsNull;
}

export interface BulkRowsTable {
  run_id: string;
  row_no: number;
  status: BulkRowStatus;
  product_id: string | null;
  external_id: string | null;
  phone_enc: Uint8Array | null;
  phone_masked: string | null;
  email: string | null;
  account_enc: Uint8Array | null;
  account_masked: string | null;
  out_order_no: string | null;
  grant_id: string | null;
  error_code: string | null;
  error: string | null;
}

export type BulkTables = {
  bulk_runs: BulkRunsTable;
  bulk_rows: BulkRowsTable;
};
