-- /api/v1's Idempotency-Key (server/src/api_v1/idempotency.rs): the first answer to a POST
-- with a key, per caller, replayed for 24 hours to the same call with the same key and body.
CREATE TABLE api_idempotency (
    username    TEXT NOT NULL,
    idem_key    TEXT NOT NULL,
    -- sha256 of method, path and body: the same key with another call is refused.
    call_hash   TEXT NOT NULL,
    -- 0 while the first call runs.
    status      BIGINT NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    response    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (username, idem_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);
