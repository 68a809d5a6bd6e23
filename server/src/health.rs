//! `/healthz` (the process is alive) and `/readyz` (its dependencies answer).
//!
//! `/readyz` is open to anyone (load balancers do not sign in), so it says only which check
//! fails, never why: database and SDK errors name hosts, users and endpoints, and go to the
//! log instead. Its result is reused for [`READY_TTL`], so probing it as fast as one likes
//! costs at most one database ping and one ECS call per interval.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::state::AppState;

/// How long a readiness result is reused.
pub const READY_TTL: Duration = Duration::from_secs(3);

/// The last readiness result and when it was taken; the lock also makes concurrent probes
/// of an expired result wait for one check instead of each running their own.
#[derive(Default)]
pub struct ReadyCache {
    last: Mutex<Option<(Instant, StatusCode, Value)>>,
    /// Checks actually run (for tests).
    checks: std::sync::atomic::AtomicU64,
}

impl ReadyCache {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// How many times the dependencies were really checked.
    pub fn checks_run(&self) -> u64 {
        self.checks.load(std::sync::atomic::Ordering::Relaxed)
    }
}

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": app::VERSION }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let mut last = state.readiness.last.lock().await;
    if let Some((at, status, body)) = last.as_ref() {
        if at.elapsed() < READY_TTL {
            return (*status, Json(body.clone()));
        }
    }
    let (status, body) = check(&state).await;
    state.readiness.checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    *last = Some((Instant::now(), status, body.clone()));
    (status, Json(body))
}

async fn check(state: &AppState) -> (StatusCode, Value) {
    let limit = Duration::from_secs(3);
    let (db, ecs) = tokio::join!(
        tokio::time::timeout(limit, state.services.db.ping()),
        tokio::time::timeout(limit, state.services.gateway.ecs.client.list_clusters().max_results(1).send()),
    );
    let db_ok = match db {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database check failed");
            false
        }
        Err(_) => {
            tracing::warn!("readiness: the database check timed out");
            false
        }
    };
    let ecs_ok = match ecs {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %aws_sdk_ecs::error::DisplayErrorContext(e), "readiness: the ECS check failed");
            false
        }
        Err(_) => {
            tracing::warn!("readiness: the ECS check timed out");
            false
        }
    };
    let check = |ok: bool| {
        if ok {
            json!({ "status": "ok" })
        } else {
            json!({ "status": "failing", "error": "not reachable; see the portal's log" })
        }
    };
    let failing: Vec<&str> = [("database", db_ok), ("ecs", ecs_ok)]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| name)
        .collect();
    let body = json!({
        "status": if failing.is_empty() { "ready" } else { "unavailable" },
        "failing": failing,
        "checks": { "database": check(db_ok), "ecs": check(ecs_ok) },
    });
    let status = if failing.is_empty() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, body)
}
