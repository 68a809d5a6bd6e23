//! The Daemons area's server functions against the embedded emulator, over real HTTP through
//! aws-sdk-ecs, with the emulator's clock advanced by the test.
use serde_json::Value;

use crate::helpers::{Engine, TestApp};

fn deploy_form<'a>(name: &'a str, family: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("form[cluster]", "default"),
        ("form[daemon_name]", name),
        ("form[family]", family),
        ("form[capacity_providers][0]", "mi-general"),
        ("form[capacity_providers][1]", "mi-canary"),
        ("form[drain_percent]", "25"),
        ("form[bake_time]", "0"),
        ("form[critical]", "on"),
        ("form[propagate_tags]", "NONE"),
    ];
    for (k, v) in extra {
        f.retain(|(fk, _)| fk != k);
        f.push((k, v));
    }
    f
}

async fn daemon(app: &TestApp, name: &str) -> Value {
    let (status, body) = app.call("get-daemon", &[("cluster", "default"), ("name", name)]).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Advances the clock in small steps until the daemon's deployment ends; returns every
/// progress percentage seen on the way.
async fn run_deployment(app: &TestApp, name: &str) -> (Value, Vec<u64>) {
    let mut seen = Vec::new();
    for _ in 0..400 {
        let d = daemon(app, name).await;
        let dep = &d["deployment"];
        seen.push(dep["percent"].as_u64().unwrap_or(0));
        let status = dep["status"].as_str().unwrap_or("");
        if !["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_IN_PROGRESS"].contains(&status) {
            return (d, seen);
        }
        app.advance(5.0).await;
    }
    panic!("deployment of {name} did not end");
}

fn instances_running(d: &Value, definition: &str) -> usize {
    d["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["daemon_tasks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["status"] == "RUNNING" && t["definition"] == definition)
        })
        .count()
}

