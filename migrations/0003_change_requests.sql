-- Change requests, approval policies, freeze windows, team ownership, rollout history, webhook
-- outbox and worker leases. Timestamps are epoch milliseconds. The ids of
-- request_events, rollouts and notifications are UUIDv7 text made by the application
-- (server/src/ids.rs), so they sort by creation time and need no engine-specific identity column.

-- A team owns daemon task definition families and daemons. `name` is the family, or
-- `cluster/daemon` for a daemon.
CREATE TABLE ownership (
    kind    TEXT NOT NULL CHECK (kind IN ('family', 'daemon')),
    name    TEXT NOT NULL,
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, name)
);

-- Approval policy per cluster, optionally narrowed to one capacity provider ('' = the whole
-- cluster). A request touching several providers takes the strictest matching policy.
CREATE TABLE policies (
    id                  TEXT PRIMARY KEY NOT NULL,
    cluster             TEXT NOT NULL,
    capacity_provider   TEXT NOT NULL DEFAULT '',
    approvals_required  BIGINT NOT NULL,
    -- JSON array of team names whose approvers may approve; [] = approvers of any team.
    approver_teams      TEXT NOT NULL DEFAULT '[]',
    allow_self_approval BIGINT NOT NULL DEFAULT 0,
    expiry_hours        BIGINT NOT NULL DEFAULT 72,
    updated_at          BIGINT NOT NULL,
    updated_by          TEXT NOT NULL,
    UNIQUE (cluster, capacity_provider)
);

-- Periods when approved requests may not execute. `cluster` '*' = every cluster.
-- kind 'once': [starts_at, ends_at). kind 'weekly': on `weekdays` (JSON array, 0 = Monday,
-- UTC) from start_minute to end_minute (minutes after midnight UTC; end < start wraps past
-- midnight).
CREATE TABLE freeze_windows (
    id                TEXT PRIMARY KEY NOT NULL,
    cluster           TEXT NOT NULL,
    capacity_provider TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL CHECK (kind IN ('once', 'weekly')),
    starts_at         BIGINT NOT NULL DEFAULT 0,
    ends_at           BIGINT NOT NULL DEFAULT 0,
    weekdays          TEXT NOT NULL DEFAULT '[]',
    start_minute      BIGINT NOT NULL DEFAULT 0,
    end_minute        BIGINT NOT NULL DEFAULT 0,
    reason            TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);

-- One requested change to what runs on the fleet. `id` (a UUID, 36 characters) is also the
-- ECS clientToken of the call that executes it.
CREATE TABLE change_requests (
    id                 TEXT PRIMARY KEY NOT NULL,
    -- deploy | update | rollback | delete_daemon | delete_revision
    kind               TEXT NOT NULL,
    cluster            TEXT NOT NULL DEFAULT '',
    daemon             TEXT NOT NULL DEFAULT '',
    family             TEXT NOT NULL DEFAULT '',
    -- 'family:revision' (or '' when there is none)
    from_revision      TEXT NOT NULL DEFAULT '',
    to_revision        TEXT NOT NULL DEFAULT '',
    capacity_providers TEXT NOT NULL DEFAULT '[]',
    team               TEXT NOT NULL DEFAULT '',
    requester          TEXT NOT NULL,
    summary            TEXT NOT NULL,
    -- JSON: the exact ECS input the execution sends.
    input              TEXT NOT NULL,
    diff               TEXT NOT NULL DEFAULT '',
    -- pending | approved | executing | succeeded | failed | rolled_back | stopped
    -- | rejected | cancelled | expired
    state              TEXT NOT NULL,
    -- Bumped by every edit; approvals count only for the current version.
    version            BIGINT NOT NULL DEFAULT 1,
    -- JSON snapshot of the policy that governs the request.
    policy             TEXT NOT NULL,
    approvals_required BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    executed_at        BIGINT NOT NULL DEFAULT 0,
    finished_at        BIGINT NOT NULL DEFAULT 0,
    deployment_arn     TEXT NOT NULL DEFAULT '',
    -- ECS's final status and reason, or why execution failed.
    outcome            TEXT NOT NULL DEFAULT '',
    progress           BIGINT NOT NULL DEFAULT 0,
    override_reason    TEXT NOT NULL DEFAULT '',
    -- Which replica works the request, until when (a lease, renewed while it works).
    lease_owner        TEXT NOT NULL DEFAULT '',
    lease_until        BIGINT NOT NULL DEFAULT 0,
    attempts           BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX change_requests_state ON change_requests (state, created_at, id);
CREATE INDEX change_requests_requester ON change_requests (requester, created_at, id);
CREATE INDEX change_requests_daemon ON change_requests (cluster, daemon, created_at, id);
CREATE INDEX change_requests_created ON change_requests (created_at, id);

-- Approvals and rejections. An approval counts only for the version it was given on.
CREATE TABLE request_reviews (
    request_id TEXT NOT NULL REFERENCES change_requests (id) ON DELETE CASCADE,
    reviewer   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    decision   TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    comment    TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL,
    PRIMARY KEY (request_id, reviewer, version)
);

-- The request's timeline: created, edited, approved, executing, progress, ended, ...
CREATE TABLE request_events (
    id         TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_events_request ON request_events (request_id, id);

-- Rollout history: one row per rollout, from the portal or noticed out of band.
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
CREATE INDEX rollouts_started ON rollouts (started_at, id);
CREATE INDEX rollouts_daemon ON rollouts (cluster, daemon, started_at, id);
CREATE INDEX rollouts_requester ON rollouts (requester, started_at, id);
CREATE INDEX rollouts_team ON rollouts (team, started_at, id);
CREATE INDEX rollouts_status ON rollouts (status, started_at, id);
CREATE INDEX rollouts_deployment ON rollouts (deployment_arn);

-- Progress of an executing request, as the worker saw it.
CREATE TABLE rollout_progress (
    request_id TEXT NOT NULL,
    at         BIGINT NOT NULL,
    status     TEXT NOT NULL,
    percent    BIGINT NOT NULL,
    on_target  BIGINT NOT NULL,
    total      BIGINT NOT NULL
);
CREATE INDEX rollout_progress_request ON rollout_progress (request_id, at);

-- What the drift check last saw of each daemon.
CREATE TABLE daemon_watch (
    daemon_arn          TEXT PRIMARY KEY NOT NULL,
    cluster             TEXT NOT NULL,
    daemon              TEXT NOT NULL,
    last_deployment_arn TEXT NOT NULL DEFAULT '',
    checked_at          BIGINT NOT NULL
);

-- Webhook messages waiting to be sent (each by one replica, under a lease).
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
CREATE INDEX notifications_due ON notifications (sent_at, next_attempt_at);

-- Named leases for background jobs one replica should run at a time (drift, expiry sweep).
CREATE TABLE worker_leases (
    name  TEXT PRIMARY KEY NOT NULL,
    owner TEXT NOT NULL,
    until BIGINT NOT NULL
);
