//! `GET /history/export.{csv,json}` and `GET /audit/export.{csv,json}`: the rows the page's
//! filters select (every page, newest first), as a download streamed page by page. Plain axum routes, so they check
//! the session themselves: anonymous → 401, audit by a non-admin → 403, bad filters → 422,
//! each with the same JSON error body as server functions.

use std::sync::Arc;

use app::{
    api::PortalError,
    auth::CurrentUser,
    components::time::format_epoch,
    domain::history::{AuditQuery, Cursor, HistoryQuery, PageAt},
};
use axum::{
    body::Body,
    extract::{Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};

use futures::future::BoxFuture;

use crate::state::AppState;
use app::services::{
    audit::{
        query as audit,
        views::{audit_filter, audit_view},
    },
    history::{
        query,
        views::{rollout_filter, rollout_view},
    },
};

/// Rows read per query while exporting; also the rows per chunk of the response body.
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

/// One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180), with
/// quotes doubled; and formula-safe: a cell that begins with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'`, so a spreadsheet shows it as text instead of running
/// it (a failed login records the username as typed, so `=HYPERLINK(…)` would otherwise
/// reach an administrator's spreadsheet).
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
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

/// One page of rows and the cursor of the next (older) page.
type Page<T> = (Vec<T>, Option<Cursor>);
type Fetch<T> = Arc<dyn Fn(PageAt) -> BoxFuture<'static, Result<Page<T>, sqlx::Error>> + Send + Sync>;

/// Streams every row `fetch` yields, page by page (so memory stays at one page however many
/// rows match): CSV with `header`, or a JSON array. The first page is read before answering,
/// so a database that does not answer is a 500; a failure later cuts the download short.
async fn download<T: Send + 'static>(
    format: Format,
    name: &str,
    header: &[&str],
    fetch: Fetch<T>,
    render: fn(T, Format) -> String,
) -> Response {
    let first = match fetch(PageAt::First).await {
        Ok(page) => page,
        Err(e) => return error(app::services::error::storage_failed(&e)),
    };
    let opening = match format {
        Format::Csv => csv_line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>()),
        Format::Json => "[".to_string(),
    };
    // State: the page to send next, whether a row was sent already, the text to put first.
    let body = futures::stream::unfold(Some((first, false, opening)), move |state| {
        let fetch = fetch.clone();
        async move {
            let ((rows, older), mut any, mut out) = state?;
            for row in rows {
                if format == Format::Json && any {
                    out.push(',');
                }
                out.push_str(&render(row, format));
                any = true;
            }
            let next = match older {
                Some(c) => match fetch(PageAt::Older(c)).await {
                    Ok(page) => Some((page, any, String::new())),
                    Err(e) => {
                        tracing::error!(error = %e, "export cut short: database error");
                        return Some((Err(std::io::Error::other("database error")), None));
                    }
                },
                None => {
                    if format == Format::Json {
                        out.push(']');
                    }
                    None
                }
            };
            Some((Ok::<_, std::io::Error>(out), next))
        }
    });
    let (content_type, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response()
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

fn rollout_text(r: query::RolloutRow, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string(&rollout_view(r)).unwrap_or_default(),
        Format::Csv => {
            let duration = r.ended_at.map(|e| (e - r.started_at).to_string()).unwrap_or_default();
            csv_line(&[
                r.id.to_string(),
                time(r.started_at),
                r.ended_at.map(time).unwrap_or_default(),
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
                r.deployment_arn.unwrap_or_default(),
                r.request_id.unwrap_or_default(),
                r.started_at.to_string(),
                r.diff,
            ])
        }
    }
}

fn audit_text(r: audit::AuditRow, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string(&audit_view(r)).unwrap_or_default(),
        Format::Csv => csv_line(&[
            r.id.to_string(),
            time(r.at),
            r.actor,
            r.ip,
            r.action,
            r.target,
            r.detail,
            r.at.to_string(),
        ]),
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
    let filter = match q.parse() {
        Ok((f, _)) => rollout_filter(&f),
        Err(e) => return error(PortalError::Invalid(e)),
    };
    let db = state.services.db.clone();
    let fetch: Fetch<query::RolloutRow> = Arc::new(move |at| {
        let (db, filter) = (db.clone(), filter.clone());
        Box::pin(async move {
            let page = query::list_rollouts(&db, &filter, at, CHUNK).await?;
            Ok((page.rows, page.older))
        })
    });
    download(format, "rollout-history", &HISTORY_HEADER, fetch, rollout_text).await
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
    let filter = match q.parse() {
        Ok((f, _)) => audit_filter(&f),
        Err(e) => return error(PortalError::Invalid(e)),
    };
    let db = state.services.db.clone();
    let fetch: Fetch<audit::AuditRow> = Arc::new(move |at| {
        let (db, filter) = (db.clone(), filter.clone());
        Box::pin(async move {
            let page = audit::list_audit(&db, &filter, at, CHUNK).await?;
            Ok((page.rows, page.older))
        })
    });
    let header = ["id", "at", "actor", "ip", "action", "target", "detail", "at_ms"];
    download(format, "audit-log", &header, fetch, audit_text).await
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

    #[test]
    fn csv_fields_that_a_spreadsheet_would_run_start_with_a_quote() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://evil\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""
        );
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        // Only the first character matters.
        assert_eq!(csv_field("a=b"), "a=b");
        assert_eq!(csv_field("2026-12-06"), "2026-12-06");
    }
}
