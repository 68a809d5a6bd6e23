-- Identity and access: local accounts, teams, memberships, sessions, login rate limiting and
-- the append-only audit log. Timestamps are epoch milliseconds.
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE teams (
    id   TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('viewer', 'deployer', 'approver')),
    PRIMARY KEY (user_id, team_id)
);

-- `id` is the SHA-256 (hex) of the cookie's token; the token itself is never stored.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ip           TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins per key (`user:NAME` or `ip:ADDRESS`) in a fixed window.
CREATE TABLE login_attempts (
    key          TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL
);

-- Append-only: the code only ever inserts and reads. `id` is UUIDv7 text made by the
-- application (server/src/ids.rs).
CREATE TABLE audit_log (
    id     TEXT PRIMARY KEY NOT NULL,
    at     BIGINT NOT NULL,
    actor  TEXT NOT NULL,
    ip     TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
