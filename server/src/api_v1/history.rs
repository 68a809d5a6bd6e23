//! `GET /api/v1/history`: rollout history, newest first, keyset-paginated, with the History
//! page's filters (validated by the same `app::domain::history::HistoryQuery`). Any signed-in
//! caller may read it, as on the History page.

use app::{domain::history::HistoryQuery, services::history::RolloutFilter};
use axum::{
    extract::{rejection::QueryRejection, Query, State},
    Json,
};
use serde::Deserialize;

use super::{
    dto::{
        common::ErrorBody,
        history::{Rollout, RolloutPage},
    },
    error::ApiError,
    extract::ApiUser,
    paging::parse_limit,
};
use crate::state::AppState;

/// The History page's filters.
/// (Documented one by one on the route: `HistoryQuery` is the page's type.)
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HistoryParams {
    #[serde(flatten)]
    query: HistoryQuery,
    /// 1–200 (default 50).
    limit: Option<String>,
}

#[utoipa::path(get, path = "/history", tag = "history",
    params(
        ("environment" = Option<String>, Query, description = "An environment's name."),
        ("cluster" = Option<String>, Query, description = "A cluster's name."),
        ("daemon" = Option<String>, Query, description = "A daemon's name."),
        ("team" = Option<String>, Query, description = "A team."),
        ("person" = Option<String>, Query, description = "Requester or approver."),
        ("status" = Option<String>, Query, description = "A rollout status."),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD, UTC, inclusive."),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD, UTC, inclusive."),
        ("older" = Option<String>, Query, description = "The `next` of the previous page."),
        ("newer" = Option<String>, Query, description = "The `previous` of the previous page."),
        ("limit" = Option<String>, Query, description = "1–200 (default 50)."),
    ),
    responses((status = 200, description = "One page of rollouts, newest first.", body = RolloutPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 422, description = "A filter is invalid (`fields` says which).", body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    _caller: ApiUser,
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Json<RolloutPage>, ApiError> {
    let Query(params) = params?;
    let parsed = params.query.parse();
    let limit = parse_limit(params.limit.as_deref());
    let (filter, at, limit) = match (parsed, limit) {
        (Ok((f, at)), Ok(limit)) => (f, at, limit as i64),
        (parsed, limit) => {
            let mut errors = parsed.err().unwrap_or_default();
            if let Err(e) = limit {
                errors.add("limit", e);
            }
            return Err(errors.into());
        }
    };
    let filter = RolloutFilter {
        environment: filter.environment,
        cluster: filter.cluster,
        daemon: filter.daemon,
        team: filter.team,
        person: filter.person,
        status: filter.status,
        from: filter.from_ms,
        to: filter.to_ms,
    };
    let page = state.services.history.rollouts(&filter, at, limit).await?;
    Ok(Json(RolloutPage {
        items: page.rows.into_iter().map(Rollout::from).collect(),
        next: page.older.map(|c| c.encode()),
        previous: page.newer.map(|c| c.encode()),
    }))
}
