-- Idempotency-Key on creates (todo_api/tasks/idempotency.py): the key's first request
-- and the answer it got, so a retry with the same key answers the same and creates
-- nothing. Rows older than a day are removed as new keys arrive.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT,
    version INTEGER,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
