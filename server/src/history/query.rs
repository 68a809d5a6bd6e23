//! The read side of `rollouts`: filtered, keyset-paginated, newest first by
//! `(started_at, id)`.
//!
//! Keyset rather than OFFSET so a page costs the same however deep it is, and rows inserted
//! while someone pages do not shift what they see. Each filter with its own index in
//! 0003 (`rollouts_daemon`, `_team`, `_requester`, `_status`, `_started`) ends with
//! `(started_at, id)`, so the database walks one index backwards and stops after a page.
//! Person (requester or approver) cannot use a single index; it walks `rollouts_started`.

pub use app::domain::history::{Cursor, PageAt};
use sqlx::Row;

use crate::db::Db;

/// Every field narrows the result; `None` (or an empty string) does not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RolloutFilter {
    pub cluster: Option<String>,
    pub daemon: Option<String>,
    pub team: Option<String>,
    /// The requester or one of the approvers.
    pub person: Option<String>,
    pub status: Option<String>,
    /// `started_at >= from` (epoch ms).
    pub from: Option<i64>,
    /// `started_at < to` (epoch ms, exclusive).
    pub to: Option<i64>,
}

/// One row of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutRow {
    pub id: String,
    pub request_id: String,
    pub source: String,
    pub kind: String,
    pub cluster: String,
    pub daemon: String,
    pub team: String,
    pub requester: String,
    pub approvers: Vec<String>,
    pub from_revision: String,
    pub to_revision: String,
    pub diff: String,
    pub deployment_arn: String,
    pub status: String,
    pub reason: String,
    pub started_at: i64,
    /// 0 while it runs.
    pub ended_at: i64,
    /// A newer rollout of the same daemon exists (so rolling back to this one means something).
    pub superseded: bool,
}

impl RolloutRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { at: self.started_at, id: self.id.clone() }
    }
}

/// A page, newest first, with the cursors of the neighbouring pages (`None` when there is
/// nothing that way).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RolloutPage {
    pub rows: Vec<RolloutRow>,
    pub older: Option<Cursor>,
    pub newer: Option<Cursor>,
}

pub const MAX_PAGE: i64 = 1000;

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The WHERE clause (without the cursor) and its bind values, numbered from `$1`.
fn where_clause(f: &RolloutFilter) -> (Vec<String>, Vec<BindValue>) {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    for (col, v) in
        [("r.cluster", &f.cluster), ("r.daemon", &f.daemon), ("r.team", &f.team), ("r.status", &f.status)]
    {
        if let Some(v) = non_empty(v) {
            binds.push(BindValue::Text(v.to_string()));
            clauses.push(format!("{col} = ${}", binds.len()));
        }
    }
    if let Some(p) = non_empty(&f.person) {
        binds.push(BindValue::Text(p.to_string()));
        let n = binds.len();
        // Exact, case-sensitive membership in the comma-separated list on both engines:
        // removing ",p," from ",a,b," changes it only if p is one of them. (LIKE would be
        // case-insensitive on SQLite and needs escaping of `_` and `%`.)
        clauses.push(format!(
            "(r.requester = ${n} OR REPLACE(',' || r.approvers || ',', ',' || ${n} || ',', '') \
             <> ',' || r.approvers || ',')"
        ));
    }
    if let Some(from) = f.from {
        binds.push(BindValue::Int(from));
        clauses.push(format!("r.started_at >= ${}", binds.len()));
    }
    if let Some(to) = f.to {
        binds.push(BindValue::Int(to));
        clauses.push(format!("r.started_at < ${}", binds.len()));
    }
    (clauses, binds)
}

const COLUMNS: &str = "r.id, r.request_id, r.source, r.kind, r.cluster, r.daemon, r.team, \
    r.requester, r.approvers, r.from_revision, r.to_revision, r.diff, r.deployment_arn, \
    r.status, r.reason, r.started_at, r.ended_at, \
    CASE WHEN EXISTS (SELECT 1 FROM rollouts n WHERE n.cluster = r.cluster \
      AND n.daemon = r.daemon AND n.started_at >= r.started_at \
      AND (n.started_at > r.started_at OR n.id > r.id)) \
    THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS superseded";

