//! The role allowlist's grants: which IAM roles each team's task definitions may name
//! (`crate::domain::role_allowlist` holds the rule).

use crate::domain::role_allowlist::RoleGrant;

use crate::services::{clock::now_ms, db::Db};

/// A grant as the admin page lists it.
pub struct GrantRow {
    pub grant: RoleGrant,
    pub granted_by: String,
    pub granted_at: i64,
}

pub async fn list(db: &Db) -> Result<Vec<GrantRow>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String, String, i64)>(
        "SELECT t.name AS team, r.role_arn, r.granted_by, r.granted_at FROM team_roles r \
         JOIN teams t ON t.id = r.team_id ORDER BY t.name, r.role_arn",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(team, role_arn, granted_by, granted_at)| GrantRow {
            grant: RoleGrant { team, role_arn },
            granted_by,
            granted_at,
        })
        .collect())
}

/// Adds a grant; false when the team does not exist. Granting twice is not an error.
pub async fn grant(db: &Db, g: &RoleGrant, actor: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO team_roles (team_id, role_arn, granted_by, granted_at) \
         SELECT id, $1, $2, $3 FROM teams WHERE name = $4 ON CONFLICT (team_id, role_arn) DO NOTHING",
    )
    .bind(&g.role_arn)
    .bind(actor)
    .bind(now_ms())
    .bind(&g.team)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    let teams: i64 = sqlx::query_scalar("SELECT COUNT(*) AS n FROM teams WHERE name = $1")
        .bind(&g.team)
        .fetch_one(db.pool())
        .await?;
    Ok(teams > 0)
}

/// Removes a grant; false when there was none.
pub async fn revoke(db: &Db, g: &RoleGrant) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM team_roles WHERE role_arn = $1 AND team_id IN (SELECT id FROM teams WHERE name = $2)",
    )
    .bind(&g.role_arn)
    .bind(&g.team)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The roles granted to any of these teams.
pub async fn for_teams(db: &Db, teams: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let mut roles = Vec::new();
    for team in teams {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT r.role_arn FROM team_roles r JOIN teams t ON t.id = r.team_id WHERE t.name = $1",
        )
        .bind(team)
        .fetch_all(db.pool())
        .await?;
        roles.extend(rows);
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}
