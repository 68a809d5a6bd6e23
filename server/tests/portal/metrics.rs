//! Prometheus metrics (`PORTAL_METRICS_ADDR`) and signed Slack webhooks, over HTTP against the
//! whole portal: a deploy through the pages' server functions, then a scrape of `/metrics`.
//!
//! The metrics recorder is process-wide and other tests run portals in this process at the same
//! time, so what is counted for everyone (HTTP requests, webhook deliveries) is asserted as "at
//! least"; the ECS calls and rollouts carry the environment's name, which is unique to this test,
//! and the gauges read from the database at scrape time are this portal's alone.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::http::HeaderMap;
use serde_json::Value;

use crate::helpers::{Engine, TestApp};

on_both!(metrics_report_a_deploy_and_the_webhook_is_slack_shaped_and_signed);

/// One sample of an exposition: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the text exposition format's sample lines (labels may hold `{`, `}` and `,`).
fn samples(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("sample line: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("value of {line}"));
        let (name, labels) = match series.split_once('{') {
            None => (series.to_string(), BTreeMap::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("labels of {line}"));
                let mut labels = BTreeMap::new();
                let mut chars = body.chars().peekable();
                while chars.peek().is_some() {
                    let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
                    assert_eq!(chars.next(), Some('"'), "{line}");
                    let mut v = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => v.push(chars.next().unwrap()),
                            '"' => break,
                            c => v.push(c),
                        }
                    }
                    labels.insert(key.trim_start_matches(',').to_string(), v);
                    if chars.peek() == Some(&',') {
                        chars.next();
                    }
                }
                (name.to_string(), labels)
            }
        };
        out.push(Sample { name, labels, value });
    }
    out
}

/// The sum of the samples of `name` whose labels include `want`.
fn sum(all: &[Sample], name: &str, want: &[(&str, &str)]) -> f64 {
    matching(all, name, want).iter().map(|s| s.value).sum()
}

