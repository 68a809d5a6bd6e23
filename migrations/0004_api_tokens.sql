-- API tokens for automation. `token_hash` is the SHA-256 (hex) of the secret the user was
-- shown once; the secret itself is never stored. `scope` is JSON: {"admin": bool,
-- "teams": [["team", "role"], …]}, never wider than the owner's roles when created, and
-- narrowed again to the owner's current roles at every use. Timestamps are epoch milliseconds.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- Accounts signed in through the trusted SSO proxy keep the e-mail it sends.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
