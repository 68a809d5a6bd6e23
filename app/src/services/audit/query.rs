//! The audit log viewer's read: filtered, keyset-paginated, newest first by `(at, id)`.
//! Reads only — the audit log is append-only (see `crate::services::audit::log`), and nothing here
//! or in the viewer edits or deletes it.

pub use crate::domain::history::{Cursor, PageAt};

use crate::services::{db::Db, sql_builder::SqlBuilder};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// `at >= from` (epoch ms).
    pub from: Option<i64>,
    /// `at < to` (epoch ms).
    pub to: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub older: Option<Cursor>,
    pub newer: Option<Cursor>,
}

fn page_sql(f: &AuditFilter, at: &PageAt, limit: i64) -> SqlBuilder {
    let mut q =
        SqlBuilder::new("SELECT id, at, actor, ip, action, target, detail FROM audit_log WHERE 1 = 1");
    for (col, v) in [("actor", &f.actor), ("action", &f.action)] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            q.push(&format!(" AND {col} = ")).push_bind(v.to_string());
        }
    }
    if let Some(from) = f.from {
        q.push(" AND at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND at < ").push_bind(to);
    }
    if let PageAt::Older(c) | PageAt::Newer(c) = at {
        let op = if matches!(at, PageAt::Older(_)) { "<" } else { ">" };
        let t = q.bind(c.at);
        let i = q.bind(c.id.clone());
        // As in `query::page_sql`: the redundant plain range bounds the index scan.
        q.push(&format!(" AND at {op}= {t} AND (at {op} {t} OR id {op} {i})"));
    }
    let order = if matches!(at, PageAt::Newer(_)) { "ASC" } else { "DESC" };
    q.push(&format!(" ORDER BY at {order}, id {order} LIMIT ")).push_bind(limit + 1);
    q
}

/// One page of at most `limit` entries (1..=1000), newest first.
pub async fn list_audit(db: &Db, f: &AuditFilter, at: PageAt, limit: i64) -> Result<AuditPage, sqlx::Error> {
    let limit = limit.clamp(1, crate::services::history::query::MAX_PAGE);
    let mut rows = page_sql(f, &at, limit).fetch_all::<AuditRow>(db.pool()).await?;
    let cursor = |r: &AuditRow| Cursor { at: r.at, id: r.id.clone() };
    let (older, newer) = crate::services::history::query::neighbours(at, &mut rows, limit, cursor);
    Ok(AuditPage { rows, older, newer })
}