/// The SQL of one page read, for tests and EXPLAIN.
pub fn page_sql(filter: &RolloutFilter, at: PageAt, limit: i64) -> (String, Vec<BindValue>) {
    let (mut clauses, mut binds) = where_clause(filter);
    let order = match at {
        PageAt::First | PageAt::Older(_) => "DESC",
        PageAt::Newer(_) => "ASC",
    };
    if let PageAt::Older(c) | PageAt::Newer(c) = &at {
        binds.push(BindValue::Int(c.at));
        let t = binds.len();
        binds.push(BindValue::Text(c.id.clone()));
        let i = binds.len();
        let op = if matches!(at, PageAt::Older(_)) { "<" } else { ">" };
        // `(started_at, id) < (t, i)` spelled out, plus the redundant `started_at <= t`:
        // PostgreSQL turns the OR alone into a filter on a scan from the newest row (so deep
        // pages would walk every newer row); the plain range becomes its index condition.
        clauses.push(format!("r.started_at {op}= ${t} AND (r.started_at {op} ${t} OR r.id {op} ${i})"));
    }
    binds.push(BindValue::Int(limit + 1));
    let where_sql =
        if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    let sql = format!(
        "SELECT {COLUMNS} FROM rollouts r{where_sql} \
         ORDER BY r.started_at {order}, r.id {order} LIMIT ${}",
        binds.len()
    );
    (sql, binds)
}

/// A value bound to a placeholder of [`page_sql`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindValue {
    Text(String),
    Int(i64),
}

/// Reads one page of at most `limit` rows (1..=[`MAX_PAGE`]).
pub async fn list_rollouts(
    db: &Db,
    filter: &RolloutFilter,
    at: PageAt,
    limit: i64,
) -> Result<RolloutPage, sqlx::Error> {
    let limit = limit.clamp(1, MAX_PAGE);
    let (sql, binds) = page_sql(filter, at.clone(), limit);
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = match b {
            BindValue::Text(s) => q.bind(s),
            BindValue::Int(i) => q.bind(i),
        };
    }
    let mut rows = q.fetch_all(db.pool()).await?.into_iter().map(row).collect::<Result<Vec<_>, _>>()?;
    let (older, newer) = neighbours(at, &mut rows, limit, RolloutRow::cursor);
    Ok(RolloutPage { rows, older, newer })
}

/// Cuts the `limit + 1` rows read for page `at` to `limit`, puts them newest first and works
/// out the cursors of the pages older and newer than it (`None` when there is nothing that
/// way).
pub(crate) fn neighbours<T>(
    at: PageAt,
    rows: &mut Vec<T>,
    limit: i64,
    cursor: impl Fn(&T) -> Cursor,
) -> (Option<Cursor>, Option<Cursor>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if matches!(at, PageAt::Newer(_)) {
        rows.reverse();
    }
    let last = rows.last().map(&cursor);
    let first = rows.first().map(&cursor);
    match at {
        PageAt::First => (last.filter(|_| more), None),
        // A cursor came from a row, so there is something on the other side of it.
        PageAt::Older(c) => (last.filter(|_| more), Some(first.unwrap_or(older_than_all(c)))),
        PageAt::Newer(c) => (Some(last.unwrap_or(newer_than_all(c))), first.filter(|_| more)),
    }
}

/// With an empty page after `Older(c)`, "Newer" should show the rows at and after `c`: a
/// cursor below every id of `c`'s millisecond does that, since nothing older than `c` exists.
fn older_than_all(c: Cursor) -> Cursor {
    Cursor { at: c.at, id: String::new() }
}

/// Likewise after an empty `Newer(c)`: a cursor above every row of `c`'s millisecond (the
/// empty id of the next one), since nothing newer than `c` exists.
fn newer_than_all(c: Cursor) -> Cursor {
    Cursor { at: c.at + 1, id: String::new() }
}

fn row(r: sqlx::any::AnyRow) -> Result<RolloutRow, sqlx::Error> {
    let approvers: String = r.try_get("approvers")?;
    Ok(RolloutRow {
        id: r.try_get("id")?,
        request_id: r.try_get("request_id")?,
        source: r.try_get("source")?,
        kind: r.try_get("kind")?,
        cluster: r.try_get("cluster")?,
        daemon: r.try_get("daemon")?,
        team: r.try_get("team")?,
        requester: r.try_get("requester")?,
        approvers: approvers.split(',').filter(|a| !a.is_empty()).map(str::to_string).collect(),
        from_revision: r.try_get("from_revision")?,
        to_revision: r.try_get("to_revision")?,
        diff: r.try_get("diff")?,
        deployment_arn: r.try_get("deployment_arn")?,
        status: r.try_get("status")?,
        reason: r.try_get("reason")?,
        started_at: r.try_get("started_at")?,
        ended_at: r.try_get("ended_at")?,
        superseded: r.try_get::<i64, _>("superseded")? != 0,
    })
}
