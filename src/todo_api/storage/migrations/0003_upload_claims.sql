-- A signed upload link to the local folder takes one PUT: the request that sets
-- `upload_started_at` on the pending row wins; a deleted or completed row takes none.
ALTER TABLE attachments ADD COLUMN upload_started_at TIMESTAMPTZ;
