-- Delivery windows (domain::delivery_window): recurring allow/deny periods for promotions'
-- stages, an RFC 5545 RRULE expanded in an IANA time zone from a local first start.
CREATE TABLE delivery_windows (
    id                TEXT PRIMARY KEY NOT NULL,
    effect            TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
    environment       TEXT NOT NULL DEFAULT '*',
    cluster           TEXT NOT NULL DEFAULT '*',
    capacity_provider TEXT NOT NULL DEFAULT '',
    rule              TEXT NOT NULL,
    time_zone         TEXT NOT NULL,
    starts            TEXT NOT NULL,
    duration_minutes  BIGINT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);
