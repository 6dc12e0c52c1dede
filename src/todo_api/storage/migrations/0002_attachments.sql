-- Files attached to tasks. The bytes live in the blob store under `storage_key`;
-- a row is `pending` from the moment a presigned upload is handed out until the client
-- completes it, and pending rows past `expires_at` are orphans to clean up.
-- Runs unchanged on SQLite and Postgres.

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'ready' CHECK (status IN ('pending', 'ready')),
    expires_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX attachments_task ON attachments (task_id, created_at);

CREATE INDEX attachments_user ON attachments (user_id, status);
