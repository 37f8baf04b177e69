-- Console security (issue 6). Sessions end after QUANYI_SESSION_IDLE_MINUTES without use: last_seen_at is
-- moved forward at most about once a minute per session, not on every request.
ALTER TABLE admin_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- Optional TOTP (RFC 6238) per admin user. The secret is sealed under the master keyring (like client
-- secrets); it is pending while totp_enabled_at is null and active once a first code confirmed it.
-- totp_last_step is the time step of the last accepted code: a code of that step or an earlier one is
-- refused, so a code cannot be replayed within its window.
ALTER TABLE admin_users
  ADD COLUMN totp_secret_wrapped bytea,
  ADD COLUMN totp_master_key_id  text,
  ADD COLUMN totp_enabled_at     timestamptz,
  ADD COLUMN totp_last_step      bigint,
  ADD CONSTRAINT admin_users_totp_sealed CHECK ((totp_secret_wrapped IS NULL) = (totp_master_key_id IS NULL)),
  ADD CONSTRAINT admin_users_totp_enabled CHECK (totp_enabled_at IS NULL OR totp_secret_wrapped IS NOT NULL);

CREATE INDEX admin_users_role_status_idx ON admin_users (role, status);