#[tokio::test]
async fn deploy_runs_the_daemon_on_every_instance_then_update_rolls_to_revision_2() {
    let app = TestApp::on(Engine::Sqlite).manual_clock().await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;

    let (status, body) = app.call("deploy-daemon", &deploy_form("cwagent", "cw-agent", &[])).await;
    assert_eq!(status, 200, "{body}");
    // Cluster default needs no approval: the change request executes at once.
    assert_eq!(body["request"]["state"], "executing", "{body}");
    assert_eq!(body["next"], "/daemons/default/cwagent");
    let (_, request) =
        app.call("get-change-request", &[("id", body["request"]["id"].as_str().unwrap())]).await;
    assert!(
        request["deployment_arn"].as_str().unwrap().contains(":daemon-deployment/default/cwagent/"),
        "{request}"
    );

    let (d, _) = run_deployment(&app, "cwagent").await;
    assert_eq!(d["status"], "ACTIVE");
    assert_eq!(d["deployment"]["status"], "SUCCESSFUL", "{}", d["deployment"]);
    assert_eq!(d["deployment"]["percent"], 100);
    let instances = d["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 5, "4 in mi-general + 1 in mi-canary");
    assert_eq!(instances_running(&d, "cw-agent:1"), 5);

    // The list page shows it with counts.
    let (status, rows) = app.call("list-daemons", &[("cluster", "default")]).await;
    assert_eq!(status, 200);
    let row = &rows.as_array().unwrap()[0];
    assert_eq!(row["name"], "cwagent");
    assert_eq!(row["running"], 5);
    assert_eq!(row["revisions"], serde_json::json!(["cw-agent:1"]));
    assert_eq!(row["latest_deployment"], "SUCCESSFUL");

    // Revision 2, then Update with the same settings.
    app.register("cw-agent", "amazon/cloudwatch-agent:1.300", "1", "0.5").await;
    let arn = d["arn"].as_str().unwrap().to_string();
    let (status, body) = app
        .call(
            "deploy-daemon",
            &deploy_form("cwagent", "cw-agent", &[("form[daemon_arn]", &arn), ("form[revision]", "2")]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (d, seen) = run_deployment(&app, "cwagent").await;
    assert_eq!(d["deployment"]["status"], "SUCCESSFUL", "{}", d["deployment"]);
    assert_eq!(d["deployment"]["target"], "cw-agent:2");
    assert_eq!(d["deployment"]["sources"], serde_json::json!(["cw-agent:1"]));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress never goes back: {seen:?}");
    assert!(seen.iter().any(|p| *p > 0 && *p < 100), "progress was seen mid-way: {seen:?}");
    assert_eq!(instances_running(&d, "cw-agent:2"), 5);
    // Application tasks kept running through the replacement (the cluster view lists them).
    let (_, cluster) = app.call("get-cluster", &[("name", "default")]).await;
    for i in cluster["instances"].as_array().unwrap() {
        let apps = i["app_tasks"].as_array().unwrap();
        assert!(!apps.is_empty() && apps.iter().all(|t| t["status"] == "RUNNING"), "{i}");
    }
    assert_eq!(d["past_deployments"].as_array().unwrap().len(), 1);
    assert_eq!(d["settings"]["revision"], 2);
}

#[tokio::test]
async fn an_alarm_rolls_the_update_back_and_says_why() {
    let app = TestApp::on(Engine::Sqlite).manual_clock().await;
    app.register("alarm-agent", "example/agent:1", "0.25", "0.25").await;
    let (status, body) = app.call("deploy-daemon", &deploy_form("alarmed", "alarm-agent", &[])).await;
    assert_eq!(status, 200, "{body}");
    let (d, _) = run_deployment(&app, "alarmed").await;
    assert_eq!(d["deployment"]["status"], "SUCCESSFUL");

    app.register("alarm-agent", "example/agent:2", "0.25", "0.25").await;
    let arn = d["arn"].as_str().unwrap().to_string();
    let form = deploy_form(
        "alarmed",
        "alarm-agent",
        &[
            ("form[daemon_arn]", &arn),
            ("form[revision]", "2"),
            ("form[alarms][0]", "daemon-errors"),
            ("form[rollback_on_alarm]", "on"),
            ("form[bake_time]", "5"),
        ],
    );
    let (status, body) = app.call("deploy-daemon", &form).await;
    assert_eq!(status, 200, "{body}");
    app.advance(10.0).await;
    app.sim_post("/_sim/alarms/daemon-errors", serde_json::json!({ "state": "ALARM" })).await;
    let (d, _) = run_deployment(&app, "alarmed").await;
    let dep = &d["deployment"];
    assert_eq!(dep["status"], "ROLLBACK_SUCCESSFUL", "{dep}");
    let reason = dep["rollback_reason"].as_str().or(dep["status_reason"].as_str()).unwrap_or("");
    assert!(reason.contains("daemon-errors"), "reason names the alarm: {dep}");
    assert_eq!(instances_running(&d, "alarm-agent:1"), 5, "back on revision 1");
}

#[tokio::test]
async fn bad_deploy_input_is_refused_per_field_and_creates_nothing() {
    let app = TestApp::on(Engine::Sqlite).manual_clock().await;
    app.register("guarded", "example/agent:1", "1", "1").await;
    let long = "n".repeat(256);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (deploy_form("", "guarded", &[]), "daemon_name"),
        (deploy_form(&long, "guarded", &[]), "daemon_name"),
        (deploy_form("bad name!", "guarded", &[]), "daemon_name"),
        (deploy_form("d", "guarded", &[("form[drain_percent]", "0")]), "drain_percent"),
        (deploy_form("d", "guarded", &[("form[drain_percent]", "101")]), "drain_percent"),
        (deploy_form("d", "guarded", &[("form[bake_time]", "-1")]), "bake_time"),
        (deploy_form("d", "guarded", &[("form[cluster]", "no-such-cluster")]), "cluster"),
        (deploy_form("d", "no-such-family", &[]), "family"),
        (deploy_form("d", "guarded", &[("form[capacity_providers][0]", "mi-prod-a")]), "capacity_providers"),
    ];
    for (form, field) in cases {
        let (status, body) = app.call("deploy-daemon", &form).await;
        assert_eq!(status, 422, "{field}: {body}");
        let msg = body["Invalid"][field].as_str().unwrap_or_else(|| panic!("no message for {field}: {body}"));
        assert!(!msg.is_empty());
    }
    let (_, rows) = app.call("list-daemons", &[("cluster", "default")]).await;
    assert_eq!(rows, serde_json::json!([]), "nothing was created");
}

#[tokio::test]
async fn the_resource_guard_refuses_a_daemon_that_does_not_fit_naming_the_numbers() {
    let app = TestApp::on(Engine::Sqlite).manual_clock().await;
    // mi-canary instances are smaller than 64 vCPU.
    app.register("huge", "example/huge:1", "64", "1").await;
    let (status, body) = app.call("deploy-daemon", &deploy_form("huge", "huge", &[])).await;
    assert_eq!(status, 422, "{body}");
    let msg = body["Invalid"]["capacity_providers"].as_str().unwrap();
    assert!(msg.contains("64 vCPU") && msg.contains("instances have"), "{msg}");
    let (_, rows) = app.call("list-daemons", &[("cluster", "default")]).await;
    assert_eq!(rows, serde_json::json!([]));
}

#[tokio::test]
async fn ecs_errors_come_back_readable() {
    let app = TestApp::on(Engine::Sqlite).manual_clock().await;
    // Unknown daemon → 404 with a sentence.
    let (status, body) = app.call("get-daemon", &[("cluster", "default"), ("name", "ghost")]).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["NotFound"].as_str().unwrap().contains("ghost"));
    // Throttling on every call → 429 saying so.
    app.sim_post("/_sim/faults", serde_json::json!({ "throttleRate": 1.0 })).await;
    let (status, body) = app.call("list-daemons", &[("cluster", "default")]).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["Ecs"]["code"], "ThrottlingException");
    assert!(body["Ecs"]["message"].as_str().unwrap().contains("throttling"));
    app.sim_post("/_sim/faults", serde_json::json!({ "throttleRate": 0.0 })).await;
}

