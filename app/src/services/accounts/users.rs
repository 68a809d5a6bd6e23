//! Accounts, teams and memberships.

use crate::auth::{CurrentUser, Role};
use sqlx::Row;

use crate::services::{clock::now_ms, db::Db, random::random_hex};

/// A row of `users`.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub disabled: bool,
}

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, username, password_hash, is_admin, disabled FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(db.pool())
            .await?;
    row.map(|r| {
        Ok(UserRecord {
            id: r.try_get("id")?,
            username: r.try_get("username")?,
            password_hash: r.try_get("password_hash")?,
            is_admin: r.try_get::<i64, _>("is_admin")? != 0,
            disabled: r.try_get::<i64, _>("disabled")? != 0,
        })
    })
    .transpose()
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(db.pool()).await?.try_get("n")
}

/// Creates a user unless the name is taken; `Some(id)` if this call created it.
pub async fn create(
    db: &Db,
    username: &str,
    password_hash: &str,
    is_admin: bool,
) -> Result<Option<String>, sqlx::Error> {
    let id = random_hex(16);
    let done = sqlx::query(
        "INSERT INTO users (id, username, password_hash, is_admin, created_at, disabled) \
         VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (username) DO NOTHING",
    )
    .bind(&id)
    .bind(username)
    .bind(password_hash)
    .bind(i64::from(is_admin))
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// The id of the team with this name, creating it if needed.
pub async fn ensure_team(db: &Db, name: &str) -> Result<String, sqlx::Error> {
    sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(random_hex(16))
        .bind(name)
        .execute(db.pool())
        .await?;
    sqlx::query("SELECT id FROM teams WHERE name = $1").bind(name).fetch_one(db.pool()).await?.try_get("id")
}

/// Gives `username` `role` in `team` (created if needed).
pub async fn add_membership(db: &Db, username: &str, team: &str, role: Role) -> Result<(), sqlx::Error> {
    let team_id = ensure_team(db, team).await?;
    let user_id: String = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(db.pool())
        .await?
        .try_get("id")?;
    sqlx::query(
        "INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, team_id) DO UPDATE SET role = $3",
    )
    .bind(user_id)
    .bind(team_id)
    .bind(role.as_str())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The user with this id as the UI sees it, unless missing or disabled.
pub async fn current_user(db: &Db, user_id: &str) -> Result<Option<CurrentUser>, sqlx::Error> {
    let Some(row) = sqlx::query("SELECT username, is_admin FROM users WHERE id = $1 AND disabled = 0")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(None);
    };
    let teams = sqlx::query(
        "SELECT t.name AS name, m.role AS role FROM memberships m JOIN teams t ON t.id = m.team_id \
         WHERE m.user_id = $1 ORDER BY t.name",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .filter_map(|r| {
        let name: String = r.try_get("name").ok()?;
        let role: String = r.try_get("role").ok()?;
        Some((name, Role::parse(&role)?))
    })
    .collect();
    Ok(Some(CurrentUser {
        username: row.try_get("username")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        teams,
    }))
}
