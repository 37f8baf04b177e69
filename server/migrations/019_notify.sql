-- Notifications (issue 7 §4) and phone verification codes: module notify.
-- Recipients at rest: a phone sealed (ServerSecrets.sealPii, context 'notify-phone:' || id), its keyed
-- fingerprint (lookups, caps, unsubscribes) and its mask; an email as given (needed to send).

-- Templates per scope (default | product | campaign) × event × channel × locale. The built-in zh-CN
-- defaults live in code (notify.templates.ts): a row here overrides them.
CREATE TABLE notify_templates (
  id          text PRIMARY KEY,                                  -- ntp_…
  scope       text NOT NULL CHECK (scope IN ('default', 'product', 'campaign')),
  scope_id    text NOT NULL DEFAULT '',                          -- '' for default, else the product / campaign id
  event       text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('sms', 'email', 'inapp')),
  locale      text NOT NULL DEFAULT 'zh-CN',
  subject     text NOT NULL DEFAULT '',
  body        text NOT NULL,
  provider_template text NOT NULL DEFAULT '',                    -- SMS: the template code registered at the provider
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (scope, scope_id, event, channel, locale)
);

-- Per product: whether messages may carry the plaintext code (audited when set), and the renewal link of
-- period-end reminders.
CREATE TABLE notify_product_settings (
  product_id  text PRIMARY KEY,
  send_codes  boolean NOT NULL DEFAULT false,
  renewal_url text,
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One message to one recipient on one channel. messageMachine (notify.machine.ts): queued → sent | skipped | failed.
CREATE TABLE notify_messages (
  id            text PRIMARY KEY,                                -- msg_…
  event         text NOT NULL,
  channel       text NOT NULL CHECK (channel IN ('sms', 'email', 'inapp')),
  category      text NOT NULL CHECK (category IN ('transactional', 'marketing')),
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'skipped', 'failed')),
  recipient_fp  bytea NOT NULL,                                  -- phone fingerprint, or keyed hash of the email
  phone_enc     bytea,
  recipient_masked text NOT NULL,
  email         text,
  grant_id      text,
  product_id    text,
  campaign_id   text,
  locale        text NOT NULL DEFAULT 'zh-CN',
  vars_enc      bytea NOT NULL,                                  -- the template variables, sealed (may hold a code)
  body_enc      bytea,                                           -- in-app: the rendered text, sealed, once sent
  dedupe_key    text UNIQUE,                                     -- e.g. reminder.unclaimed_expiry:grt_…: at most once
  job_id        text,
  attempts      integer NOT NULL DEFAULT 0,
  cap_counted   boolean NOT NULL DEFAULT false,
  provider_id   text,
  last_error    text,
  skip_reason   text,
  read_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz
);
CREATE INDEX notify_messages_recipient_idx ON notify_messages (recipient_fp, id DESC);
CREATE INDEX notify_messages_status_idx ON notify_messages (status, id DESC);
CREATE INDEX notify_messages_grant_idx ON notify_messages (grant_id) WHERE grant_id IS NOT NULL;

-- Marketing messages per recipient per day (Asia/Shanghai day): moved only by a conditional upsert.
CREATE TABLE notify_caps (
  recipient_fp bytea NOT NULL,
  day          date NOT NULL,
  used         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (recipient_fp, day)
);

-- Unsubscribed recipients (marketing only).
CREATE TABLE notify_unsubscribes (
  recipient_fp     bytea PRIMARY KEY,
  recipient_masked text NOT NULL,
  channel          text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- Phone verification codes: the code only as a keyed hash; attempts move by a conditional UPDATE.
CREATE TABLE notify_phone_codes (
  id           text PRIMARY KEY,                                 -- pvc_…
  phone_fp     bytea NOT NULL,
  purpose      text NOT NULL,
  code_hash    text NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  expires_at   timestamptz NOT NULL,
  consumed_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notify_phone_codes_phone_idx ON notify_phone_codes (phone_fp, purpose, created_at DESC);

-- Serves the grants module's redeemedGrantsBetween (period-end reminders walk one product's redeemed grants
-- by redemption time).
CREATE INDEX grants_redeemed_product_idx ON grants (product_id, redeemed_at) WHERE status = 'redeemed';
