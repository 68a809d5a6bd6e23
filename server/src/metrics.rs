//! Prometheus metrics (`PORTAL_METRICS_ADDR`): the process-wide recorder, the layer that counts
//! HTTP requests by route, and the separate listener's router that serves `GET /metrics`
//! without a session. What is counted elsewhere (ECS calls, rollouts, webhooks, worker rounds)
//! and what is read from the database at each scrape is in `app::services::metrics`.
//!
//! The recorder is installed once per process, by the first portal built with metrics on; it
//! keeps counters and histograms for the life of the process. The gauges read from the database
//! go into a recorder made for each scrape, so they are always this portal's and a lease or a
//! state that went away leaves no stale series.

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use app::services::{
    metrics::{names, Snapshot},
    Services,
};

/// The process's recorder, once installed (None: another recorder was installed first).
static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Seconds: requests and calls from milliseconds to the ECS client's 30 s operation timeout.
const FAST: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
/// Seconds: rollouts from seconds (a registration) to hours (a slow drain with a bake time).
const ROLLOUTS: &[f64] =
    &[1.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0];

/// Installs the process-wide recorder, once; later calls (more portals in one process) reuse it.
pub fn install() {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(FAST)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(names::ROLLOUT_DURATION.into()), ROLLOUTS))
            .expect("bucket lists are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if let Err(e) = metrics::set_global_recorder(recorder) {
            tracing::warn!(error = %e, "another metrics recorder is installed; /metrics serves only the database gauges");
            return None;
        }
        describe();
        // Histograms keep their samples until upkeep folds them into the buckets; scrapes do it
        // too, but nobody may scrape for a long time.
        let upkeep = handle.clone();
        let _ = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_secs(5));
            upkeep.run_upkeep();
        });
        Some(handle)
    });
}

/// The `# HELP` text of every metric, in the current recorder.
fn describe() {
    describe_counter!(names::HTTP_REQUESTS, "HTTP requests answered, by method, route template and status");
    describe_histogram!(
        names::HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request, by method, route template and status"
    );
    describe_counter!(names::ECS_CALLS, "ECS and CloudWatch calls, by environment, service, operation and outcome (success or the AWS error code)");
    describe_histogram!(
        names::ECS_DURATION,
        Unit::Seconds,
        "Time an ECS or CloudWatch call took, retries included"
    );
    describe_counter!(names::ECS_THROTTLES, "ECS and CloudWatch attempts answered with a throttling error");
    describe_counter!(names::ECS_RETRIES, "ECS and CloudWatch attempts beyond the first of each call");
    describe_histogram!(names::ROLLOUT_DURATION, Unit::Seconds, "Time from a change request's start to its end (portal clock), by environment, cluster, kind and final state");
    describe_counter!(names::WEBHOOK_DELIVERIES, "Webhook delivery attempts, by outcome");
    describe_histogram!(
        names::WORKER_ROUND_DURATION,
        Unit::Seconds,
        "Time one round of this replica's background worker took"
    );
    describe_gauge!(names::CHANGE_REQUESTS, "Change requests in each state");
    describe_gauge!(
        names::WORKER_LAST_ROUND_AGE,
        Unit::Seconds,
        "Time since this replica's background worker last finished a round"
    );
    describe_gauge!(
        names::WEBHOOK_OUTBOX,
        "Webhook messages not sent: pending (will be tried again) or failed (given up)"
    );
    describe_gauge!(
        names::WEBHOOK_OLDEST_DUE,
        Unit::Seconds,
        "Age of the oldest webhook message due and not sent (0: none)"
    );
    describe_gauge!(
        names::LEASE_HOLDER,
        "Unexpired named leases (drift check, inventories, promotions) and the replica holding each"
    );
    describe_gauge!(names::REQUEST_LEASES, "Change requests whose lease each replica holds");
    describe_gauge!(names::REPLICAS_ALIVE, "Replicas whose heartbeat is current");
    describe_gauge!(names::INSTANCE, "This replica's instance name (as in lease holders)");
    describe_gauge!(
        SCRAPE_DATABASE_OK,
        "1 if this scrape read the database gauges, 0 if the database failed"
    );
}

const SCRAPE_DATABASE_OK: &str = "portal_scrape_database_ok";

/// Counts and times every answer of the main router by its route template (`MatchedPath`:
/// `/approvals/{id}`, never the id itself; a server function's is `/api/<its name>`), method
/// and status. Answers no route matched (static files, 404s) count as `unmatched`.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m.to_string(),
        _ => "other".to_string(),
    };
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    counter!(names::HTTP_REQUESTS, &labels).increment(1);
    histogram!(names::HTTP_DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// The metrics listener's routes: `GET /metrics` only, no session.
pub fn router(services: Services) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(services)
}

async fn scrape(State(services): State<Services>) -> Response {
    let mut text = match HANDLE.get() {
        Some(Some(handle)) => {
            handle.run_upkeep();
            handle.render()
        }
        _ => String::new(),
    };
    let last_round = services.changes.last_round_ms.load(std::sync::atomic::Ordering::Relaxed);
    let snapshot = Snapshot::read(&services.db, &services.changes.instance, last_round).await;
    let local = PrometheusBuilder::new().build_recorder();
    let local_handle = local.handle();
    metrics::with_local_recorder(&local, || {
        describe();
        match &snapshot {
            Ok(s) => {
                s.record();
                metrics::gauge!(SCRAPE_DATABASE_OK).set(1.0);
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics: reading the database gauges failed");
                metrics::gauge!(SCRAPE_DATABASE_OK).set(0.0);
            }
        }
    });
    text.push_str(&local_handle.render());
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
        .into_response()
}
