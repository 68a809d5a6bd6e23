-- Approval policies and freeze windows match on environment → cluster → provider, with `*` at
-- each level. Rows from before environments become `*`: they governed everything the portal
-- changed, and keep doing so in every environment added later until an admin narrows them
-- (failing closed: a new environment is never less guarded than the old single one).
--
-- `policies` is rebuilt because its unique key gains the environment, and SQLite cannot alter
-- a table's constraints; CREATE/INSERT…SELECT/DROP/RENAME runs the same on both engines.
CREATE TABLE policies_by_environment (
    id                  TEXT PRIMARY KEY NOT NULL,
    environment         TEXT NOT NULL DEFAULT '*',
    cluster             TEXT NOT NULL,
    capacity_provider   TEXT NOT NULL DEFAULT '',
    approvals_required  BIGINT NOT NULL,
    approver_teams      TEXT NOT NULL DEFAULT '[]',
    allow_self_approval BIGINT NOT NULL DEFAULT 0,
    expiry_hours        BIGINT NOT NULL DEFAULT 72,
    updated_at          BIGINT NOT NULL,
    updated_by          TEXT NOT NULL,
    UNIQUE (environment, cluster, capacity_provider)
);
INSERT INTO policies_by_environment (id, environment, cluster, capacity_provider, approvals_required,
    approver_teams, allow_self_approval, expiry_hours, updated_at, updated_by)
SELECT id, '*', cluster, capacity_provider, approvals_required, approver_teams, allow_self_approval,
    expiry_hours, updated_at, updated_by FROM policies;
DROP TABLE policies;
ALTER TABLE policies_by_environment RENAME TO policies;

ALTER TABLE freeze_windows ADD COLUMN environment TEXT NOT NULL DEFAULT '*';
