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
    let envs = &state.services.environments;
    let (db, environments) = tokio::join!(tokio::time::timeout(limit, state.services.db.ping()), async {
        // Each environment with its own credentials, all at once: one slow account costs one
        // check timeout, and never fails the others.
        let rows = envs.list_or_known().await;
        let checks = futures::future::join_all(rows.iter().map(|r| envs.check_now(&r.env))).await;
        rows.into_iter().map(|r| r.env.name).zip(checks).collect::<Vec<_>>()
    });
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
    for (_, c) in environments.iter().filter(|(_, c)| !c.ok) {
        tracing::warn!(check = %c.message, "readiness: an environment does not answer");
    }
    // The portal serves as long as one environment answers: an account whose role is
    // misconfigured must not take the portal away from the others.
    let ecs_ok = environments.iter().any(|(_, c)| c.ok);
    let check = |ok: bool| {
        if ok {
            json!({ "status": "ok" })
        } else {
            json!({ "status": "failing", "error": "not reachable; see the portal's log" })
        }
    };
    // Anyone may ask: each environment's failure by its code only (`AccessDenied`), never the
    // message, which names accounts and roles (the admin page shows it).
    let per_env: serde_json::Map<String, Value> = environments
        .iter()
        .map(|(name, c)| {
            let v = if c.ok {
                json!({ "status": "ok" })
            } else {
                json!({ "status": "failing", "error": c.code.clone().unwrap_or_else(|| "Unknown".into()) })
            };
            (name.clone(), v)
        })
        .collect();
    let failing: Vec<&str> = [("database", db_ok), ("ecs", ecs_ok)]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| name)
        .collect();
    let degraded: Vec<&str> = environments.iter().filter(|(_, c)| !c.ok).map(|(n, _)| n.as_str()).collect();
    let body = json!({
        "status": if failing.is_empty() { "ready" } else { "unavailable" },
        "failing": failing,
        "degraded": degraded,
        "checks": { "database": check(db_ok), "ecs": check(ecs_ok) },
        "environments": per_env,
    });
    let status = if failing.is_empty() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, body)
}
