//! Progressive delivery (issue 15): promotions through pipelines against the emulator on its
//! manual clock, with the worker driving them. Each stage deploys through a change request, so
//! the prod stage waits for bob's approval as any prod change does.
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{Engine, TestApp};

/// The portal as these tests want it: the emulator's clock theirs, the worker quick.
async fn portal(engine: Engine) -> TestApp {
    TestApp::on(engine).manual_clock().worker_every_ms(100).without_drift().await
}

/// One stage's form fields (`i`: its position in the form).
fn stage(
    i: usize,
    name: &str,
    cluster: &str,
    daemon: &str,
    providers: &str,
    soak: &str,
    alarms: &str,
) -> Vec<(String, String)> {
    let k = |f: &str| format!("form[stages][{i}][{f}]");
    vec![
        (k("name"), name.into()),
        (k("cluster"), cluster.into()),
        (k("daemon"), daemon.into()),
        (k("capacity_providers"), providers.into()),
        (k("drain_percent"), "50".into()),
        (k("bake_time_minutes"), "0".into()),
        (k("soak_seconds"), soak.into()),
        (k("alarms"), alarms.into()),
    ]
}

/// Saves pipeline `name` with the three waves (canary, general, prod) as alice.
async fn save_waves(app: &TestApp, who: &reqwest::Client, name: &str, soak: &str, alarms: &str) {
    let mut form = vec![("form[name]".to_string(), name.to_string())];
    form.extend(stage(0, "canary", "default", "agent-canary", "mi-canary", soak, alarms));
    form.extend(stage(1, "general", "default", "agent", "mi-general", soak, alarms));
    form.extend(stage(2, "prod", "prod", "agent", "mi-prod-a, mi-prod-b", "0", ""));
    save(app, who, &form).await;
}

async fn save(app: &TestApp, who: &reqwest::Client, form: &[(String, String)]) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = app.call_with(who, "save-pipeline", &pairs).await;
    assert_eq!(status, 200, "{body}");
}

async fn start(app: &TestApp, who: &reqwest::Client, pipeline: &str, revision: &str) -> String {
    let (status, body) =
        app.call_with(who, "start-promotion", &[("pipeline", pipeline), ("revision", revision)]).await;
    assert_eq!(status, 200, "{body}");
    body.as_str().unwrap().trim_start_matches("/promotions/").to_string()
}

async fn view(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.call("get-promotion", &[("id", id)]).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn steer(
    app: &TestApp,
    who: &reqwest::Client,
    id: &str,
    action: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("id", id), ("action", action)];
    form.extend_from_slice(extra);
    app.call_with(who, "steer-promotion", &form).await
}

fn stage_state(v: &Value, i: usize) -> String {
    v["stages"][i]["state"].as_str().unwrap().to_string()
}

fn state(v: &Value) -> String {
    v["row"]["state"].as_str().unwrap().to_string()
}

