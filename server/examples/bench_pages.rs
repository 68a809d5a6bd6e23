//! Page-view benchmark for issue 4 (run through `bench/portal/run.sh`):
//! - ECS calls per page view, counted from the embedded emulator's request log, for the daemon
//!   list with 5 and 200 daemons and for a daemon page, cold (caches empty) and warm;
//! - server-side render time (p50/p95 over sequential requests on loopback, warm cache) of the
//!   daemon list with 200 daemons and of a daemon page on a 1,000-instance provider.

#[path = "support/timing.rs"]
mod timing;

use std::time::Instant;

use serde_json::{json, Value};
use server::{config::Config, startup::Application, state::AppState};
use timing::sign_in;

struct Bench {
    base: String,
    sim: String,
    http: reqwest::Client,
    state: AppState,
}

impl Bench {
    async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let res = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn sim(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let res = self.http.request(method, format!("{}{path}", self.sim)).json(&body).send().await.unwrap();
        res.json().await.unwrap_or(Value::Null)
    }

    fn forget_caches(&self) {
        self.state.services.gateway.cache.clear();
    }

    /// ECS calls made while rendering `path` once: (total, per operation).
    async fn calls_for(&self, path: &str) -> (usize, Vec<(String, usize)>) {
        self.sim(reqwest::Method::DELETE, "/_sim/requests", json!({})).await;
        let res = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        let _ = res.text().await;
        let log = self.sim(reqwest::Method::GET, "/_sim/requests", json!({})).await;
        let entries = log.get("requests").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut by_op: std::collections::BTreeMap<String, usize> = Default::default();
        for e in &entries {
            *by_op.entry(e["operation"].as_str().unwrap_or("?").to_string()).or_default() += 1;
        }
        (entries.len(), by_op.into_iter().collect())
    }

    async fn timings(&self, path: &str, n: usize) -> (f64, f64, f64) {
        let mut ms = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            let res = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
            let _ = res.bytes().await.unwrap();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let pct = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
        (pct(0.5), pct(0.95), pct(0.99))
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn deploy(b: &Bench, cluster: &str, name: &str, family: &str, providers: &[&str]) {
    let mut form = vec![
        ("form[cluster]", cluster.to_string()),
        ("form[daemon_name]", name.to_string()),
        ("form[family]", family.to_string()),
        ("form[drain_percent]", "25".to_string()),
        ("form[critical]", "on".to_string()),
    ];
    let keys = ["form[capacity_providers][0]", "form[capacity_providers][1]"];
    for (k, p) in keys.iter().zip(providers) {
        form.push((k, p.to_string()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = b.call("deploy-daemon", &pairs).await;
    assert_eq!(status, 200, "deploy {name}: {body}");
}

#[tokio::main]
async fn main() {
    let mut config = Config::try_parse_from_env_and(["server"]);
    config.sim_manual_clock = true;
    config.ecs_cache_ms = 60_000; // "warm cache": live reads stay cached during the run
    let app = Application::build(config).await.expect("portal starts");
    let base = format!("http://{}", app.address());
    let state = app.state().clone();
    let sim = state.services.gateway.ecs.sim_endpoint.clone().expect("embedded mode");
    tokio::spawn(app.run_until_stopped());
    // Sign in as the demo admin; every later request carries the session cookie.
    let (http, _) = sign_in(&base, "admin").await;
    let b = Bench { base, sim, http, state };

    let (s, body) = b
        .call(
            "create-task-definition",
            &[
                ("form[family]", "bench-agent"),
                ("form[containers][0][name]", "agent"),
                ("form[containers][0][image]", "example/agent:1"),
                ("form[containers][0][essential]", "on"),
                ("form[containers][0][cpu]", "0.001"),
                ("form[containers][0][memory]", "0.006"),
            ],
        )
        .await;
    assert_eq!(s, 200, "{body}");

    println!(
        "# Daemon Portal page benchmark ({} build)",
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    let mut made = 0;
    for target in [5usize, 200] {
        while made < target {
            deploy(&b, "default", &format!("d-{made:03}"), "bench-agent", &["mi-general", "mi-canary"]).await;
            made += 1;
        }
        b.sim(reqwest::Method::POST, "/_sim/clock/advance", json!({ "seconds": 3600 })).await;
        b.forget_caches();
        let (cold, ops) = b.calls_for("/daemons?cluster=default").await;
        let (warm, _) = b.calls_for("/daemons?cluster=default").await;
        println!(
            "daemon list, {target} daemons: {cold} ECS calls cold, {warm} warm; cold by operation: {ops:?}"
        );
        b.forget_caches();
        let (cold, ops) = b.calls_for("/daemons/default/d-000").await;
        let (warm, _) = b.calls_for("/daemons/default/d-000").await;
        println!("daemon page ({target} daemons in the cluster): {cold} ECS calls cold, {warm} warm; cold: {ops:?}");
    }
    let (p50, p95, p99) = b.timings("/daemons?cluster=default", 200).await;
    println!("SSR daemon list, 200 daemons, warm: p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms");

    // A 1,000-instance provider with one daemon on it.
    b.sim(reqwest::Method::POST, "/_sim/providers/prod/mi-prod-a/scale", json!({ "desired": 1000 })).await;
    b.sim(reqwest::Method::POST, "/_sim/clock/advance", json!({ "seconds": 3600 })).await;
    // prod needs one approval by default (issue 5); this measures pages, not the workflow.
    let policy = [
        ("form[cluster]", "prod"),
        ("form[capacity_provider]", ""),
        ("form[approvals_required]", "0"),
        ("form[approver_teams]", ""),
        ("form[expiry_hours]", ""),
    ];
    let (status, body) = b.call("admin-save-policy", &policy).await;
    assert_eq!(status, 200, "prod policy: {body}");
    deploy(&b, "prod", "big", "bench-agent", &["mi-prod-a"]).await;
    for _ in 0..20 {
        b.sim(reqwest::Method::POST, "/_sim/clock/advance", json!({ "seconds": 3600 })).await;
    }
    b.forget_caches();
    let (cold, ops) = b.calls_for("/daemons/prod/big").await;
    let (warm, warm_ops) = b.calls_for("/daemons/prod/big").await;
    // The log counts every call in the window, the background worker's and drift check's too.
    println!("daemon page, 1000-instance provider: {cold} ECS calls cold, {warm} warm; cold: {ops:?}; warm: {warm_ops:?}");
    let (_, d) = b.call("get-daemon", &[("cluster", "prod"), ("name", "big")]).await;
    println!(
        "  (daemon 'big': {} instances listed, deployment {})",
        d["instances"].as_array().map(Vec::len).unwrap_or(0),
        d["deployment"]["status"]
    );
    let (p50, p95, p99) = b.timings("/daemons/prod/big", 100).await;
    println!(
        "SSR daemon page, 1000-instance provider, warm: p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms"
    );
}
