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
  kind: 'card_code' | 'direct_recharge' | 'link' | 'bundle' | 'choice_pack';
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
  /** a component of a bundle or choice pack: the pack's grant (migration 022) */
  parent_grant_id: Generated<string | null>;
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

// ---- campaigns (issue 7, module `campaigns`, migration 026) ----
export type CampaignStatus = 'draft' | 'active' | 'paused' | 'ended';
export type CampaignClaimStatus = 'pending' | 'issued' | 'failed';

export interface CampaignsTable {
  id: string;
  slug: string;
  name: string;
  client_id: string;
  product_id: string;
  budget: number;
  used: Generated<number>;
  per_person_limit: Generated<number>;
  starts_at: Date;
  ends_at: Date;
  status: Generated<CampaignStatus>;
  description: Generated<string>;
  instructions: Generated<string>;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CampaignClaimantsTable {
  campaign_id: string;
  phone_fingerprint: Buffer;
  n: number;
  attempts: number;
}

export interface CampaignClaimsTable {
  id: string;
  campaign_id: string;
  phone_fingerprint: Buffer;
  seq: number;
  phone_sealed: Buffer;
  phone_masked: string;
  status: Generated<CampaignClaimStatus>;
  grant_id: string | null;
  failure: string | null;
  ip: string | null;
  device_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
// ---- end campaigns ----

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
  // campaigns (issue 7)
  campaigns: CampaignsTable;
  campaign_claimants: CampaignClaimantsTable;
  campaign_claims: CampaignClaimsTable;
}

// ---- h5 (issue 7 §6): brands of the H5 pages (migration 024) ----
export interface H5BrandsTable {
  id: string;
  client_id: string | null;
  campaign_id: string | null;
  name: string;
  primary_color: Generated<string>;
  text_color: Generated<string>;
  service_phone: string | null;
  service_wechat: string | null;
  service_url: string | null;
  footer: string | null;
  logo: Uint8Array | null;
  logo_type: string | null;
  logo_sha256: string | null;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export interface DB {
  h5_brands: H5BrandsTable;
}
// ---- bundles and choice packs (migration 022; modules/bundles owns these tables) ----
export interface ProductBundlesTable {
  product_id: string;
  /** choice pack: k of n; null for a bundle */
  pick_count: number | null;
  updated_at: Generated<Date>;
}

export interface ProductComponentsTable {
  bundle_id: string;
  position: number;
  component_id: string;
}

export interface ChoicePicksTable {
  grant_id: string;
  products: string[];
  picked_at: Generated<Date>;
}

export type BundleTables = {
  product_bundles: ProductBundlesTable;
  product_components: ProductComponentsTable;
  choice_picks: ChoicePicksTable;
};

// ---- risk module (issue 7 §7, migration 023). Not in DB: the module reaches them through `withTables`
// (modules/risk/risk.repo.ts), so no other module can name them.
export type RiskScopeType = 'global' | 'product' | 'campaign' | 'client';
export type RiskDimension = 'ip' | 'device' | 'phone' | 'external_id';
export type RiskReviewStatus = 'pending' | 'approved' | 'rejected';

export interface RiskRulesTable {
  id: string;
  scope_type: RiskScopeType;
  scope_id: Generated<string>;
  name: string;
  kind: 'limit' | 'threshold';
  action: 'deny' | 'review';
  dimension: RiskDimension | null;
  max: number | null;
  window_seconds: number | null;
  review_above: number | null;
  fact: string | null;
  op: 'eq' | 'gte' | 'lte' | null;
  value: ColumnType<number | boolean | null, string | null, string | null>;
  status: Generated<'active' | 'disabled'>;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RiskBlacklistTable {
  id: string;
  kind: 'ip' | 'phone';
  ip_range: string | null;
  phone_fp: Buffer | null;
  shown: string;
  note: Generated<string>;
  created_by: string;
  created_at: Generated<Date>;
}

export interface RiskCountersTable {
  key: string;
  window_start: number;
  n: number;
  expires_at: Date;
}

export interface RiskReleasesTable {
  reservation_id: string;
  released_at: Generated<Date>;
}

export interface RiskReviewsTable {
  id: string;
  subject_type: string;
  subject_ref: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  reason: string;
  scope: ColumnType<Record<string, unknown>, string, string>;
  status: Generated<RiskReviewStatus>;
  decided_by: string | null;
  decision_reason: string | null;
  decided_at: Date | null;
  created_at: Generated<Date>;
}

export interface RiskDecisionsTable {
  id: string;
  outcome: 'deny' | 'review';
  code: string;
  reason: string;
  rule_id: string | null;
  scope: ColumnType<Record<string, unknown>, string, string>;
  ip: string | null;
  phone_masked: string | null;
  device_hint: string | null;
  external_hint: string | null;
  created_at: Generated<Date>;
}

export type RiskTables = {
  risk_rules: RiskRulesTable;
  risk_blacklist: RiskBlacklistTable;
  risk_counters: RiskCountersTable;
  risk_releases: RiskReleasesTable;
  risk_reviews: RiskReviewsTable;
  risk_decisions: RiskDecisionsTable;
};
// ---- end risk module

// ---- notify (migration 019): notifications and phone verification codes ----------------------------------
export type NotifyChannel = 'sms' | 'email' | 'inapp';
export type NotifyCategory = 'transactional' | 'marketing';
export type NotifyMessageStatus = 'queued' | 'sent' | 'skipped' | 'failed';

export interface NotifyTemplatesTable {
  id: string;
  scope: 'default' | 'product' | 'campaign';
  scope_id: Generated<string>;
  event: string;
  channel: NotifyChannel;
  locale: Generated<string>;
  subject: Generated<string>;
  body: string;
  provider_template: Generated<string>;
  updated_by: string;
  updated_at: Generated<Date>;
}

export interface NotifyProductSettingsTable {
  product_id: string;
  send_codes: Generated<boolean>;
  renewal_url: string | null;
  updated_by: string;
  updated_at: Generated<Date>;
}

export interface NotifyMessagesTable {
  id: string;
  event: string;
  channel: NotifyChannel;
  category: NotifyCategory;
  status: Generated<NotifyMessageStatus>;
  recipient_fp: Uint8Array;
  phone_enc: Uint8Array | null;
  recipient_masked: string;
  email: string | null;
  grant_id: string | null;
  product_id: string | null;
  campaign_id: string | null;
  locale: Generated<string>;
  vars_enc: Uint8Array;
  body_enc: Uint8Array | null;
  dedupe_key: string | null;
  job_id: string | null;
  attempts: Generated<number>;
  cap_counted: Generated<boolean>;
  provider_id: string | null;
  last_error: string | null;
  skip_reason: string | null;
  read_at: TsNull;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  sent_at: TsNull;
}

export interface NotifyCapsTable {
  recipient_fp: Uint8Array;
  day: string;
  used: Generated<number>;
}

export interface NotifyUnsubscribesTable {
  recipient_fp: Uint8Array;
  recipient_masked: string;
  channel: string;
  created_at: Generated<Date>;
}

export interface NotifyPhoneCodesTable {
  id: string;
  phone_fp: Uint8Array;
  purpose: string;
  code_hash: string;
  attempts: Generated<number>;
  max_attempts: number;
  expires_at: Date;
  consumed_at: TsNull;
  created_at: Generated<Date>;
}

// declaration merging: the notify tables join DB here, so this block merges without touching the one above
export interface DB {
  notify_templates: NotifyTemplatesTable;
  notify_product_settings: NotifyProductSettingsTable;
  notify_messages: NotifyMessagesTable;
  notify_caps: NotifyCapsTable;
  notify_unsubscribes: NotifyUnsubscribesTable;
  notify_phone_codes: NotifyPhoneCodesTable;
}

// ---- redemption codes (module `redemption`, migration 020) --------------------------------------------------
// Declared as a merge into DB so this block stays apart from the tables above (easier merges).
export interface RedemptionSetsTable {
  id: string;
  name: string;
  client_id: string;
  product_id: string;
  max_redemptions: number;
  per_user_limit: number;
  starts_at: Date;
  ends_at: Date;
  status: Generated<'active' | 'paused' | 'voided'>;
  code_count: Generated<number>;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RedemptionCodesTable {
  id: Generated<number>;
  set_id: string;
  fingerprint: Buffer;
  hint: string;
  max_redemptions: number;
  redeemed: Generated<number>;
  source: 'generated' | 'imported';
  created_at: Generated<Date>;
}

export interface RedemptionUserCountsTable {
  set_id: string;
  user_key: Buffer;
  used: number;
  failed: Generated<number>;
}

export interface RedemptionClaimsTable {
  id: string;
  set_id: string;
  code_id: number;
  user_key: Buffer;
  client_id: string;
  channel: 'api' | 'h5';
  request_key: string | null;
  request_hash: string | null;
  recipient: Buffer;
  status: Generated<'pending' | 'succeeded' | 'failed'>;
  grant_id: string | null;
  failure_code: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RedemptionGenerationsTable {
  id: string;
  set_id: string;
  count: number;
  length: number;
  prefix: Generated<string>;
  format: 'csv' | 'xlsx';
  job_id: string;
  status: Generated<'queued' | 'running' | 'succeeded' | 'failed' | 'downloaded' | 'purged'>;
  generated: Generated<number>;
  error: string | null;
  created_by: string;
  created_at: Generated<Date>;
  finished_at: Date | null;
  downloaded_at: Date | null;
  expires_at: Date;
}

export interface RedemptionGenerationChunksTable {
  generation_id: string;
  seq: number;
  sealed: Buffer;
}

export interface DB {
  redemption_sets: RedemptionSetsTable;
  redemption_codes: RedemptionCodesTable;
  redemption_user_counts: RedemptionUserCountsTable;
  redemption_claims: RedemptionClaimsTable;
  redemption_generations: RedemptionGenerationsTable;
  redemption_generation_chunks: RedemptionGenerationChunksTable;
}
// ---- end redemption ----------------------------------------------------------------------------------------

// ---- links module (migration 025): link batches, pre-issued grants handed out as links / QR codes ----
// Not in `DB`: the module reaches them through `withTables<LinkTables>()` (as exports does), so no other
// module's queries can name them.
export interface LinkBatchesTable {
  id: string;
  client_id: string;
  product_id: string;
  label: string;
  count: number;
  issued: Generated<number>;
  expires_at: Date | null;
  status: Generated<'issuing' | 'ready' | 'failed'>;
  error: string | null;
  job_id: string;
  created_by: string;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

export interface LinkBatchItemsTable {
  batch_id: string;
  idx: number;
  grant_id: string;
  expires_at: Date | null;
}

export type LinkTables = { link_batches: LinkBatchesTable; link_batch_items: LinkBatchItemsTable };

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