/// Moves the emulator's clock and lets the worker see each step, until `done` holds; the
/// view then. `approve`: called on each view (to approve what waits).
async fn drive_until(app: &TestApp, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..600 {
        let v = view(app, id).await;
        if done(&v) {
            return v;
        }
        app.advance(5.0).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    panic!("promotion {id}: never {what}: {}", view(app, id).await);
}

async fn approve(app: &TestApp, who: &reqwest::Client, request: &str) {
    let form = [("id", request), ("decision", "approve"), ("comment", ""), ("version", "1")];
    let (status, body) = app.call_with(who, "review-change-request", &form).await;
    assert_eq!(status, 200, "{body}");
}

/// The revision every instance of `provider` runs for daemon `daemon` (from the emulator).
async fn revisions_on(app: &TestApp, cluster: &str, daemon: &str) -> Vec<String> {
    let (status, d) = app.call("get-daemon", &[("cluster", cluster), ("name", daemon)]).await;
    assert_eq!(status, 200, "{d}");
    d["current_revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["definition"].as_str().unwrap().to_string())
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(app.state.services.db.pool()).await.unwrap()
}

fn mutating_calls(app: &TestApp, op: &str) -> usize {
    let sim = app.state.sim.as_ref().expect("embedded");
    sim.state().requests().into_iter().filter(|r| r.operation == op && r.status == 200).count()
}

/// Runs a promotion of `revision` through the waves to its end, bob approving prod.
async fn promote_to_success(
    app: &TestApp,
    alice: &reqwest::Client,
    bob: &reqwest::Client,
    revision: &str,
) -> Value {
    let id = start(app, alice, "waves", revision).await;
    let v = drive_until(app, &id, "waiting for prod's approval", |v| {
        stage_state(v, 2) == "deploying"
            && v["stages"][2]["gates"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["name"] == "Approvals" && g["state"] == "waiting")
    })
    .await;
    assert_eq!(stage_state(&v, 0), "succeeded", "{v}");
    assert_eq!(stage_state(&v, 1), "succeeded", "{v}");
    assert_eq!(stage_state(&v, 2), "deploying", "{v}");
    approve(app, bob, v["stages"][2]["request_id"].as_str().unwrap()).await;
    drive_until(app, &id, "succeeded", |v| state(v) == "succeeded").await
}

async fn a_promotion_goes_through_three_stages(engine: Engine) {
    let app = portal(engine).await;
    let (alice, bob) = (app.as_user("alice").await, app.as_user("bob").await);
    app.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    save_waves(&app, &alice, "waves", "2", "daemon-errors").await;

    let v = promote_to_success(&app, &alice, &bob, "agent:1").await;
    for (i, instances) in [(0, 1), (1, 4), (2, 12)] {
        let s = &v["stages"][i];
        assert_eq!(s["state"], "succeeded", "{v}");
        assert_eq!(
            (s["on_target"].as_u64(), s["instances"].as_u64()),
            (Some(instances), Some(instances)),
            "{s}"
        );
        for g in s["gates"].as_array().unwrap() {
            assert!(g["state"] == "passed" || g["name"] == "Manual promote", "{g}");
        }
    }
    // A stage's request names its promotion (history grouped by promotion).
    let prod_request = v["stages"][2]["request_id"].as_str().unwrap();
    let (status, r) = app.call("get-change-request", &[("id", prod_request)]).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["promotion"], json!([v["row"]["id"], "prod"]), "{r}");
    // Each stage is an ordinary change request in alice's name, made once.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM change_requests WHERE requester = 'alice'").await, 3);
    assert_eq!(mutating_calls(&app, "CreateDaemon"), 3);
    assert_eq!(revisions_on(&app, "prod", "agent").await, ["agent:1"]);
    let kinds: Vec<&str> =
        v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"started"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"succeeded"), "{kinds:?}");
    // The blast radius of the next promotion: every stage's instances, batches at its drain
    // percentage, the application tasks that move, and an estimate from this promotion.
    let (status, blast) = app.call("pipeline-blast-radius", &[("name", "waves")]).await;
    assert_eq!(status, 200, "{blast}");
    let prod = &blast[2]["providers"]["Ok"];
    assert_eq!(prod.as_array().unwrap().len(), 2, "{blast}");
    assert_eq!(
        (prod[0]["instances"].as_u64(), prod[0]["per_batch"].as_u64(), prod[0]["batches"].as_u64()),
        (Some(6), Some(3), Some(2)),
        "{blast}"
    );
    assert!(
        prod[0]["app_tasks"].as_u64().unwrap() >= 6,
        "every prod instance runs application tasks: {blast}"
    );
    assert_eq!(prod[0]["estimate"]["samples"], 1, "one past deployment on mi-prod-a: {blast}");
    let (status, options) = app.call("deploy-options", &[("cluster", "default")]).await;
    assert_eq!(status, 200, "{options}");
    let general = options["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"]["name"] == "mi-general")
        .unwrap();
    assert!(general["app_tasks"].as_u64().unwrap() >= 4, "{general}");
    assert!(general["estimate"].as_str().unwrap().contains("low confidence, 1 past deployment"), "{general}");
    // The pages show it.
    let page = app.page(&format!("/promotions/{}", v["row"]["id"].as_str().unwrap())).await;
    assert!(page.contains("canary") && page.contains("Succeeded"), "{page}");
    let list = app.page("/pipelines/waves").await;
    assert!(list.contains("agent:1"), "{list}");
    assert!(list.contains("Every instance of these capacity providers will be replaced"), "{list}");
}

