-- Issue 7 §6, branded H5: a brand per client or per campaign (the campaign id is an opaque string until the
-- campaigns module exists). A page resolves the campaign's brand first, then the client's, then the default.
-- The logo lives in the database (any server process serves it; a restore restores it), PNG or JPEG only
-- (no SVG: it can carry script), at most 100 KB, addressed by the SHA-256 of its bytes so it can be cached
-- forever and a new upload is a new URL.
CREATE TABLE h5_brands (
  id              text PRIMARY KEY,                                    -- brd_…
  client_id       text UNIQUE,
  campaign_id     text UNIQUE,
  name            text NOT NULL,
  primary_color   text NOT NULL DEFAULT '#1664ff' CHECK (primary_color ~ '^#[0-9a-f]{6}$'),
  text_color      text NOT NULL DEFAULT '#ffffff' CHECK (text_color ~ '^#[0-9a-f]{6}$'),
  service_phone   text,
  service_wechat  text,
  service_url     text,
  footer          text,
  logo            bytea CHECK (logo IS NULL OR octet_length(logo) <= 102400),
  logo_type       text CHECK (logo_type IN ('image/png', 'image/jpeg')),
  logo_sha256     text,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (client_id IS NULL OR campaign_id IS NULL),
  CHECK ((logo IS NULL) = (logo_type IS NULL) AND (logo IS NULL) = (logo_sha256 IS NULL))
);
CREATE INDEX h5_brands_logo_idx ON h5_brands (logo_sha256) WHERE logo_sha256 IS NOT NULL;
