-- Carries a database made by the per-engine migrations (release 76b2b59) over to the one
-- migration set: the four tables whose ids the database used to generate get TEXT ids.
-- Run once, inside the transaction that also rewrites the migration ledger
-- (server/src/legacy_ids.rs). Integer id N becomes 00000000-0000-0000-0000-NNNNNNNNNNNN
-- (`app::domain::history::legacy_id`): zero-padded so old rows keep their order among
-- themselves, and all-zero at the front so they sort before every UUIDv7 made afterwards.
-- Nothing references these ids by foreign key; they appear only in page cursors, which
-- accept the old numbers too. Rename, create, copy, drop, then index: index names are
-- per schema, so the new indexes can only be made once the old table is gone.

ALTER TABLE audit_log RENAME TO audit_log_legacy;
CREATE TABLE audit_log (
    id     TEXT PRIMARY KEY NOT NULL,
    at     BIGINT NOT NULL,
    actor  TEXT NOT NULL,
    ip     TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
INSERT INTO audit_log (id, at, actor, ip, action, target, detail)
SELECT '00000000-0000-0000-0000-' || SUBSTR('000000000000' || CAST(id AS TEXT), LENGTH(CAST(id AS TEXT)) + 1), at, actor, ip, action, target, detail
FROM audit_log_legacy;
DROP TABLE audit_log_legacy;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_at_id ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor, at, id);
CREATE INDEX audit_log_action ON audit_log (action, at, id);

ALTER TABLE request_events RENAME TO request_events_legacy;
CREATE TABLE request_events (
    id         TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);
INSERT INTO request_events (id, request_id, at, actor, kind, detail)
SELECT '00000000-0000-0000-0000-' || SUBSTR('000000000000' || CAST(id AS TEXT), LENGTH(CAST(id AS TEXT)) + 1), request_id, at, actor, kind, detail
FROM request_events_legacy;
DROP TABLE request_events_legacy;
CREATE INDEX request_events_request ON request_events (request_id, id);

ALTER TABLE rollouts RENAME TO rollouts_legacy;
CREATE TABLE rollouts (
    id             TEXT PRIMARY KEY NOT NULL,
    -- '' for out-of-band changes.
    request_id     TEXT NOT NULL DEFAULT '',
    -- portal | out_of_band
    source         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    cluster        TEXT NOT NULL,
    daemon         TEXT NOT NULL,
    team           TEXT NOT NULL DEFAULT '',
    requester      TEXT NOT NULL DEFAULT '',
    -- comma-separated usernames
    approvers      TEXT NOT NULL DEFAULT '',
    from_revision  TEXT NOT NULL DEFAULT '',
    to_revision    TEXT NOT NULL DEFAULT '',
    diff           TEXT NOT NULL DEFAULT '',
    deployment_arn TEXT NOT NULL DEFAULT '',
    -- ECS deployment status (IN_PROGRESS while running, then SUCCESSFUL, ROLLBACK_SUCCESSFUL, ...)
    status         TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    started_at     BIGINT NOT NULL,
    ended_at       BIGINT NOT NULL DEFAULT 0
);
INSERT INTO rollouts (id, request_id, source, kind, cluster, daemon, team, requester, approvers, from_revision, to_revision, diff, deployment_arn, status, reason, started_at, ended_at)
SELECT '00000000-0000-0000-0000-' || SUBSTR('000000000000' || CAST(id AS TEXT), LENGTH(CAST(id AS TEXT)) + 1), request_id, source, kind, cluster, daemon, team, requester, approvers, from_revision, to_revision, diff, deployment_arn, status, reason, started_at, ended_at
FROM rollouts_legacy;
DROP TABLE rollouts_legacy;
CREATE INDEX rollouts_started ON rollouts (started_at, id);
CREATE INDEX rollouts_daemon ON rollouts (cluster, daemon, started_at, id);
CREATE INDEX rollouts_requester ON rollouts (requester, started_at, id);
CREATE INDEX rollouts_team ON rollouts (team, started_at, id);
CREATE INDEX rollouts_status ON rollouts (status, started_at, id);
CREATE INDEX rollouts_deployment ON rollouts (deployment_arn);

ALTER TABLE notifications RENAME TO notifications_legacy;
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY NOT NULL,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL DEFAULT 0,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    lease_owner     TEXT NOT NULL DEFAULT '',
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT ''
);
INSERT INTO notifications (id, event, payload, created_at, sent_at, attempts, next_attempt_at, lease_owner, lease_until, last_error)
SELECT '00000000-0000-0000-0000-' || SUBSTR('000000000000' || CAST(id AS TEXT), LENGTH(CAST(id AS TEXT)) + 1), event, payload, created_at, sent_at, attempts, next_attempt_at, lease_owner, lease_until, last_error
FROM notifications_legacy;
DROP TABLE notifications_legacy;
CREATE INDEX notifications_due ON notifications (sent_at, next_attempt_at);
