//! A row of `api_tokens` as sqlx reads it (`query_as`), for `tokens.rs`.

/// Every column but the secret's hash.
#[derive(sqlx::FromRow)]
pub struct TokenRecord {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub prefix: String,
    /// JSON (`tokens::parse_scope`).
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub const COLUMNS: &str =
    "id, user_id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at";
