//! The audit log: append-only. This module only inserts and reads; nothing in the portal
//! updates or deletes its rows.

use crate::services::{clock::now_ms, db::Db};

/// Longest stored actor/target; longer values (attacker-chosen usernames) are cut.
const MAX_FIELD: usize = 200;

fn cut(s: &str) -> String {
    s.chars().take(MAX_FIELD).collect()
}

pub async fn record(
    db: &Db,
    actor: &str,
    ip: &str,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, ip, action, target, detail, id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now_ms())
    .bind(cut(actor))
    .bind(cut(ip))
    .bind(action)
    .bind(cut(target))
    .bind(detail.to_string())
    .bind(crate::services::ids::new_id())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// The newest `limit` entries, newest first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    sqlx::query_as("SELECT at, actor, ip, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(db.pool())
        .await
}
