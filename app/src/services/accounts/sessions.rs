//! Sessions in the database, so any replica can serve any user. The cookie carries a random
//! 32-byte token; the table keeps only its SHA-256, so a database leak yields no usable cookie.

use crate::auth::CurrentUser;
use sha2::{Digest, Sha256};

use super::users;
use crate::services::{
    clock::now_ms,
    db::Db,
    random::{hex, random_hex},
};

/// A session unused for this long ends (sliding, through `last_seen_at`).
pub const IDLE_MS: i64 = 8 * 3600 * 1000;
/// A session ends this long after login, used or not.
pub const ABSOLUTE_MS: i64 = 7 * 24 * 3600 * 1000;
/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// The database key of a token.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Whether a cookie value could be a token at all (64 hex digits); others are not looked up.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Opens a new session for the user; returns the token for the cookie.
pub async fn create(db: &Db, user_id: &str, ip: &str) -> Result<String, sqlx::Error> {
    let token = random_hex(32);
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip) VALUES ($1, $2, $3, $3, $4, $5)",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(now)
    .bind(now + ABSOLUTE_MS)
    .bind(ip)
    .execute(db.pool())
    .await?;
    Ok(token)
}

/// Removes sessions past their idle or absolute expiry (called at each login).
pub async fn purge_expired(db: &Db) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - IDLE_MS)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The user a live session token belongs to; expired sessions are removed and give `None`.
pub async fn resolve(db: &Db, token: &str) -> Result<Option<CurrentUser>, sqlx::Error> {
    if !well_formed(token) {
        return Ok(None);
    }
    let id = hash_token(token);
    let Some((user_id, last_seen, expires)) = sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT user_id, last_seen_at, expires_at FROM sessions WHERE id = $1",
    )
    .bind(&id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let now = now_ms();
    if now >= expires || now - last_seen >= IDLE_MS {
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(&id).execute(db.pool()).await?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(db.pool())
            .await?;
    }
    users::current_user(db, &user_id).await
}

/// Ends a session; returns the username it belonged to, if it existed.
pub async fn delete(db: &Db, token: &str) -> Result<Option<String>, sqlx::Error> {
    if !well_formed(token) {
        return Ok(None);
    }
    let id = hash_token(token);
    let username: Option<String> = sqlx::query_scalar(
        "SELECT u.username AS username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
    )
    .bind(&id)
    .fetch_optional(db.pool())
    .await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(&id).execute(db.pool()).await?;
    Ok(username)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hash_to_sha256_hex_and_malformed_ones_are_skipped() {
        let t = random_hex(32);
        assert!(well_formed(&t));
        assert_eq!(hash_token(&t).len(), 64);
        assert_ne!(hash_token(&t), t);
        assert!(!well_formed("abc"));
        assert!(!well_formed(&"z".repeat(64)));
    }
}
