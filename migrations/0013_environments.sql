-- The AWS accounts and regions the portal manages daemons in. `source` says who owns a row:
-- 'file' rows mirror PORTAL_ENVIRONMENTS and change only with it, 'admin' rows were added on
-- the admin page, 'built-in' rows were made at first start (the default chain's account in
-- aws mode, the emulator's worlds in embedded mode). Exactly one row is the default: the
-- environment that data from before environments belongs to.
CREATE TABLE environments (
    name        TEXT PRIMARY KEY,
    account_id  TEXT,           -- NULL: the default chain's own account (aws mode, built in)
    region      TEXT NOT NULL,
    role_arn    TEXT,
    external_id TEXT,
    endpoint    TEXT,
    source      TEXT NOT NULL,
    is_default  BIGINT NOT NULL DEFAULT 0,
    position    BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