#[tokio::test]
async fn delete_drains_the_daemon_and_removes_it() {
    let app = TestApp::on(Engine::Sqlite).manual_clock().await;
    app.register("gone", "example/agent:1", "0.25", "0.25").await;
    assert_eq!(app.call("deploy-daemon", &deploy_form("gone", "gone", &[])).await.0, 200);
    run_deployment(&app, "gone").await;
    let (status, body) = app.call("delete-daemon", &[("cluster", "default"), ("name", "gone")]).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = app.call("get-daemon", &[("cluster", "default"), ("name", "gone")]).await;
    assert_eq!(body["status"], "DELETE_IN_PROGRESS", "{body}");
    for _ in 0..200 {
        let (status, _) = app.call("get-daemon", &[("cluster", "default"), ("name", "gone")]).await;
        if status == 404 {
            return;
        }
        app.advance(5.0).await;
    }
    panic!("the daemon was never removed");
}

#[tokio::test]
async fn clusters_list_and_instance_view_show_daemon_and_app_tasks() {
    let app = TestApp::on(Engine::Sqlite).manual_clock().await;
    app.register("viewed", "example/agent:1", "0.25", "0.25").await;
    assert_eq!(app.call("deploy-daemon", &deploy_form("viewed", "viewed", &[])).await.0, 200);
    run_deployment(&app, "viewed").await;
    let (status, clusters) = app.call("list-clusters", &[]).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = clusters.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["default", "prod"]);
    let (status, c) = app.call("get-cluster", &[("name", "default")]).await;
    assert_eq!(status, 200, "{c}");
    let providers: Vec<&str> =
        c["providers"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(providers, vec!["mi-canary", "mi-general"]);
    for i in c["instances"].as_array().unwrap() {
        let daemons = i["daemon_tasks"].as_array().unwrap();
        assert!(daemons.iter().any(|t| t["group"] == "viewed" && t["status"] == "RUNNING"), "{i}");
        assert!(!i["app_tasks"].as_array().unwrap().is_empty(), "{i}");
    }
    let (status, body) = app.call("get-cluster", &[("name", "nope")]).await;
    assert_eq!(status, 404, "{body}");
}

/// Two replicas on one database and one emulator, each with its own ECS cache, kept longer than
/// the steps that matter take (5 s), so a stale answer would show.
async fn two_replicas(engine: Engine) -> (TestApp, TestApp) {
    let a = TestApp::on(engine).manual_clock().ecs_cache_ms(5_000).worker_every_ms(100).without_drift().await;
    // Only a's worker runs: a request is then executed by a (its handler, or its worker),
    // never picked up by b's worker in the moment between its approval and a's claim, so what
    // the test reads right after an action does not depend on which replica won that race.
    let b = a.replica_with(|c| c.worker_interval_ms = 3_600_000).await;
    (a, b)
}

