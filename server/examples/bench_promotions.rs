//! Promotion page benchmark for issue 15 (run through `bench/promotions/run.sh`): a promotion of
//! three stages (canary on `mi-canary`, general on `mi-general`, prod on `mi-prod-a` scaled to
//! 1,000 instances) driven to success against the embedded emulator, then `GET
//! /promotions/:id` and its `get-promotion` server function timed warm: p50/p95/p99 over
//! sequential requests on loopback.

#[path = "support/timing.rs"]
mod timing;

use serde_json::{json, Value};
use server::{config::Config, startup::Application};
use timing::{sign_in, time_async, time_get};

const SAMPLES: usize = 300;

#[tokio::main]
async fn main() {
    let mut config = Config::try_parse_from_env_and(["server"]);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.sim_state_file = "memory".into();
    config.drift_interval_ms = 0;
    config.sim_manual_clock = true;
    config.worker_interval_ms = 200;
    let app = Application::build(config).await.expect("portal builds");
    let base = format!("http://{}", app.address());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let sim = state.services.gateway.ecs.sim_endpoint.clone().expect("embedded mode");
    let (http, _) = sign_in(&base, "admin").await;
    let post = |endpoint: &str, form: Vec<(&str, String)>| {
        // The body is encoded here, so the future holds no borrow of `form`.
        let req = http.post(format!("{base}/api/{endpoint}")).header("origin", base.clone()).form(&form);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert!(status < 300, "{status}: {body}");
            body
        }
    };
    let advance = |seconds: u32| {
        let http = http.clone();
        let url = format!("{sim}/_sim/clock/advance");
        async move {
            http.post(url).json(&json!({ "seconds": seconds })).send().await.unwrap();
        }
    };
    http.post(format!("{sim}/_sim/providers/prod/mi-prod-a/scale"))
        .json(&json!({ "desired": 1000 }))
        .send()
        .await
        .unwrap();
    advance(3600).await;
    // This measures the page, not the workflow: prod needs no approval here.
    let policy = vec![
        ("form[cluster]", "prod".to_string()),
        ("form[capacity_provider]", String::new()),
        ("form[approvals_required]", "0".into()),
        ("form[approver_teams]", String::new()),
        ("form[expiry_hours]", String::new()),
    ];
    post("admin-save-policy", policy).await;
    let td = vec![
        ("form[family]", "bench-agent".to_string()),
        ("form[execution_role]", "arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into()),
        ("form[containers][0][name]", "agent".into()),
        ("form[containers][0][image]", "amazon/cloudwatch-agent:1".into()),
        ("form[containers][0][essential]", "on".into()),
        ("form[containers][0][cpu]", "0.25".into()),
        ("form[containers][0][memory]", "0.5".into()),
    ];
    post("create-task-definition", td).await;
    let mut pipeline = vec![("form[name]", "bench".to_string())];
    let stages = [
        ("canary", "default", "mi-canary"),
        ("general", "default", "mi-general"),
        ("prod", "prod", "mi-prod-a"),
    ];
    let keys: Vec<[String; 6]> = (0..3)
        .map(|i| {
            ["name", "cluster", "daemon", "capacity_providers", "drain_percent", "soak_seconds"]
                .map(|f| format!("form[stages][{i}][{f}]"))
        })
        .collect();
    for (i, (name, cluster, provider)) in stages.iter().enumerate() {
        let k = &keys[i];
        pipeline.extend([
            (k[0].as_str(), name.to_string()),
            (k[1].as_str(), cluster.to_string()),
            (k[2].as_str(), format!("bench-{name}")),
            (k[3].as_str(), provider.to_string()),
            (k[4].as_str(), "50".into()),
            (k[5].as_str(), "0".into()),
        ]);
    }
    post("save-pipeline", pipeline).await;
    let started =
        post("start-promotion", vec![("pipeline", "bench".into()), ("revision", "bench-agent:1".into())])
            .await;
    let id = started.as_str().unwrap().trim_start_matches("/promotions/").to_string();
    let mut view = Value::Null;
    for _ in 0..2000 {
        view = post("get-promotion", vec![("id", id.clone())]).await;
        if view["row"]["state"] != "running" {
            break;
        }
        advance(30).await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(view["row"]["state"], "succeeded", "{view}");
    let instances: u64 =
        view["stages"].as_array().unwrap().iter().map(|s| s["instances"].as_u64().unwrap()).sum();
    println!("promotion {id}: 3 stages, {instances} instances on the revision");
    let page = http.get(format!("{base}/promotions/{id}")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Every instance on the revision"), "the page renders its gates");
    println!("/promotions/:id: {:.0} KB of HTML", page.len() as f64 / 1000.0);
    let page_time = time_get(&http, &format!("{base}/promotions/{id}"), SAMPLES).await;
    println!("  GET /promotions/:id (server render, warm): {page_time}");
    let fn_time = time_async(SAMPLES, || {
        let call = post("get-promotion", vec![("id", id.clone())]);
        async move {
            call.await;
        }
    })
    .await;
    println!("  POST /api/get-promotion (JSON, warm):      {fn_time}");
}
