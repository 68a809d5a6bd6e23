//! `GET /history/export.{csv,json}` and `GET /audit/export.{csv,json}`: the rows the page's
//! filters select (every page, newest first), as a download. Plain axum routes, so they check
//! the session themselves: anonymous → 401, audit by a non-admin → 403, bad filters → 422,
//! each with the same JSON error body as server functions.

use app::{
    api::PortalError,
    auth::CurrentUser,
    components::time::format_epoch,
    domain::history::{AuditQuery, HistoryQuery, PageAt},
};
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};

use super::{audit, query};
use crate::{
    backend::history::{audit_filter, audit_view, rollout_filter, rollout_view},
    state::AppState,
};

/// The most rows one export holds; past it the download is cut and says so in the
/// `X-Export-Truncated` header.
pub const MAX_EXPORT_ROWS: usize = 100_000;
/// Rows read per query while exporting.
const CHUNK: i64 = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

fn error(e: PortalError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(e)).into_response()
}

fn db_failed(e: sqlx::Error) -> Response {
    error(crate::auth::db_error(e))
}

/// One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180), with
/// quotes doubled.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_line(fields: &[String]) -> String {
    let mut line = fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

fn time(ms: i64) -> String {
    if ms > 0 {
        format_epoch(ms as f64 / 1000.0)
    } else {
        String::new()
    }
}

fn download(format: Format, name: &str, body: String, truncated: bool) -> Response {
    let (content_type, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    let mut res = (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response();
    if truncated {
        res.headers_mut().insert("x-export-truncated", header::HeaderValue::from_static("true"));
    }
    res
}

const HISTORY_HEADER: [&str; 19] = [
    "id",
    "started_at",
    "ended_at",
    "duration_ms",
    "cluster",
    "daemon",
    "source",
    "kind",
    "team",
    "requester",
    "approvers",
    "from_revision",
    "to_revision",
    "status",
    "reason",
    "deployment_arn",
    "request_id",
    "started_at_ms",
    "diff",
];

/// Every row the filters select, newest first (at most [`MAX_EXPORT_ROWS`]); and whether it
/// was cut.
async fn all_rollouts(
    state: &AppState,
    filter: &query::RolloutFilter,
) -> Result<(Vec<query::RolloutRow>, bool), sqlx::Error> {
    let mut rows = Vec::new();
    let mut at = PageAt::First;
    loop {
        let page = query::list_rollouts(&state.db, filter, at, CHUNK).await?;
        rows.extend(page.rows);
        if rows.len() >= MAX_EXPORT_ROWS {
            let truncated = rows.len() > MAX_EXPORT_ROWS || page.older.is_some();
            rows.truncate(MAX_EXPORT_ROWS);
            return Ok((rows, truncated));
        }
        match page.older {
            Some(c) => at = PageAt::Older(c),
            None => return Ok((rows, false)),
        }
    }
}

pub async fn history(
    state: &AppState,
    user: Option<Extension<CurrentUser>>,
    q: &HistoryQuery,
    format: Format,
) -> Response {
    if user.is_none() {
        return error(PortalError::Unauthenticated);
    }
    let (filter, _) = match q.parse() {
        Ok(v) => v,
        Err(e) => return error(PortalError::Invalid(e)),
    };
    let (rows, truncated) = match all_rollouts(state, &rollout_filter(&filter)).await {
        Ok(v) => v,
        Err(e) => return db_failed(e),
    };
    let body = match format {
        Format::Json => {
            let views: Vec<_> = rows.into_iter().map(rollout_view).collect();
            serde_json::to_string(&views).unwrap_or_else(|_| "[]".into())
        }
        Format::Csv => {
            let mut out = csv_line(&HISTORY_HEADER.map(String::from));
            for r in rows {
                let duration =
                    if r.ended_at > 0 { (r.ended_at - r.started_at).to_string() } else { String::new() };
                out.push_str(&csv_line(&[
                    r.id.to_string(),
                    time(r.started_at),
                    time(r.ended_at),
                    duration,
                    r.cluster,
                    r.daemon,
                    r.source,
                    r.kind,
                    r.team,
                    r.requester,
                    r.approvers.join(" "),
                    r.from_revision,
                    r.to_revision,
                    r.status,
                    r.reason,
                    r.deployment_arn,
                    r.request_id,
                    r.started_at.to_string(),
                    r.diff,
                ]));
            }
            out
        }
    };
    download(format, "rollout-history", body, truncated)
}

pub async fn audit_log(
    state: &AppState,
    user: Option<Extension<CurrentUser>>,
    q: &AuditQuery,
    format: Format,
) -> Response {
    let Some(Extension(user)) = user else {
        return error(PortalError::Unauthenticated);
    };
    if !user.is_admin() {
        return error(PortalError::Forbidden("Only administrators may read the audit log.".into()));
    }
    let (filter, _) = match q.parse() {
        Ok(v) => v,
        Err(e) => return error(PortalError::Invalid(e)),
    };
    let filter = audit_filter(&filter);
    let mut rows = Vec::new();
    let mut at = PageAt::First;
    let mut truncated = false;
    loop {
        let page = match audit::list_audit(&state.db, &filter, at, CHUNK).await {
            Ok(p) => p,
            Err(e) => return db_failed(e),
        };
        rows.extend(page.rows.into_iter().map(audit_view));
        if rows.len() >= MAX_EXPORT_ROWS {
            truncated = rows.len() > MAX_EXPORT_ROWS || page.older.is_some();
            rows.truncate(MAX_EXPORT_ROWS);
            break;
        }
        match page.older {
            Some(c) => at = PageAt::Older(c),
            None => break,
        }
    }
    let body = match format {
        Format::Json => serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into()),
        Format::Csv => {
            let mut out = csv_line(
                &["id", "at", "actor", "ip", "action", "target", "detail", "at_ms"].map(String::from),
            );
            for r in rows {
                out.push_str(&csv_line(&[
                    r.id.to_string(),
                    time(r.at),
                    r.actor,
                    r.ip,
                    r.action,
                    r.target,
                    r.detail,
                    r.at.to_string(),
                ]));
            }
            out
        }
    };
    download(format, "audit-log", body, truncated)
}

pub async fn history_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    history(&state, user, &q, Format::Csv).await
}

pub async fn history_json(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    history(&state, user, &q, Format::Json).await
}

pub async fn audit_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Query(q): Query<AuditQuery>,
) -> Response {
    audit_log(&state, user, &q, Format::Csv).await
}

pub async fn audit_json(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Query(q): Query<AuditQuery>,
) -> Response {
    audit_log(&state, user, &q, Format::Json).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field(""), "");
    }
}
