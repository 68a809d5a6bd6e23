//! Login rate limiting, in the database so every replica sees the same counts: failed logins
//! are counted per key (`user:NAME`, `ip:ADDRESS`) in fixed windows.

use sqlx::Row;

use crate::db::Db;

/// Length of a counting window.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failed logins allowed per account in a window.
pub const MAX_PER_ACCOUNT: i64 = 5;
/// Failed logins allowed per address in a window (several people may share one).
pub const MAX_PER_ADDRESS: i64 = 20;

pub fn account_key(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

pub fn address_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// When the key may try again (epoch ms), if it has used up its attempts.
pub async fn blocked_until(db: &Db, key: &str, max: i64, now: i64) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query("SELECT window_start, count FROM login_attempts WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let start: i64 = row.try_get("window_start")?;
    let count: i64 = row.try_get("count")?;
    Ok((start > now - WINDOW_MS && count >= max).then_some(start + WINDOW_MS))
}

/// Counts one failed login for the key (atomically: one statement).
pub async fn record_failure(db: &Db, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO login_attempts (key, window_start, count) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.count + 1 END, \
           window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END",
    )
    .bind(key)
    .bind(now)
    .bind(now - WINDOW_MS)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Forgets the failures of a key (an account after a successful login).
pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE key = $1").bind(key).execute(db.pool()).await?;
    Ok(())
}

/// Forgets windows that have ended (called at each successful login).
pub async fn purge_expired(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
        .bind(now - WINDOW_MS)
        .execute(db.pool())
        .await?;
    Ok(())
}
