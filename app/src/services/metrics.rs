//! Prometheus metrics, recorded through the `metrics` facade where things happen: ECS calls
//! (an interceptor on every ECS and CloudWatch client), rollouts when a change request ends,
//! webhook deliveries and worker rounds. The server installs the recorder and serves
//! `/metrics` on its own listener (`server/src/metrics.rs`, `PORTAL_METRICS_ADDR`); without
//! it every call here is a no-op. What is read from the database at scrape time (requests by
//! state, leases, the webhook outbox) is [`Snapshot`].
//!
//! The recorder is process-wide: several portals in one process (tests) share the counters,
//! and the ECS ones carry the environment's name to tell them apart.

use std::time::Instant;

use aws_smithy_runtime_api::{
    box_error::BoxError,
    client::{
        interceptors::{
            context::{BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef},
            Intercept,
        },
        orchestrator::{HttpResponse, Metadata, OrchestratorError},
        retries::RequestAttempts,
        runtime_components::RuntimeComponents,
    },
};
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use metrics::{counter, gauge, histogram};
use sqlx::Row;

use crate::domain::change::ChangeState;
use crate::services::{clock::now_ms, db::Db};

/// Every metric's name, so the server can describe them and give histograms their buckets.
pub mod names {
    pub const HTTP_REQUESTS: &str = "portal_http_requests_total";
    pub const HTTP_DURATION: &str = "portal_http_request_duration_seconds";
    pub const ECS_CALLS: &str = "portal_ecs_calls_total";
    pub const ECS_DURATION: &str = "portal_ecs_call_duration_seconds";
    pub const ECS_THROTTLES: &str = "portal_ecs_throttles_total";
    pub const ECS_RETRIES: &str = "portal_ecs_retries_total";
    pub const ROLLOUT_DURATION: &str = "portal_rollout_duration_seconds";
    pub const WEBHOOK_DELIVERIES: &str = "portal_webhook_deliveries_total";
    pub const WORKER_ROUND_DURATION: &str = "portal_worker_round_duration_seconds";
    // Read at scrape time (`Snapshot`).
    pub const CHANGE_REQUESTS: &str = "portal_change_requests";
    pub const WORKER_LAST_ROUND_AGE: &str = "portal_worker_last_round_age_seconds";
    pub const WEBHOOK_OUTBOX: &str = "portal_webhook_outbox_messages";
    pub const WEBHOOK_OLDEST_DUE: &str = "portal_webhook_oldest_due_age_seconds";
    pub const LEASE_HOLDER: &str = "portal_lease_holder";
    pub const REQUEST_LEASES: &str = "portal_change_request_leases";
    pub const REPLICAS_ALIVE: &str = "portal_replicas_alive";
    pub const INSTANCE: &str = "portal_instance_info";
}

// ---- ECS and CloudWatch calls ----

/// Counts and times every call of the client it is added to (one per environment's ECS and
/// CloudWatch client, `environments/clients.rs`): by operation and outcome, with its throttled
/// attempts and retries. The operation's name comes from the call's `Metadata`; the outcome is
/// `success` or the AWS error code of the last answer (`ThrottlingException`,
/// `ClusterNotFoundException`, …), else `http_<status>`, `timeout` or `connection_error`.
#[derive(Debug, Clone)]
pub struct EcsMetrics {
    environment: String,
}

impl EcsMetrics {
    pub fn new(environment: &str) -> Self {
        Self { environment: environment.to_string() }
    }
}

/// When the call started, kept in the call's own config bag.
#[derive(Debug, Clone)]
struct CallStarted(Instant);

impl Storable for CallStarted {
    type Storer = StoreReplace<Self>;
}

fn operation(cfg: &ConfigBag) -> (String, String) {
    match cfg.load::<Metadata>() {
        Some(m) => (m.service().to_string(), m.name().to_string()),
        None => ("unknown".to_string(), "unknown".to_string()),
    }
}

