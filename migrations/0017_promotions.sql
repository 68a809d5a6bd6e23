-- Progressive delivery: pipelines (ordered stages, `domain::pipeline::PipelineSpec` as JSON)
-- and promotions of one revision through them. A promotion copies its pipeline's stages when it
-- starts, so editing the pipeline never changes a promotion under way.
CREATE TABLE pipelines (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    document    TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- `state`: domain::promotion::PromotionState. `current_stage`: the position of the stage the
-- worker drives. `version` grows at every transition (the pages follow it).
CREATE TABLE promotions (
    id             TEXT PRIMARY KEY NOT NULL,
    pipeline_id    TEXT NOT NULL,
    pipeline_name  TEXT NOT NULL,
    family         TEXT NOT NULL,
    revision       BIGINT NOT NULL,
    state          TEXT NOT NULL,
    current_stage  BIGINT NOT NULL DEFAULT 0,
    requested_by   TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    roll_back_in_progress BIGINT NOT NULL DEFAULT 0,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    finished_at    BIGINT
);
CREATE INDEX promotions_state ON promotions (state);
CREATE INDEX promotions_created ON promotions (created_at);

-- One row per stage. `request_id` is written before the change request is made (exactly
-- once: a restart makes it with the same id). `previous_revision`: what the daemon ran before
-- this promotion's request ('' when the promotion created it); "roll back" returns there.
-- Times are the portal's clock, never ECS's.
CREATE TABLE promotion_stages (
    promotion_id        TEXT NOT NULL,
    position            BIGINT NOT NULL,
    name                TEXT NOT NULL,
    spec                TEXT NOT NULL,
    state               TEXT NOT NULL,
    request_id          TEXT NOT NULL DEFAULT '',
    previous_revision   TEXT NOT NULL DEFAULT '',
    soak_until          BIGINT NOT NULL DEFAULT 0,
    waiting_until       BIGINT NOT NULL DEFAULT 0,
    gate_note           TEXT NOT NULL DEFAULT '',
    promoted_by         TEXT NOT NULL DEFAULT '',
    rollback_request_id TEXT NOT NULL DEFAULT '',
    started_at          BIGINT,
    finished_at         BIGINT,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (promotion_id, position)
);
CREATE INDEX promotion_stages_request ON promotion_stages (request_id);

-- The promotion's timeline: who or what moved it, and why.
CREATE TABLE promotion_events (
    id            TEXT PRIMARY KEY NOT NULL,
    promotion_id  TEXT NOT NULL,
    position      BIGINT,
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    detail        TEXT NOT NULL
);
CREATE INDEX promotion_events_promotion ON promotion_events (promotion_id, at);
