//! Account management for the admin pages: users (password, disabled, admin flag), teams and
//! memberships. Creating users and the first memberships lives in `auth::users`.

use crate::auth::Role;
use crate::services::policies::rows::MembershipRow;
use crate::services::{db::Db, random::random_hex};

/// A user as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub username: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: i64,
    /// (team, role), by team name.
    pub teams: Vec<(String, Role)>,
}

/// A team and how many members it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamRow {
    pub name: String,
    pub members: i64,
}

pub async fn list_users(db: &Db) -> Result<Vec<UserRow>, sqlx::Error> {
    let mut users: Vec<UserRow> = sqlx::query_as::<_, (String, i64, i64, i64)>(
        "SELECT username, is_admin, disabled, created_at FROM users ORDER BY username",
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|(username, is_admin, disabled, created_at)| UserRow {
        username,
        is_admin: is_admin != 0,
        disabled: disabled != 0,
        created_at,
        teams: Vec::new(),
    })
    .collect();
    let rows = sqlx::query_as::<_, MembershipRow>(
        "SELECT u.username AS username, t.name AS team, m.role AS role FROM memberships m \
         JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id ORDER BY u.username, t.name",
    )
    .fetch_all(db.pool())
    .await?;
    for m in rows {
        if let Some(u) = users.iter_mut().find(|u| u.username == m.username) {
            u.teams.push((m.team, m.role));
        }
    }
    Ok(users)
}

pub async fn list_teams(db: &Db) -> Result<Vec<TeamRow>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, i64)>(
        "SELECT t.name AS name, COUNT(m.user_id) AS members FROM teams t \
         LEFT JOIN memberships m ON m.team_id = t.id GROUP BY t.name ORDER BY t.name",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(name, members)| TeamRow { name, members }).collect())
}

/// Ends every session of `username` (after a password reset or when disabling the account).
async fn end_sessions(db: &Db, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = $1)")
        .bind(username)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Replaces the password hash and signs the user out everywhere; whether the user exists.
pub async fn set_password(db: &Db, username: &str, password_hash: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
        .bind(password_hash)
        .bind(username)
        .execute(db.pool())
        .await?;
    end_sessions(db, username).await?;
    Ok(done.rows_affected() > 0)
}

/// Disables (and signs out) or enables an account; whether the user exists.
pub async fn set_disabled(db: &Db, username: &str, disabled: bool) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
        .bind(i64::from(disabled))
        .bind(username)
        .execute(db.pool())
        .await?;
    if disabled {
        end_sessions(db, username).await?;
    }
    Ok(done.rows_affected() > 0)
}

pub async fn set_admin(db: &Db, username: &str, is_admin: bool) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET is_admin = $1 WHERE username = $2")
        .bind(i64::from(is_admin))
        .bind(username)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Creates a team; `false` if the name is taken.
pub async fn create_team(db: &Db, name: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(random_hex(16))
        .bind(name)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a team, its memberships and ownerships (foreign keys cascade); whether it existed.
pub async fn delete_team(db: &Db, name: &str) -> Result<bool, sqlx::Error> {
    // Explicit deletes as well as the cascade: SQLite enforces foreign keys only per
    // connection setting, which the pool sets, but being explicit costs nothing.
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM memberships WHERE team_id IN (SELECT id FROM teams WHERE name = $1)")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM ownership WHERE team_id IN (SELECT id FROM teams WHERE name = $1)")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM team_roles WHERE team_id IN (SELECT id FROM teams WHERE name = $1)")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    let done = sqlx::query("DELETE FROM teams WHERE name = $1").bind(name).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(done.rows_affected() > 0)
}

/// Why a membership could not be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipError {
    NoSuchUser,
    NoSuchTeam,
}

/// Gives `username` `role` in `team` (adding the membership or changing its role). Returns the
/// previous role, if the user was already a member.
pub async fn set_membership(
    db: &Db,
    username: &str,
    team: &str,
    role: Role,
) -> Result<Result<Option<Role>, MembershipError>, sqlx::Error> {
    let Some(user_id) = id_of(db, "users", "username", username).await? else {
        return Ok(Err(MembershipError::NoSuchUser));
    };
    let Some(team_id) = id_of(db, "teams", "name", team).await? else {
        return Ok(Err(MembershipError::NoSuchTeam));
    };
    let previous: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1 AND team_id = $2")
            .bind(&user_id)
            .bind(&team_id)
            .fetch_optional(db.pool())
            .await?;
    let previous = previous.map(Role::try_from).transpose().map_err(|e| sqlx::Error::Decode(e.into()))?;
    sqlx::query(
        "INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, team_id) DO UPDATE SET role = $3",
    )
    .bind(user_id)
    .bind(team_id)
    .bind(role.as_str())
    .execute(db.pool())
    .await?;
    Ok(Ok(previous))
}

/// Removes `username` from `team`; whether they were a member.
pub async fn remove_membership(db: &Db, username: &str, team: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM memberships WHERE user_id IN (SELECT id FROM users WHERE username = $1) \
         AND team_id IN (SELECT id FROM teams WHERE name = $2)",
    )
    .bind(username)
    .bind(team)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

async fn id_of(db: &Db, table: &str, column: &str, value: &str) -> Result<Option<String>, sqlx::Error> {
    // `table` and `column` are constants of this module, never user input.
    sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE {column} = $1"))
        .bind(value)
        .fetch_optional(db.pool())
        .await
}
