//! `/healthz` (the process is alive) and `/readyz` (its dependencies answer).

use std::time::Duration;

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

use crate::state::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": app::VERSION }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let limit = Duration::from_secs(3);
    let (db, ecs) = tokio::join!(
        tokio::time::timeout(limit, state.db.ping()),
        tokio::time::timeout(limit, state.ecs.client.list_clusters().max_results(1).send()),
    );
    let db = match db {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".to_string()),
    };
    let ecs = match ecs {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(aws_sdk_ecs::error::DisplayErrorContext(e).to_string()),
        Err(_) => Err("timed out".to_string()),
    };
    let check = |r: &Result<(), String>| match r {
        Ok(()) => json!({ "status": "ok" }),
        Err(e) => json!({ "status": "failing", "error": e }),
    };
    let failing: Vec<&str> = [("database", &db), ("ecs", &ecs)]
        .into_iter()
        .filter(|(_, r)| r.is_err())
        .map(|(name, _)| name)
        .collect();
    let body = json!({
        "status": if failing.is_empty() { "ready" } else { "unavailable" },
        "failing": failing,
        "checks": { "database": check(&db), "ecs": check(&ecs) },
    });
    let status = if failing.is_empty() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body))
}
