//! Accounts, teams and memberships.

use crate::auth::{CurrentUser, Role};
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
    // The flags are BIGINT 0/1 (both engines), so they are read as integers.
    let row = sqlx::query_as::<_, (String, String, String, i64, i64)>(
        "SELECT id, username, password_hash, is_admin, disabled FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id, username, password_hash, is_admin, disabled)| UserRecord {
        id,
        username,
        password_hash,
        is_admin: is_admin != 0,
        disabled: disabled != 0,
    }))
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) AS n FROM users").fetch_one(db.pool()).await
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
    sqlx::query_scalar("SELECT id FROM teams WHERE name = $1").bind(name).fetch_one(db.pool()).await
}

/// Gives `username` `role` in `team` (created if needed).
pub async fn add_membership(db: &Db, username: &str, team: &str, role: Role) -> Result<(), sqlx::Error> {
    let team_id = ensure_team(db, team).await?;
    let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(db.pool())
        .await?;
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

/// The user named `username` as the UI sees them, unless missing or disabled (the worker acts
/// for whoever started a promotion).
pub async fn current_user_named(db: &Db, username: &str) -> Result<Option<CurrentUser>, sqlx::Error> {
    let id = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    match id {
        Some(id) => current_user(db, &id).await,
        None => Ok(None),
    }
}

/// The user with this id as the UI sees it, unless missing or disabled.
pub async fn current_user(db: &Db, user_id: &str) -> Result<Option<CurrentUser>, sqlx::Error> {
    let Some((username, is_admin)) = sqlx::query_as::<_, (String, i64)>(
        "SELECT username, is_admin FROM users WHERE id = $1 AND disabled = 0",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let teams = sqlx::query_as::<_, (String, String)>(
        "SELECT t.name AS name, m.role AS role FROM memberships m JOIN teams t ON t.id = m.team_id \
         WHERE m.user_id = $1 ORDER BY t.name",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    // The column's CHECK allows only known roles; a role this build does not know grants nothing.
    .filter_map(|(name, role)| Some((name, Role::try_from(role).ok()?)))
    .collect();
    Ok(Some(CurrentUser { username, is_admin: is_admin != 0, teams }))
}