impl Intercept for EcsMetrics {
    fn name(&self) -> &'static str {
        "PortalMetrics"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(CallStarted(Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.response().is_some_and(|r| is_throttle(r.status().as_u16(), error_code(r).as_deref())) {
            let (service, operation) = operation(cfg);
            counter!(names::ECS_THROTTLES, "environment" => self.environment.clone(),
                "service" => service, "operation" => operation)
            .increment(1);
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = operation(cfg);
        let outcome = match context.output_or_error() {
            Some(Ok(_)) => "success".to_string(),
            Some(Err(e)) => failure(e, context.response()),
            None => "unknown".to_string(),
        };
        let env = self.environment.clone();
        counter!(names::ECS_CALLS, "environment" => env.clone(), "service" => service.clone(),
            "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
        if let Some(CallStarted(started)) = cfg.load::<CallStarted>() {
            histogram!(names::ECS_DURATION, "environment" => env.clone(), "service" => service.clone(),
                "operation" => operation.clone())
            .record(started.elapsed().as_secs_f64());
        }
        let attempts = cfg.load::<RequestAttempts>().map(|a| a.attempts()).unwrap_or(1);
        if attempts > 1 {
            counter!(names::ECS_RETRIES, "environment" => env, "service" => service,
                "operation" => operation)
            .increment(u64::from(attempts - 1));
        }
        Ok(())
    }
}

/// The outcome label of a failed call.
fn failure<E>(e: &OrchestratorError<E>, response: Option<&HttpResponse>) -> String {
    if e.is_timeout_error() {
        return "timeout".to_string();
    }
    if e.is_connector_error() {
        return "connection_error".to_string();
    }
    match response {
        Some(r) => error_code(r).unwrap_or_else(|| format!("http_{}", r.status().as_u16())),
        None => "error".to_string(),
    }
}

/// The AWS error code of an answer: `x-amzn-query-error` (`Code;Sender`, awsQuery-compatible
/// services such as CloudWatch), `x-amzn-errortype` (`Code:uri`), else a JSON body's `__type`
/// (`namespace#Code`). None for a success or a body without one.
pub fn error_code(response: &HttpResponse) -> Option<String> {
    if response.status().is_success() {
        return None;
    }
    let headers = response.headers();
    let code = if let Some(v) = headers.get("x-amzn-query-error") {
        v.split(';').next().map(str::to_string)
    } else if let Some(v) = headers.get("x-amzn-errortype") {
        Some(v.split(':').next().unwrap_or(v).to_string())
    } else {
        response.body().bytes().and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok()).and_then(
            |v| {
                v.get("__type").and_then(|t| t.as_str()).map(|t| t.split(':').next().unwrap_or(t).to_string())
            },
        )
    }?;
    let code = code.rsplit('#').next().unwrap_or(&code).trim().to_string();
    // A label value stays short and made of plain characters whatever a server sends.
    let clean = code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') && code.len() <= 64;
    (clean && !code.is_empty()).then_some(code)
}

/// Whether an attempt was throttled: HTTP 429, or one of the AWS throttling error codes.
fn is_throttle(status: u16, code: Option<&str>) -> bool {
    status == 429
        || code.is_some_and(|c| {
            matches!(
                c,
                "Throttling"
                    | "ThrottlingException"
                    | "ThrottledException"
                    | "RequestThrottled"
                    | "RequestThrottledException"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded"
                    | "SlowDown"
            )
        })
}

// ---- Events ----

/// A change request that had started (portal clock at `executed_at`) ended now in `state`.
pub fn rollout_finished(environment: &str, cluster: &str, kind: &str, state: &str, executed_at_ms: i64) {
    let seconds = (now_ms() - executed_at_ms).max(0) as f64 / 1000.0;
    histogram!(names::ROLLOUT_DURATION, "environment" => environment.to_string(),
        "cluster" => cluster.to_string(), "kind" => kind.to_string(), "outcome" => state.to_string())
    .record(seconds);
}

/// One webhook delivery attempt: `delivered`, `http_4xx`, `http_5xx`, `timeout`,
/// `connection_error` or `error`.
pub fn webhook_delivery(outcome: &'static str) {
    counter!(names::WEBHOOK_DELIVERIES, "outcome" => outcome).increment(1);
}

/// One round of the background worker took `seconds`.
pub fn worker_round(seconds: f64) {
    histogram!(names::WORKER_ROUND_DURATION).record(seconds);
}

// ---- Read at scrape time ----

/// What `/metrics` reads from the database (and this replica) when it is scraped.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub instance: String,
    /// Change requests in each state (every state, zero included).
    pub requests_by_state: Vec<(&'static str, i64)>,
    /// Seconds since this replica's worker last finished a round (None before the first).
    pub last_round_age: Option<f64>,
    /// Unsent webhook messages (`pending`: will be tried again; `failed`: given up).
    pub outbox_pending: i64,
    pub outbox_failed: i64,
    /// Age of the oldest webhook message that is due and unsent, in seconds (0: none).
    pub oldest_due_webhook: f64,
    /// Unexpired named leases (`drift`, `inventory:<environment>`, `promotion:<id>`): name and holder.
    pub leases: Vec<(String, String)>,
    /// Change requests whose lease each replica holds.
    pub request_leases: Vec<(String, i64)>,
    pub replicas_alive: i64,
}

impl Snapshot {
    /// Reads it; `last_round_ms` is the worker's (`ChangeEngine::last_round_ms`, 0: none yet).
    pub async fn read(db: &Db, instance: &str, last_round_ms: i64) -> Result<Self, sqlx::Error> {
        let now = now_ms();
        let counts = sqlx::query("SELECT state, COUNT(*) AS n FROM change_requests GROUP BY state")
            .fetch_all(db.pool())
            .await?;
        let mut requests_by_state: Vec<(&'static str, i64)> =
            ChangeState::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for row in counts {
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            if let Some(slot) = requests_by_state.iter_mut().find(|(s, _)| *s == state) {
                slot.1 = n;
            }
        }
        let outbox_pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE sent_at = 0 AND attempts < $1")
                .bind(crate::services::changes::notify::MAX_ATTEMPTS)
                .fetch_one(db.pool())
                .await?;
        let outbox_failed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE sent_at = 0 AND attempts >= $1")
                .bind(crate::services::changes::notify::MAX_ATTEMPTS)
                .fetch_one(db.pool())
                .await?;
        let oldest: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(created_at) FROM notifications WHERE sent_at = 0 AND attempts < $1 AND next_attempt_at <= $2",
        )
        .bind(crate::services::changes::notify::MAX_ATTEMPTS)
        .bind(now)
        .fetch_one(db.pool())
        .await?;
        let leases = sqlx::query(
            "SELECT name, owner FROM worker_leases WHERE until > $1 AND name NOT LIKE 'replica:%' ORDER BY name",
        )
        .bind(now)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("owner")?)))
        .collect::<Result<Vec<(String, String)>, sqlx::Error>>()?;
        let request_leases = sqlx::query(
            "SELECT lease_owner, COUNT(*) AS n FROM change_requests WHERE lease_until > $1 AND lease_owner <> '' \
             GROUP BY lease_owner ORDER BY lease_owner",
        )
        .bind(now)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("lease_owner")?, r.try_get("n")?)))
        .collect::<Result<Vec<(String, i64)>, sqlx::Error>>()?;
        let replicas_alive: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM worker_leases WHERE name LIKE 'replica:%' AND until > $1",
        )
        .bind(now)
        .fetch_one(db.pool())
        .await?;
        Ok(Snapshot {
            instance: instance.to_string(),
            requests_by_state,
            last_round_age: (last_round_ms > 0).then(|| (now - last_round_ms).max(0) as f64 / 1000.0),
            outbox_pending,
            outbox_failed,
            oldest_due_webhook: oldest.map(|t| (now - t).max(0) as f64 / 1000.0).unwrap_or(0.0),
            leases,
            request_leases,
            replicas_alive,
        })
    }

    /// Sets its gauges in the current recorder (the server's per-scrape one).
    pub fn record(&self) {
        gauge!(names::INSTANCE, "instance" => self.instance.clone()).set(1.0);
        for (state, n) in &self.requests_by_state {
            gauge!(names::CHANGE_REQUESTS, "state" => *state).set(*n as f64);
        }
        if let Some(age) = self.last_round_age {
            gauge!(names::WORKER_LAST_ROUND_AGE).set(age);
        }
        gauge!(names::WEBHOOK_OUTBOX, "status" => "pending").set(self.outbox_pending as f64);
        gauge!(names::WEBHOOK_OUTBOX, "status" => "failed").set(self.outbox_failed as f64);
        gauge!(names::WEBHOOK_OLDEST_DUE).set(self.oldest_due_webhook);
        for (lease, holder) in &self.leases {
            gauge!(names::LEASE_HOLDER, "lease" => lease.clone(), "holder" => holder.clone()).set(1.0);
        }
        for (holder, n) in &self.request_leases {
            gauge!(names::REQUEST_LEASES, "holder" => holder.clone()).set(*n as f64);
        }
        gauge!(names::REPLICAS_ALIVE).set(self.replicas_alive as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::body::SdkBody;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        let mut r = HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
            SdkBody::from(body.to_string()),
        );
        for (k, v) in headers {
            r.headers_mut().insert(k.to_string(), v.to_string());
        }
        r
    }

    #[test]
    fn error_codes_come_from_the_headers_or_the_json_body() {
        assert_eq!(error_code(&answer(200, &[], "{}")), None);
        assert_eq!(
            error_code(&answer(400, &[("x-amzn-errortype", "ThrottlingException:http://internal/")], "")),
            Some("ThrottlingException".into())
        );
        assert_eq!(
            error_code(&answer(400, &[("x-amzn-query-error", "ResourceNotFound;Sender")], "")),
            Some("ResourceNotFound".into())
        );
        assert_eq!(
            error_code(&answer(
                400,
                &[],
                r#"{"__type":"com.amazonaws.ecs#ClusterNotFoundException","message":"x"}"#
            )),
            Some("ClusterNotFoundException".into())
        );
        assert_eq!(error_code(&answer(500, &[], "<html>")), None);
        assert_eq!(error_code(&answer(400, &[("x-amzn-errortype", "Bad Value")], "")), None);
        assert!(is_throttle(400, Some("ThrottlingException")));
        assert!(is_throttle(429, None));
        assert!(!is_throttle(400, Some("ClusterNotFoundException")));
    }
}
