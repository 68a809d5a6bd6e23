-- IAM roles an administrator allowed a team's daemon task definitions to use (besides the
-- roles PORTAL_ROLES allows everyone).
CREATE TABLE team_roles (
    team_id    TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role_arn   TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, role_arn)
);
