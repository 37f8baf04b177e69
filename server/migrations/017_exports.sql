-- Issue 6, grants search: every filter of GET /v1/admin/grants is served by an index whose order is the
-- list's (id DESC = newest first), so a page stops after `limit` rows even on a table of tens of millions.
-- created_from / created_to need no index of their own: grant ids are time-ordered ULIDs, so the range is an
-- id range on the primary key (or on the (x, id DESC) index of the other filter).

-- out_order_no without a client (the console searches across clients): the unique
-- (client_id, out_order_no) index cannot serve it.
CREATE INDEX grants_out_order_no_idx ON grants (out_order_no, id DESC) WHERE out_order_no IS NOT NULL;
-- one recipient can hold many grants (an employee benefit every month): page them without a sort
CREATE INDEX grants_phone_id_idx ON grants (recipient_phone_fp, id DESC) WHERE recipient_phone_fp IS NOT NULL;
DROP INDEX grants_phone_idx;
CREATE INDEX grants_external_id_id_idx ON grants (recipient_external_id, id DESC) WHERE recipient_external_id IS NOT NULL;
DROP INDEX grants_external_id_idx;

-- Exports (issue 6): CSV / XLSX files of grants, recharge orders and audit events, written by a job in the
-- bulk lane. The file lives in the database in chunks, so any server process can serve a download and a
-- restore of the database restores them; expired exports are deleted with their chunks (ON DELETE CASCADE)
-- by the exports module's pruner.
CREATE TABLE exports (
  id           text PRIMARY KEY,                                   -- exp_…
  kind         text NOT NULL CHECK (kind IN ('grants', 'recharges', 'audit')),
  format       text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  filter       jsonb NOT NULL DEFAULT '{}'::jsonb,                 -- the list filter; a phone only as its fingerprint
  -- exportMachine (exports.machine.ts)
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  job_id       text NOT NULL,
  rows         bigint NOT NULL DEFAULT 0,
  size_bytes   bigint NOT NULL DEFAULT 0,
  error        text,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX exports_kind_idx ON exports (kind, id DESC);
CREATE INDEX exports_expires_idx ON exports (expires_at);

CREATE TABLE export_chunks (
  export_id  text NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
  seq        integer NOT NULL,
  data       bytea NOT NULL,
  PRIMARY KEY (export_id, seq)
);