/// Reads the daemon on `reader` until `done` holds for its deployment (at most 30 s: live
/// state may be cached for 5), advancing the clock.
async fn wait_for(app: &TestApp, reader: &TestApp, name: &str, done: impl Fn(&Value) -> bool) -> Value {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut d = Value::Null;
    while std::time::Instant::now() < until {
        d = daemon(reader, name).await;
        if done(&d["deployment"]) {
            return d;
        }
        app.advance(5.0).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{name}: the deployment never got there: {}", d["deployment"]);
}

fn ended_on(d: &Value, status: &str, target: &str) -> bool {
    d["status"] == status && d["target"] == target
}

/// Reproduction 2 of issue 11: right after Update the daemon page showed the previous
/// deployment as SUCCESSFUL and did not refresh. Every replica must show the new deployment at
/// once, whatever it cached before, and its end once the request has ended.
async fn the_page_shows_an_update_at_once_on_every_replica(engine: Engine) {
    let (a, b) = two_replicas(engine).await;
    a.register("fresh", "example/agent:1", "0.25", "0.25").await;
    let (status, body) = a.call("deploy-daemon", &deploy_form("fresh", "fresh", &[])).await;
    assert_eq!(status, 200, "{body}");
    let d = wait_for(&a, &a, "fresh", |dep| ended_on(dep, "SUCCESSFUL", "fresh:1")).await;
    // Both replicas have now cached the daemon with its finished first deployment.
    let before = wait_for(&a, &b, "fresh", |dep| ended_on(dep, "SUCCESSFUL", "fresh:1")).await;
    assert_eq!(before["request_in_flight"], Value::Null);

    a.register("fresh", "example/agent:2", "0.25", "0.25").await;
    let arn = d["arn"].as_str().unwrap();
    let form = deploy_form("fresh", "fresh", &[("form[daemon_arn]", arn), ("form[revision]", "2")]);
    let (status, body) = a.call("deploy-daemon", &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["state"], "executing", "{body}");
    let (_, request) = a.call("get-change-request", &[("id", body["request"]["id"].as_str().unwrap())]).await;
    let started = request["deployment_arn"].as_str().unwrap().to_string();
    assert!(!started.is_empty(), "{request}");

    for (replica, app) in [("the one that executed", &a), ("the other", &b)] {
        let d = daemon(app, "fresh").await;
        let dep = &d["deployment"];
        assert_eq!(dep["arn"], started.as_str(), "{replica} shows the request's deployment: {dep}");
        assert!(["PENDING", "IN_PROGRESS"].contains(&dep["status"].as_str().unwrap()), "{replica}: {dep}");
        assert_eq!(dep["target"], "fresh:2", "{replica}: {dep}");
        assert_eq!(dep["sources"], serde_json::json!(["fresh:1"]), "{replica}: {dep}");
        let past: Vec<&str> =
            d["past_deployments"].as_array().unwrap().iter().map(|p| p["target"].as_str().unwrap()).collect();
        assert_eq!(past, ["fresh:1"], "{replica}");
    }

    // The worker of replica a follows the deployment to its end; both pages then say so.
    wait_for(&a, &a, "fresh", |dep| ended_on(dep, "SUCCESSFUL", "fresh:2")).await;
    let id = body["request"]["id"].as_str().unwrap();
    let mut state = Value::Null;
    for _ in 0..200 {
        state = a.call("get-change-request", &[("id", id)]).await.1["row"]["state"].clone();
        if state == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(state, "succeeded");
    let d = daemon(&b, "fresh").await;
    assert!(ended_on(&d["deployment"], "SUCCESSFUL", "fresh:2"), "{}", d["deployment"]);
    assert_eq!(d["deployment"]["percent"], 100);
    assert_eq!(instances_running(&d, "fresh:2"), 5);
}

/// An update held by a freeze window is approved but has not reached ECS: the page says so
/// (its island keeps refreshing on `request_in_flight`) and shows the deployment once it starts.
async fn a_held_update_is_shown_as_on_its_way(engine: Engine) {
    let app = TestApp::on(engine).manual_clock().without_drift().await;
    app.register("held", "example/agent:1", "0.25", "0.25").await;
    assert_eq!(app.call("deploy-daemon", &deploy_form("held", "held", &[])).await.0, 200);
    let (d, _) = run_deployment(&app, "held").await;
    assert_eq!(d["request_in_flight"], Value::Null);

    let now = server::auth::now_ms();
    sqlx::query(
        "INSERT INTO freeze_windows (id, cluster, capacity_provider, kind, starts_at, ends_at, reason, \
         created_by, created_at) VALUES ('f1', 'default', '', 'once', $1, $2, 'held', 'admin', $1)",
    )
    .bind(now - 60_000)
    .bind(now + 3_600_000)
    .execute(app.state.services.db.pool())
    .await
    .unwrap();
    app.register("held", "example/agent:2", "0.25", "0.25").await;
    let arn = d["arn"].as_str().unwrap();
    let form = deploy_form("held", "held", &[("form[daemon_arn]", arn), ("form[revision]", "2")]);
    let (status, body) = app.call("deploy-daemon", &form).await;
    assert_eq!(status, 200, "{body}");
    let id = body["request"]["id"].as_str().unwrap().to_string();
    assert_eq!(body["request"]["state"], "approved", "held by the freeze: {body}");
    let d = daemon(&app, "held").await;
    assert_eq!(d["request_in_flight"], id.as_str(), "{d}");
    assert_eq!(d["deployment"]["target"], "held:1", "nothing new in ECS yet");

    sqlx::query("DELETE FROM freeze_windows").execute(app.state.services.db.pool()).await.unwrap();
    server::changes::worker::run_once(&app.state.services.changes).await;
    let d = daemon(&app, "held").await;
    assert_eq!(d["request_in_flight"], Value::Null, "{d}");
    assert_eq!(d["deployment"]["target"], "held:2", "{}", d["deployment"]);
    assert!(["PENDING", "IN_PROGRESS"].contains(&d["deployment"]["status"].as_str().unwrap()), "{d}");
}

on_both!(the_page_shows_an_update_at_once_on_every_replica, a_held_update_is_shown_as_on_its_way);
