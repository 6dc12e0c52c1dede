-- Brute-force counters for login and register (todo_api/throttle), shared by all
-- instances. Keys are hashes of an account or address; times are epoch seconds.
CREATE TABLE auth_throttle (
    key TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    blocked_until DOUBLE PRECISION NOT NULL,
    last_at DOUBLE PRECISION NOT NULL
);

CREATE INDEX auth_throttle_last_at ON auth_throttle (last_at);
