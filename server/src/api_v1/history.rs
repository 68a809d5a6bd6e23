//! `GET /api/v1/history`: rollout history, newest first, keyset-paginated, with the History
//! page's filters (validated by the same `app::domain::history::HistoryQuery`). Any signed-in
//! caller may read it, as on the History page.

use app::domain::history::HistoryQuery;
use axum::{
    extract::{rejection::QueryRejection, Query, State},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{error::ApiError, extract::ApiUser};
use crate::state::AppState;
use app::services::history::{RolloutFilter, RolloutRow};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HistoryParams {
    #[serde(flatten)]
    query: HistoryQuery,
    limit: Option<String>,
}

fn parse_limit(s: Option<&str>) -> Result<i64, String> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_LIMIT),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| format!("A whole number from 1 to {MAX_LIMIT}.")),
    }
}

pub fn rollout_json(r: &RolloutRow) -> Value {
    json!({
        "id": r.id,
        // Documented as strings ("" when none), so the API keeps that shape.
        "request_id": r.request_id.as_deref().unwrap_or_default(),
        "source": r.source,
        "kind": r.kind,
        "environment": r.environment,
        "cluster": r.cluster,
        "daemon": r.daemon,
        "team": r.team,
        "requester": r.requester,
        "approvers": r.approvers,
        "from_revision": r.from_revision,
        "to_revision": r.to_revision,
        "diff": r.diff,
        "deployment_arn": r.deployment_arn.as_deref().unwrap_or_default(),
        "status": r.status,
        "reason": r.reason,
        "started_at": r.started_at,
        "ended_at": r.ended_at,
    })
}

pub async fn history(
    State(state): State<AppState>,
    _caller: ApiUser,
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(params) = params?;
    let parsed = params.query.parse();
    let limit = parse_limit(params.limit.as_deref());
    let (filter, at, limit) = match (parsed, limit) {
        (Ok((f, at)), Ok(limit)) => (f, at, limit),
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
    Ok(Json(json!({
        "rows": page.rows.iter().map(rollout_json).collect::<Vec<_>>(),
        "older": page.older.map(|c| c.encode()),
        "newer": page.newer.map(|c| c.encode()),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded() {
        assert_eq!(parse_limit(None), Ok(DEFAULT_LIMIT));
        assert_eq!(parse_limit(Some("200")), Ok(200));
        for bad in ["0", "201", "-1", "x"] {
            assert!(parse_limit(Some(bad)).is_err(), "{bad}");
        }
    }
}