fn matching<'a>(all: &'a [Sample], name: &str, want: &[(&str, &str)]) -> Vec<&'a Sample> {
    all.iter()
        .filter(|s| {
            s.name == name && want.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

/// `GET /metrics` on the metrics listener with no session: the text and its samples.
async fn scrape(app: &TestApp) -> (String, Vec<Sample>) {
    let url = format!("{}/metrics", app.metrics.as_ref().expect("metrics are on"));
    let res = reqwest::Client::new().get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = res.text().await.unwrap();
    let parsed = samples(&text);
    (text, parsed)
}

/// What the test's webhook receiver got: headers and the raw body of each POST.
type Received = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let sink = received.clone();
    let router = axum::Router::new().route(
        "/slack",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push((headers, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slack", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, received)
}

/// Verifies a delivery as a receiver would: HMAC-SHA256 of `<timestamp>.<raw body>`.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) {
    use hmac::{Hmac, Mac};
    let timestamp = headers["x-daemon-portal-timestamp"].to_str().unwrap();
    let now = server::auth::now_ms() / 1000;
    assert!((now - timestamp.parse::<i64>().unwrap()).abs() < 300, "fresh timestamp {timestamp}");
    let given = headers["x-daemon-portal-signature"].to_str().unwrap();
    let hex = given.strip_prefix("sha256=").unwrap_or_else(|| panic!("{given}"));
    let bytes: Vec<u8> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&bytes).expect("the signature matches the body");
    // Any other secret, or a changed body, fails.
    let mut wrong = Hmac::<sha2::Sha256>::new_from_slice(b"not the secret").unwrap();
    wrong.update(timestamp.as_bytes());
    wrong.update(b".");
    wrong.update(body);
    assert!(wrong.verify_slice(&bytes).is_err());
}

const SECRET: &str = "webhook-test-secret";

/// A deploy on prod through the server functions, with metrics on and a signed Slack webhook:
/// `/metrics` (no session, its own port) reports the ECS calls by operation and outcome with
/// throttles and retries, HTTP requests by route template, requests by state, the rollout's
/// duration, webhook deliveries, the worker's lag and the lease holders.
async fn metrics_report_a_deploy_and_the_webhook_is_slack_shaped_and_signed(engine: Engine) {
    let (hook, received) = receiver().await;
    // An environment name of this test's own labels its ECS calls and rollouts.
    let env = format!("metrics-{:08x}", rand::random::<u32>());
    let dir = std::env::temp_dir().join(format!("portal-metrics-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("environments.toml");
    std::fs::write(
        &file,
        format!(
            "[[environments]]\nname = \"{env}\"\naccount_id = \"123456789012\"\nregion = \"us-east-1\"\n"
        ),
    )
    .unwrap();
    let app = TestApp::on(engine)
        .manual_clock()
        .worker_every_ms(100)
        .metrics()
        .settings(move |c| {
            c.environments_file = Some(file);
            c.webhook_url = Some(hook);
            c.webhook_format = server::config::WebhookFormat::Slack;
            c.webhook_secret = Some(server::config::Secret::parse(SECRET).unwrap());
            c.public_url = Some("http://portal.example".into());
        })
        .await;
    let _ = std::fs::remove_dir_all(&dir);
    let (_, before) = scrape(&app).await;
    let alice = app.as_user("alice").await;
    let bob = app.as_user("bob").await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let (status, body) = app
        .call_with(
            &alice,
            "deploy-daemon",
            &[
                ("form[cluster]", "prod"),
                ("form[daemon_name]", "metered"),
                ("form[family]", "cw-agent"),
                ("form[capacity_providers][0]", "mi-prod-a"),
                ("form[capacity_providers][1]", "mi-prod-b"),
                ("form[drain_percent]", "25"),
                ("form[bake_time]", "0"),
                ("form[propagate_tags]", "NONE"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["state"], "pending", "{body}");
    let id = body["request"]["id"].as_str().unwrap().to_string();
    let (_, r) = app.call("get-change-request", &[("id", &id)]).await;
    let version = r["version"].as_i64().unwrap_or(1).to_string();
    let (status, body) = app
        .call_with(
            &bob,
            "review-change-request",
            &[("id", &id), ("decision", "approve"), ("comment", ""), ("version", &version)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mut state = String::new();
    for _ in 0..400 {
        let (_, r) = app.call("get-change-request", &[("id", &id)]).await;
        state = r["row"]["state"].as_str().unwrap().to_string();
        if !["approved", "executing"].contains(&state.as_str()) {
            break;
        }
        app.advance(5.0).await;
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    assert_eq!(state, "succeeded");

    // Throttled calls: the SDK tries three times, then gives up with ThrottlingException.
    app.sim_post("/_sim/faults", serde_json::json!({ "throttleRate": 1.0 })).await;
    let throttled = app.state.services.gateway.ecs.client.list_clusters().send().await;
    app.sim_post("/_sim/faults", serde_json::json!({ "throttleRate": 0.0 })).await;
    assert!(throttled.is_err(), "{throttled:?}");

    // Both messages (needs approval, succeeded) reach the receiver.
    for _ in 0..200 {
        if received.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 2, "two webhook messages");

    let (text, after) = scrape(&app).await;
    let e = env.as_str();
    let delta = |name: &str, want: &[(&str, &str)]| sum(&after, name, want) - sum(&before, name, want);

    // ECS calls by operation and outcome, timed.
    let created = [("environment", e), ("operation", "CreateDaemon"), ("outcome", "success")];
    assert_eq!(sum(&after, "portal_ecs_calls_total", &created), 1.0, "one CreateDaemon:\n{text}");
    let service = matching(&after, "portal_ecs_calls_total", &created)[0].labels["service"].clone();
    assert_eq!(service.to_lowercase(), "ecs", "{text}");
    assert!(
        sum(
            &after,
            "portal_ecs_calls_total",
            &[("environment", e), ("operation", "DescribeDaemonDeployments")]
        ) >= 1.0
    );
    let timed = [("environment", e), ("operation", "CreateDaemon")];
    assert_eq!(sum(&after, "portal_ecs_call_duration_seconds_count", &timed), 1.0, "{text}");
    assert!(sum(&after, "portal_ecs_call_duration_seconds_sum", &timed) > 0.0);
    assert_eq!(
        sum(
            &after,
            "portal_ecs_call_duration_seconds_bucket",
            &[("environment", e), ("operation", "CreateDaemon"), ("le", "+Inf")]
        ),
        1.0
    );
    // The throttled call: counted with its error code, each attempt a throttle, two retries.
    let list = [("environment", e), ("operation", "ListClusters")];
    let failed = sum(
        &after,
        "portal_ecs_calls_total",
        &[("environment", e), ("operation", "ListClusters"), ("outcome", "ThrottlingException")],
    );
    assert!(failed >= 1.0, "{text}");
    assert!(sum(&after, "portal_ecs_throttles_total", &list) >= 3.0 * failed, "{text}");
    assert!(sum(&after, "portal_ecs_retries_total", &list) >= 2.0 * failed, "{text}");

    // HTTP requests by route template and status; server functions by name; never an id.
    assert!(
        delta(
            "portal_http_requests_total",
            &[("method", "POST"), ("route", "/api/deploy-daemon"), ("status", "200")]
        ) >= 1.0,
        "{text}"
    );
    assert!(
        delta("portal_http_requests_total", &[("route", "/api/review-change-request"), ("status", "200")])
            >= 1.0
    );
    assert!(
        sum(&after, "portal_http_request_duration_seconds_count", &[("route", "/api/deploy-daemon")]) >= 1.0
    );
    assert!(
        after.iter().filter(|s| s.name.starts_with("portal_http_")).all(|s| !s.labels["route"].contains(&id)),
        "no request id in a route label"
    );

    // Change requests by state: this portal's database only.
    assert_eq!(sum(&after, "portal_change_requests", &[("state", "succeeded")]), 1.0, "{text}");
    assert_eq!(sum(&after, "portal_change_requests", &[("state", "pending")]), 0.0);
    assert_eq!(matching(&after, "portal_change_requests", &[]).len(), 10, "every state is reported");

    // The rollout's duration, by environment and cluster.
    let rollout = [("environment", e), ("cluster", "prod"), ("kind", "deploy"), ("outcome", "succeeded")];
    assert_eq!(sum(&after, "portal_rollout_duration_seconds_count", &rollout), 1.0, "{text}");
    assert!(sum(&after, "portal_rollout_duration_seconds_sum", &rollout) > 0.0);

    // Webhook deliveries (everyone's in this process: at least ours), and the outbox is empty.
    assert!(delta("portal_webhook_deliveries_total", &[("outcome", "delivered")]) >= 2.0, "{text}");
    assert_eq!(sum(&after, "portal_webhook_outbox_messages", &[("status", "pending")]), 0.0);

    // The worker's lag, the replica and the leases it holds (the drift check's).
    let instance = &app.state.services.changes.instance;
    assert_eq!(sum(&after, "portal_instance_info", &[("instance", instance)]), 1.0, "{text}");
    let lag = sum(&after, "portal_worker_last_round_age_seconds", &[]);
    assert!(matching(&after, "portal_worker_last_round_age_seconds", &[]).len() == 1 && lag < 30.0, "{text}");
    assert!(sum(&after, "portal_worker_round_duration_seconds_count", &[]) >= 1.0);
    assert_eq!(
        sum(&after, "portal_lease_holder", &[("lease", "drift"), ("holder", instance)]),
        1.0,
        "{text}"
    );
    assert!(sum(&after, "portal_replicas_alive", &[]) >= 1.0);
    assert_eq!(sum(&after, "portal_scrape_database_ok", &[]), 1.0);
    assert!(text.contains("# HELP portal_ecs_calls_total"), "{text}");
    assert!(text.contains("# TYPE portal_rollout_duration_seconds histogram"), "{text}");

    // The Slack messages: a fallback text and a section with summary, state and link, signed.
    let summary = r["row"]["summary"].as_str().unwrap().to_string();
    let mut states = Vec::new();
    for (headers, raw) in &messages {
        assert_eq!(headers["content-type"], "application/json");
        verify(SECRET, headers, raw);
        let m: Value = serde_json::from_slice(raw).unwrap();
        let fallback = m["text"].as_str().unwrap();
        assert!(fallback.contains(&summary), "{m}");
        let block = &m["blocks"][0];
        assert_eq!(block["type"], "section", "{m}");
        assert_eq!(block["text"]["type"], "mrkdwn", "{m}");
        let mrkdwn = block["text"]["text"].as_str().unwrap();
        assert!(mrkdwn.contains(&summary), "{mrkdwn}");
        assert!(mrkdwn.contains(&format!("<http://portal.example/approvals/{id}|{id}>")), "{mrkdwn}");
        let state =
            ["pending", "succeeded"].into_iter().find(|s| mrkdwn.contains(&format!("*State:* `{s}`")));
        states.push(state.unwrap_or_else(|| panic!("a state in {mrkdwn}")));
    }
    assert_eq!(states, ["pending", "succeeded"]);

    // `/metrics` is never on the main port, metrics on or off.
    let res = app.http.get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

/// Without `PORTAL_METRICS_ADDR` there is no metrics listener and the main port has no `/metrics`.
#[tokio::test]
async fn metrics_are_off_by_default() {
    let app = TestApp::on(Engine::Sqlite).await;
    assert!(app.metrics.is_none());
    assert_eq!(app.config.metrics_addr, None);
    let res = app.http.get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 404, "signed in");
    // Signed out, it is what any unknown page is: a redirect to the sign-in page.
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = anonymous.get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert!(res.status().is_redirection() || res.status() == 404, "signed out: {}", res.status());
    assert!(!res.text().await.unwrap().contains("portal_"), "no metrics signed out either");
}
