-- Facts about this portal installation (e.g. when it was first started).
CREATE TABLE portal_meta (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
