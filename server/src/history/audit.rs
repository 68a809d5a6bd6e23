//! The audit log viewer's read: filtered, keyset-paginated, newest first by `(at, id)`.
//! Reads only — the audit log is append-only (see `crate::auth::audit`), and nothing here
//! or in the viewer edits or deletes it.

use sqlx::Row;

pub use app::domain::history::{Cursor, PageAt};

use super::query::BindValue;
use crate::db::Db;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// `at >= from` (epoch ms).
    pub from: Option<i64>,
    /// `at < to` (epoch ms).
    pub to: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
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

fn page_sql(f: &AuditFilter, at: PageAt, limit: i64) -> (String, Vec<BindValue>) {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    for (col, v) in [("actor", &f.actor), ("action", &f.action)] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            binds.push(BindValue::Text(v.to_string()));
            clauses.push(format!("{col} = ${}", binds.len()));
        }
    }
    if let Some(from) = f.from {
        binds.push(BindValue::Int(from));
        clauses.push(format!("at >= ${}", binds.len()));
    }
    if let Some(to) = f.to {
        binds.push(BindValue::Int(to));
        clauses.push(format!("at < ${}", binds.len()));
    }
    if let PageAt::Older(c) | PageAt::Newer(c) = &at {
        let op = if matches!(at, PageAt::Older(_)) { "<" } else { ">" };
        binds.push(BindValue::Int(c.at));
        let t = binds.len();
        binds.push(BindValue::Text(c.id.clone()));
        let i = binds.len();
        // As in `query::page_sql`: the redundant plain range bounds the index scan.
        clauses.push(format!("at {op}= ${t} AND (at {op} ${t} OR id {op} ${i})"));
    }
    let order = if matches!(at, PageAt::Newer(_)) { "ASC" } else { "DESC" };
    binds.push(BindValue::Int(limit + 1));
    let where_sql =
        if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    let sql = format!(
        "SELECT id, at, actor, ip, action, target, detail FROM audit_log{where_sql} \
         ORDER BY at {order}, id {order} LIMIT ${}",
        binds.len()
    );
    (sql, binds)
}

/// One page of at most `limit` entries (1..=1000), newest first.
pub async fn list_audit(db: &Db, f: &AuditFilter, at: PageAt, limit: i64) -> Result<AuditPage, sqlx::Error> {
    let limit = limit.clamp(1, super::query::MAX_PAGE);
    let (sql, binds) = page_sql(f, at.clone(), limit);
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = match b {
            BindValue::Text(s) => q.bind(s),
            BindValue::Int(i) => q.bind(i),
        };
    }
    let mut rows = q
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                ip: r.try_get("ip")?,
                action: r.try_get("action")?,
                target: r.try_get("target")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let cursor = |r: &AuditRow| Cursor { at: r.at, id: r.id.clone() };
    let (older, newer) = super::query::neighbours(at, &mut rows, limit, cursor);
    Ok(AuditPage { rows, older, newer })
}