async fn an_alarm_during_the_soak_stops_it_and_earlier_stages_roll_back(engine: Engine) {
    let app = portal(engine).await;
    let (alice, bob) = (app.as_user("alice").await, app.as_user("bob").await);
    app.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    save_waves(&app, &alice, "waves", "1", "").await;
    promote_to_success(&app, &alice, &bob, "agent:1").await;

    app.register("agent", "amazon/cloudwatch-agent:2", "0.25", "0.5").await;
    // The pipeline edited: a long soak watching daemon-errors.
    let mut form =
        vec![("form[name]".to_string(), "waves".to_string()), ("original".to_string(), "waves".to_string())];
    form.extend(stage(0, "canary", "default", "agent-canary", "mi-canary", "600", "daemon-errors"));
    form.extend(stage(1, "general", "default", "agent", "mi-general", "600", "daemon-errors"));
    save(&app, &alice, &form).await;
    let id = start(&app, &alice, "waves", "agent:2").await;
    drive_until(&app, &id, "soaking the canary", |v| stage_state(v, 0) == "soaking").await;
    app.sim_post("/_sim/alarms/daemon-errors", json!({"state": "ALARM"})).await;
    let v = drive_until(&app, &id, "failed", |v| state(v) == "failed").await;
    assert_eq!(stage_state(&v, 0), "failed", "{v}");
    assert!(v["row"]["reason"].as_str().unwrap().contains("daemon-errors is ALARM"), "{v}");
    assert_eq!(stage_state(&v, 1), "pending", "the next stage never started: {v}");
    assert_eq!(v["can_roll_back"], true, "{v}");
    assert_eq!(revisions_on(&app, "default", "agent-canary").await, ["agent:2"]);

    app.sim_post("/_sim/alarms/daemon-errors", json!({"state": "OK"})).await;
    let (status, body) = steer(&app, &alice, &id, "roll_back", &[]).await;
    assert_eq!(status, 200, "{body}");
    let v = view(&app, &id).await;
    let rollback = v["stages"][0]["rollback_request_id"].as_str().unwrap().to_string();
    assert!(!rollback.is_empty(), "{v}");
    // Rolling back twice makes nothing more.
    let (status, _) = steer(&app, &alice, &id, "roll_back", &[]).await;
    assert_eq!(status, 409);
    for _ in 0..200 {
        if revisions_on(&app, "default", "agent-canary").await == ["agent:1"] {
            break;
        }
        app.advance(5.0).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert_eq!(revisions_on(&app, "default", "agent-canary").await, ["agent:1"]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM change_requests WHERE kind = 'rollback'").await, 1);
}

async fn a_failing_stage_fails_the_promotion(engine: Engine) {
    let app = portal(engine).await;
    let alice = app.as_user("alice").await;
    app.register("agent", "example/broken-agent:1", "0.25", "0.5").await;
    app.sim_post("/_sim/images/fail", json!({"pattern": "example/broken-agent:*"})).await;
    save_waves(&app, &alice, "waves", "1", "").await;
    let id = start(&app, &alice, "waves", "agent:1").await;
    let v = drive_until(&app, &id, "failed", |v| state(v) == "failed").await;
    assert_eq!(stage_state(&v, 0), "failed", "{v}");
    assert_eq!(stage_state(&v, 1), "pending", "{v}");
    assert!(v["row"]["reason"].as_str().unwrap().contains("canary"), "{v}");
    assert_eq!(mutating_calls(&app, "CreateDaemon"), 1, "only the canary was deployed");
}

async fn pause_resume_and_abort(engine: Engine) {
    let app = portal(engine).await;
    let (alice, bob) = (app.as_user("alice").await, app.as_user("bob").await);
    app.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    save_waves(&app, &alice, "waves", "1", "").await;
    let id = start(&app, &alice, "waves", "agent:1").await;
    drive_until(&app, &id, "soaking the canary", |v| stage_state(v, 0) == "soaking").await;
    let (status, body) = steer(&app, &alice, &id, "pause", &[]).await;
    assert_eq!(status, 200, "{body}");
    // Paused: however long, the next stage does not start.
    for _ in 0..20 {
        app.advance(5.0).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let v = view(&app, &id).await;
    assert_eq!((state(&v), stage_state(&v, 1)), ("paused".into(), "pending".into()), "{v}");
    let (status, _) = steer(&app, &alice, &id, "pause", &[]).await;
    assert_eq!(status, 409, "pausing twice");
    let (status, body) = steer(&app, &bob, &id, "resume", &[]).await;
    assert_eq!(status, 200, "{body}");
    drive_until(&app, &id, "deploying the general stage", |v| stage_state(v, 1) == "deploying").await;

    // Abort during the second stage, sending it back.
    let (status, body) = steer(&app, &alice, &id, "abort", &[("roll_back_current", "on")]).await;
    assert_eq!(status, 200, "{body}");
    let v = view(&app, &id).await;
    assert_eq!(state(&v), "aborted", "{v}");
    assert_eq!(stage_state(&v, 1), "aborted", "{v}");
    assert_eq!(stage_state(&v, 2), "pending", "{v}");
    for _ in 0..30 {
        app.advance(5.0).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert_eq!(stage_state(&view(&app, &id).await, 2), "pending", "nothing starts after an abort");
    let (status, _) = steer(&app, &alice, &id, "resume", &[]).await;
    assert_eq!(status, 409, "an aborted promotion stays aborted");
    // The general stage's daemon was new: nothing ran before, so nothing to send back to, and
    // the timeline says so.
    assert_eq!(mutating_calls(&app, "UpdateDaemon"), 0);
    let v = view(&app, &id).await;
    let (_, r) =
        app.call("get-change-request", &[("id", v["stages"][1]["request_id"].as_str().unwrap())]).await;
    let said = v["events"].as_array().unwrap().iter().any(|e| e["kind"] == "not_rolled_back");
    // (Had the abort come before its ECS call, the request would have been cancelled instead.)
    assert!(said || r["row"]["state"] == "cancelled", "{v}");
}

async fn a_freeze_delays_a_stage_until_it_ends(engine: Engine) {
    let app = portal(engine).await;
    let alice = app.as_user("alice").await;
    app.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    save_waves(&app, &alice, "waves", "0", "").await;
    // A deny window on mi-general for the next 3 seconds of the portal's clock.
    let now = app::services::clock::now_ms();
    let window = app::domain::policy::FreezeWindow {
        id: String::new(),
        environment: "*".into(),
        cluster: "default".into(),
        capacity_provider: "mi-general".into(),
        schedule: app::domain::policy::FreezeSchedule::Once { starts_at: now - 1000, ends_at: now + 3000 },
        reason: "game day".into(),
    };
    app.state.services.policies.save_freeze(&window, "admin").await.unwrap();
    let id = start(&app, &alice, "waves", "agent:1").await;
    let v = drive_until(&app, &id, "waiting for the window", |v| {
        stage_state(v, 1) == "waiting" && !v["stages"][1]["note"].as_str().unwrap().is_empty()
    })
    .await;
    assert!(v["stages"][1]["note"].as_str().unwrap().contains("game day"), "{v}");
    assert_eq!(v["stages"][1]["request_id"], "", "no request while the window is closed: {v}");
    let v = drive_until(&app, &id, "past the window", |v| stage_state(v, 1) == "succeeded").await;
    assert!(app::services::clock::now_ms() >= now + 3000, "{v}");
}

async fn an_allow_window_holds_a_stage_until_it_opens(engine: Engine) {
    let app = portal(engine).await;
    let alice = app.as_user("alice").await;
    app.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    save_waves(&app, &alice, "waves", "0", "").await;
    // A bad window is refused next to its field.
    let bad = [
        ("form[effect]", "allow"),
        ("form[environment]", "*"),
        ("form[cluster]", "default"),
        ("form[capacity_provider]", "mi-general"),
        ("form[rule]", "FREQ=DAILY"),
        ("form[time_zone]", "Mars/Olympus"),
        ("form[starts]", "2026-01-01T09:00"),
        ("form[duration_minutes]", "60"),
    ];
    let (status, body) = app.call("admin-save-window", &bad).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["time_zone"].as_str().unwrap().contains("time zone"), "{body}");
    // Daily, one hour, opening two hours from now (UTC): never open now.
    let hour = (app::services::clock::now_ms() / 3_600_000 + 2) % 24;
    let starts = format!("2026-01-01T{hour:02}:00");
    let mut good = bad.to_vec();
    good[5] = ("form[time_zone]", "UTC");
    good[6] = ("form[starts]", &starts);
    good.push(("form[reason]", "business hours for the general fleet"));
    let (status, body) = app.call("admin-save-window", &good).await;
    assert_eq!(status, 200, "{body}");
    let window_id = body.as_str().unwrap().to_string();

    let id = start(&app, &alice, "waves", "agent:1").await;
    let v = drive_until(&app, &id, "waiting for the window", |v| {
        stage_state(v, 1) == "waiting" && v["stages"][1]["note"].as_str().unwrap().contains("until")
    })
    .await;
    assert_eq!(stage_state(&v, 0), "succeeded", "the canary's provider has no window: {v}");
    assert!(v["stages"][1]["note"].as_str().unwrap().contains("business hours"), "{v}");
    assert_eq!(v["stages"][1]["request_id"], "", "{v}");
    let gate = v["stages"][1]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Delivery window")
        .cloned()
        .unwrap();
    assert_eq!(gate["state"], "waiting", "{v}");
    // The calendar shows the stage scheduled, and the window.
    let calendar = app.page("/calendar").await;
    assert!(calendar.contains("starts when its window opens"), "{calendar}");
    assert!(calendar.contains("business hours for the general fleet"), "{calendar}");

    let (status, body) = app.call("admin-delete-window", &[("id", &window_id)]).await;
    assert_eq!(status, 200, "{body}");
    drive_until(&app, &id, "past the window", |v| stage_state(v, 1) == "succeeded").await;
}

async fn a_manual_promote_gate_needs_an_approver(engine: Engine) {
    let app = portal(engine).await;
    let alice = app.as_user("alice").await;
    let bob = app.as_user("bob").await;
    app.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    let mut form = vec![("form[name]".to_string(), "gated".to_string())];
    form.extend(stage(0, "canary", "default", "agent-canary", "mi-canary", "0", ""));
    form.extend(stage(1, "general", "default", "agent", "mi-general", "0", ""));
    form.push(("form[stages][1][manual_promote]".into(), "on".into()));
    save(&app, &alice, &form).await;
    let id = start(&app, &alice, "gated", "agent:1").await;
    let v = drive_until(&app, &id, "waiting for a promote", |v| stage_state(v, 1) == "promote_needed").await;
    assert_eq!(v["may_promote"], true, "admin may promote: {v}");
    let (status, body) = steer(&app, &alice, &id, "promote", &[("stage", "1")]).await;
    assert_eq!(status, 403, "alice is no approver: {body}");
    let (status, body) = steer(&app, &bob, &id, "promote", &[("stage", "1")]).await;
    assert_eq!(status, 200, "{body}");
    let v = drive_until(&app, &id, "succeeded", |v| state(v) == "succeeded").await;
    let gate = v["stages"][1]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Manual promote")
        .cloned()
        .unwrap();
    assert_eq!((gate["state"].as_str(), gate["detail"].as_str()), (Some("passed"), Some("by bob")), "{v}");
}

async fn a_restarted_portal_goes_on_where_it_was(engine: Engine) {
    // The first portal's worker runs once, then (for the test) never again: as if killed.
    let first = TestApp::on(engine).manual_clock().worker_every_ms(3_600_000).without_drift().await;
    let alice = first.as_user("alice").await;
    first.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    save_waves(&first, &alice, "waves", "0", "").await;
    let id = start(&first, &alice, "waves", "agent:1").await;
    let v = view(&first, &id).await;
    assert_eq!(stage_state(&v, 0), "deploying", "{v}");
    // Its leases run out, as a dead process's do.
    sqlx::query("UPDATE worker_leases SET until = 0").execute(first.state.services.db.pool()).await.unwrap();
    sqlx::query("UPDATE change_requests SET lease_until = 0")
        .execute(first.state.services.db.pool())
        .await
        .unwrap();
    let second = first.replica_with(|c| c.worker_interval_ms = 100).await;
    let v = drive_until(&second, &id, "at prod", |v| stage_state(v, 2) == "deploying").await;
    assert_eq!((stage_state(&v, 0), stage_state(&v, 1)), ("succeeded".into(), "succeeded".into()), "{v}");
    assert_eq!(count(&second, "SELECT COUNT(*) FROM change_requests").await, 3, "one request a stage");
    assert_eq!(mutating_calls(&first, "CreateDaemon"), 2, "prod waits for approval");
}

async fn two_replicas_advance_each_promotion_once(engine: Engine) {
    let first = portal(engine).await;
    let second = first.replica().await;
    let (alice, bob) = (first.as_user("alice").await, second.as_user("bob").await);
    first.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    save_waves(&first, &alice, "waves", "1", "").await;
    let id = start(&first, &alice, "waves", "agent:1").await;
    let v =
        drive_until(&second, &id, "waiting for prod's approval", |v| stage_state(v, 2) == "deploying").await;
    approve(&second, &bob, v["stages"][2]["request_id"].as_str().unwrap()).await;
    let v = drive_until(&first, &id, "succeeded", |v| state(v) == "succeeded").await;
    assert_eq!(count(&first, "SELECT COUNT(*) FROM change_requests").await, 3, "{v}");
    assert_eq!(mutating_calls(&first, "CreateDaemon"), 3);
    let events = v["events"].as_array().unwrap();
    for kind in ["requested", "deployed", "stage_succeeded"] {
        assert_eq!(events.iter().filter(|e| e["kind"] == kind).count(), 3, "{kind}: {events:?}");
    }
}

async fn bad_pipelines_and_starts_are_refused_with_field_messages(engine: Engine) {
    let app = portal(engine).await;
    let alice = app.as_user("alice").await;
    let mut form = vec![("form[name]".to_string(), "bad".to_string())];
    form.extend(stage(0, "canary", "no such cluster", "agent", "", "x", ""));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = app.call_with(&alice, "save-pipeline", &pairs).await;
    assert_eq!(status, 422, "{body}");
    for field in ["stages.0.cluster", "stages.0.capacity_providers", "stages.0.soak_seconds"] {
        assert!(body["Invalid"][field].is_string(), "{field}: {body}");
    }
    let (status, body) = app
        .call_with(
            &alice,
            "start-promotion",
            &[("pipeline", "cloudwatch-agent-waves"), ("revision", "agent")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["revision"].is_string(), "{body}");
    let (status, body) = app
        .call_with(
            &alice,
            "start-promotion",
            &[("pipeline", "cloudwatch-agent-waves"), ("revision", "nothing:1")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["revision"].is_string(), "{body}");
    // The embedded example exists from the first start.
    let (status, body) = app.call("list-pipelines", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.as_array().unwrap().iter().any(|p| p["name"] == "cloudwatch-agent-waves"), "{body}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM promotions").await, 0);
}

async fn the_api_takes_a_toml_pipeline_and_runs_a_promotion(engine: Engine) {
    let app = portal(engine).await;
    let alice = crate::api_v1::token_for(&app, "alice").await;
    app.register("agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    let base = format!("{}/api/v1", app.address);
    let toml = r#"
name = "from-ci"
description = "canary then general"

[[stages]]
name = "canary"
cluster = "default"
daemon = "agent-canary"
capacity_providers = ["mi-canary"]
soak_seconds = 1

[[stages]]
name = "general"
cluster = "default"
daemon = "agent"
capacity_providers = ["mi-general"]
drain_percent = 50.0
"#;
    let res = alice
        .put(format!("{base}/pipelines/from-ci"))
        .header("content-type", "application/toml")
        .body(toml)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stages"][1]["drain_percent"], 50.0, "{body}");
    // A bad document is refused by stage and field, in the API's error shape.
    let bad = r#"{"name": "from-ci", "stages": [{"name": "x", "cluster": "default", "daemon": "a", "capacity_providers": []}]}"#;
    let (status, body) =
        crate::api_v1::send(&alice, "PUT", &format!("{base}/pipelines/from-ci"), Some(bad)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid")), "{body}");
    assert!(body["error"]["fields"]["stages.0.capacity_providers"].is_string(), "{body}");

    let start = r#"{"pipeline": "from-ci", "revision": "agent:1"}"#;
    let (status, body) =
        crate::api_v1::send(&alice, "POST", &format!("{base}/promotions"), Some(start)).await;
    assert_eq!(status, 201, "{body}");
    let id = body["promotion"]["id"].as_str().unwrap().to_string();
    drive_until(&app, &id, "succeeded", |v| state(v) == "succeeded").await;
    let (status, body) = crate::api_v1::send(&alice, "GET", &format!("{base}/promotions/{id}"), None).await;
    assert_eq!((status, body["promotion"]["state"].as_str()), (200, Some("succeeded")), "{body}");
    let (status, body) =
        crate::api_v1::send(&alice, "POST", &format!("{base}/promotions/{id}/pause"), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")), "{body}");
    let (status, body) =
        crate::api_v1::send(&alice, "GET", &format!("{base}/promotions?pipeline=from-ci"), None).await;
    assert_eq!((status, body["items"].as_array().map(Vec::len)), (200, Some(1)), "{body}");
}

on_both!(
    the_api_takes_a_toml_pipeline_and_runs_a_promotion,
    a_promotion_goes_through_three_stages,
    an_alarm_during_the_soak_stops_it_and_earlier_stages_roll_back,
    a_failing_stage_fails_the_promotion,
    pause_resume_and_abort,
    a_freeze_delays_a_stage_until_it_ends,
    an_allow_window_holds_a_stage_until_it_opens,
    a_manual_promote_gate_needs_an_approver,
    a_restarted_portal_goes_on_where_it_was,
    two_replicas_advance_each_promotion_once,
    bad_pipelines_and_starts_are_refused_with_field_messages
);
