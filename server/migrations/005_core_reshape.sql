-- Jobs fit for day-long work (issue 5 §1): a run counter that fences stale workers (attempts no longer does:
-- a "check again at T" answer does not use up an attempt), a dedupe key (at most one live job per kind and
-- key), a note for the console, and the index the lane loops and the pruner use.
ALTER TABLE jobs ADD COLUMN runs integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN dedupe_key text;
ALTER TABLE jobs ADD COLUMN note text;
CREATE UNIQUE INDEX jobs_live_dedupe_idx ON jobs (kind, dedupe_key)
  WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX jobs_status_idx ON jobs (status, id DESC);
