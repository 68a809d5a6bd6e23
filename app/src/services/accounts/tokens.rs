//! API tokens in the database. The secret (`dpt_` + 64 hex digits) is shown to its owner once;
//! the table keeps its SHA-256, a short prefix to recognise it by, and the scope as JSON.

use super::{
    sessions::hash_token,
    token_rows::{TokenRecord, COLUMNS as TOKEN_COLUMNS},
    users,
};
use crate::services::{clock::now_ms, db::Db, random::random_hex};
use crate::{
    api::tokens::ApiTokenRow,
    auth::CurrentUser,
    domain::api_token::{TokenScope, TokenSpec, TOKEN_PREFIX},
};

/// `last_used_at` is written at most this often per token.
const TOUCH_EVERY_MS: i64 = 60 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// Characters of the secret kept in clear to tell tokens apart (`dpt_` + 8 hex digits: 32
/// bits of a 256-bit secret).
const SHOWN_PREFIX: usize = TOKEN_PREFIX.len() + 8;

/// Whether a bearer value could be a portal token; others are refused without a lookup.
pub fn well_formed(secret: &str) -> bool {
    secret
        .strip_prefix(TOKEN_PREFIX)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A token's row as the middleware needs it.
pub struct Resolved {
    pub token_id: String,
    pub user: CurrentUser,
}

/// Why a bearer token was refused (all answer 401; the reason goes to the log only).
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    Expired,
    Revoked,
    OwnerDisabled,
}

/// Stores a new token for `user_id`; returns the secret and the row.
pub async fn create(db: &Db, user_id: &str, spec: &TokenSpec) -> Result<(String, ApiTokenRow), sqlx::Error> {
    let secret = format!("{TOKEN_PREFIX}{}", random_hex(32));
    let id = random_hex(16);
    let now = now_ms();
    let expires_at = now + i64::from(spec.expires_days) * DAY_MS;
    let prefix = secret[..SHOWN_PREFIX].to_string();
    let scope = serde_json::to_string(&spec.scope).unwrap_or_else(|_| "{}".into());
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, scope, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(&spec.name)
    .bind(hash_token(&secret))
    .bind(&prefix)
    .bind(&scope)
    .bind(now)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    let row = ApiTokenRow {
        id,
        name: spec.name.clone(),
        prefix,
        scope: spec.scope.labels(),
        created_at: now,
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    Ok((secret, row))
}

fn parse_scope(json: &str) -> TokenScope {
    // An unreadable scope grants nothing.
    serde_json::from_str(json).unwrap_or_default()
}

/// The user a bearer secret stands for, narrowed to the token's scope.
pub async fn resolve(db: &Db, secret: &str) -> Result<Result<Resolved, Refused>, sqlx::Error> {
    if !well_formed(secret) {
        return Ok(Err(Refused::Unknown));
    }
    let Some(row) = sqlx::query_as::<_, TokenRecord>(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"
    ))
    .bind(hash_token(secret))
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(Err(Refused::Unknown));
    };
    let id = row.id;
    let now = now_ms();
    if row.revoked_at.is_some() {
        return Ok(Err(Refused::Revoked));
    }
    if now >= row.expires_at {
        return Ok(Err(Refused::Expired));
    }
    let Some(owner) = users::current_user(db, &row.user_id).await? else {
        return Ok(Err(Refused::OwnerDisabled));
    };
    if row.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY_MS) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(db.pool())
            .await?;
    }
    let scope = parse_scope(&row.scope);
    Ok(Ok(Resolved { token_id: id, user: scope.narrow(&owner) }))
}

/// The user's tokens, newest first.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<ApiTokenRow>, sqlx::Error> {
    let rows = sqlx::query_as::<_, TokenRecord>(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"
    ))
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ApiTokenRow {
            scope: parse_scope(&r.scope).labels(),
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
        .collect())
}

/// Revokes the user's token `id`; the token's name if it was theirs and still active.
pub async fn revoke(db: &Db, user_id: &str, id: &str) -> Result<Option<String>, sqlx::Error> {
    let name: Option<String> = sqlx::query_scalar(
        "SELECT name FROM api_tokens WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    if name.is_some() {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_prefixed_hex_secrets_are_looked_up() {
        let good = format!("{TOKEN_PREFIX}{}", random_hex(32));
        assert!(well_formed(&good));
        assert!(!well_formed(&good[TOKEN_PREFIX.len()..]));
        assert!(!well_formed("dpt_xyz"));
        assert!(!well_formed(&format!("{TOKEN_PREFIX}{}", "g".repeat(64))));
        assert_eq!(good[..SHOWN_PREFIX].len(), 12);
    }
}
