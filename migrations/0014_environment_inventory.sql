-- Each environment's daemons as last read from ECS, for the fleet view: one replica at a time
-- refreshes an environment (lease `inventory:<name>`) and every replica's page reads the rows.
-- `refreshed_at` and `attempted_at` are the portal's clock. A failed refresh keeps the last
-- good snapshot and records why (`error`, attributed to the environment).
CREATE TABLE environment_inventory (
    environment  TEXT PRIMARY KEY,
    daemons      TEXT NOT NULL,
    refreshed_at BIGINT,
    attempted_at BIGINT NOT NULL,
    error        TEXT
);
