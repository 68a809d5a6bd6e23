//! The read side of `rollouts`: filtered, keyset-paginated, newest first by
//! `(started_at, id)`.
//!
//! Keyset rather than OFFSET so a page costs the same however deep it is, and rows inserted
//! while someone pages do not shift what they see. Each filter with its own index in
//! 0003 (`rollouts_daemon`, `_team`, `_requester`, `_status`, `_started`) ends with
//! `(started_at, id)`, so the database walks one index backwards and stops after a page.
//! Person (requester or approver) cannot use a single index; it walks `rollouts_started`.

pub use crate::domain::history::{Cursor, PageAt};

use super::rows::RolloutRecord;
use crate::services::{db::Db, sql_builder::SqlBuilder};

/// Every field narrows the result; `None` (or an empty string) does not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RolloutFilter {
    pub environment: Option<String>,
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
    /// `None` for out-of-band changes.
    pub request_id: Option<String>,
    pub source: String,
    pub kind: String,
    /// "" only before the first start claims rows from before environments.
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub team: String,
    pub requester: String,
    pub approvers: Vec<String>,
    pub from_revision: String,
    pub to_revision: String,
    pub diff: String,
    pub deployment_arn: Option<String>,
    pub status: String,
    pub reason: String,
    pub started_at: i64,
    /// `None` while it runs.
    pub ended_at: Option<i64>,
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

/// Adds the filter's conditions (each ` AND …`) to `q`.
fn push_filters(q: &mut SqlBuilder, f: &RolloutFilter) {
    for (col, v) in [
        ("r.environment", &f.environment),
        ("r.cluster", &f.cluster),
        ("r.daemon", &f.daemon),
        ("r.team", &f.team),
        ("r.status", &f.status),
    ] {
        if let Some(v) = non_empty(v) {
            q.push(&format!(" AND {col} = ")).push_bind(v.to_string());
        }
    }
    if let Some(p) = non_empty(&f.person) {
        let n = q.bind(p.to_string());
        // Exact, case-sensitive membership in the comma-separated list on both engines:
        // removing ",p," from ",a,b," changes it only if p is one of them. (LIKE would be
        // case-insensitive on SQLite and needs escaping of `_` and `%`.)
        q.push(&format!(
            " AND (r.requester = {n} OR REPLACE(',' || r.approvers || ',', ',' || {n} || ',', '') \
             <> ',' || r.approvers || ',')"
        ));
    }
    if let Some(from) = f.from {
        q.push(" AND r.started_at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND r.started_at < ").push_bind(to);
    }
}

pub(super) const COLUMNS: &str = "r.id, r.request_id, r.source, r.kind, r.cluster, r.daemon, r.team, \
    r.requester, r.approvers, r.from_revision, r.to_revision, r.diff, r.deployment_arn, \
    r.status, r.reason, r.started_at, r.ended_at, r.environment, \
    CASE WHEN EXISTS (SELECT 1 FROM rollouts n WHERE n.cluster = r.cluster \
      AND n.daemon = r.daemon AND n.environment = r.environment AND n.started_at >= r.started_at \
      AND (n.started_at > r.started_at OR n.id > r.id)) \
    THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS superseded";

/// One page read (SQL and binds), for [`list_rollouts`], tests and EXPLAIN.
pub fn page_sql(filter: &RolloutFilter, at: &PageAt, limit: i64) -> SqlBuilder {
    let mut q = SqlBuilder::new(format!("SELECT {COLUMNS} FROM rollouts r WHERE 1 = 1"));
    push_filters(&mut q, filter);
    let order = match at {
        PageAt::First | PageAt::Older(_) => "DESC",
        PageAt::Newer(_) => "ASC",
    };
    if let PageAt::Older(c) | PageAt::Newer(c) = at {
        let t = q.bind(c.at);
        let i = q.bind(c.id.clone());
        let op = if matches!(at, PageAt::Older(_)) { "<" } else { ">" };
        // `(started_at, id) < (t, i)` spelled out, plus the redundant `started_at <= t`:
        // PostgreSQL turns the OR alone into a filter on a scan from the newest row (so deep
        // pages would walk every newer row); the plain range becomes its index condition.
        q.push(&format!(" AND r.started_at {op}= {t} AND (r.started_at {op} {t} OR r.id {op} {i})"));
    }
    q.push(&format!(" ORDER BY r.started_at {order}, r.id {order} LIMIT ")).push_bind(limit + 1);
    q
}

/// Reads one page of at most `limit` rows (1..=[`MAX_PAGE`]).
pub async fn list_rollouts(
    db: &Db,
    filter: &RolloutFilter,
    at: PageAt,
    limit: i64,
) -> Result<RolloutPage, sqlx::Error> {
    let limit = limit.clamp(1, MAX_PAGE);
    let records = page_sql(filter, &at, limit).fetch_all::<RolloutRecord>(db.pool()).await?;
    let mut rows: Vec<RolloutRow> = records.into_iter().map(RolloutRow::from).collect();
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
