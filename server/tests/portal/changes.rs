//! Change requests and approval policies, over HTTP against the whole portal (embedded
//! emulator, manual clock), on SQLite and on PostgreSQL.
use std::time::Duration;

use serde_json::Value;
use sqlx::Row;

use crate::helpers::{client_with_cookie, Engine, Spawn, TestApp, DEMO_PASSWORD};

on_both!(
    prod_needs_one_approval_from_someone_else,
    approvals_are_counted_per_distinct_person,
    editing_voids_approvals,
    rejection_needs_a_comment_and_ends_the_request,
    pending_requests_expire,
    freeze_windows_hold_execution_until_an_admin_overrides,
    concurrent_approvals_execute_once,
    a_crash_between_the_ecs_call_and_the_write_creates_nothing_twice,
    an_interrupted_update_is_adopted_not_repeated,
    emulator_clock_hours_ahead,
    emulator_clock_hours_behind,
    lost_answers_and_throttling_never_double_an_update,
    a_second_request_waits_while_the_first_call_is_in_doubt,
    the_requester_can_cancel_and_nobody_else_can,
    out_of_band_changes_are_recorded_in_the_history,
    request_lists_page_without_gaps_or_overlaps,
);

/// The portal as these tests want it: the clock theirs, the worker quick, no drift checks.
fn portal(engine: Engine) -> Spawn {
    TestApp::on(engine).manual_clock().worker_every_ms(100).without_drift()
}

struct Users {
    alice: reqwest::Client,
    bob: reqwest::Client,
    carol: reqwest::Client,
}

async fn users(app: &TestApp) -> Users {
    Users {
        alice: app.as_user("alice").await,
        bob: app.as_user("bob").await,
        carol: app.as_user("carol").await,
    }
}

/// Creates `name` as an approver in team `platform` and signs them in.
async fn extra_approver(app: &TestApp, name: &str) -> reqwest::Client {
    let hash = server::auth::password::hash(DEMO_PASSWORD).unwrap();
    server::auth::users::create(&app.state.services.db, name, &hash, false).await.unwrap();
    server::auth::users::add_membership(&app.state.services.db, name, "platform", app::auth::Role::Approver)
        .await
        .unwrap();
    app.as_user(name).await
}

fn prod_form<'a>(name: &'a str, family: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("form[cluster]", "prod"),
        ("form[daemon_name]", name),
        ("form[family]", family),
        ("form[capacity_providers][0]", "mi-prod-a"),
        ("form[capacity_providers][1]", "mi-prod-b"),
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

/// alice asks to deploy `name` on prod; returns the request id.
async fn request_deploy(app: &TestApp, u: &Users, name: &str) -> String {
    let (status, body) = app.call_with(&u.alice, "deploy-daemon", &prod_form(name, "cw-agent", &[])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["state"], "pending", "{body}");
    assert_eq!(body["next"], format!("/approvals/{}", body["request"]["id"].as_str().unwrap()));
    body["request"]["id"].as_str().unwrap().to_string()
}

/// Reviews the request as it stands now (the version a reviewer opening it would see).
async fn review(
    app: &TestApp,
    who: &reqwest::Client,
    id: &str,
    decision: &str,
    comment: &str,
) -> (u16, Value) {
    let (_, r) = app.call("get-change-request", &[("id", id)]).await;
    let version = r["version"].as_i64().unwrap_or(1).to_string();
    review_at(app, who, id, &version, decision, comment).await
}

/// Reviews `version` of the request, as the page's form posts it.
async fn review_at(
    app: &TestApp,
    who: &reqwest::Client,
    id: &str,
    version: &str,
    decision: &str,
    comment: &str,
) -> (u16, Value) {
    app.call_with(
        who,
        "review-change-request",
        &[("id", id), ("decision", decision), ("comment", comment), ("version", version)],
    )
    .await
}

async fn request(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.call("get-change-request", &[("id", id)]).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn set_prod_approvals(app: &TestApp, n: i64) {
    sqlx::query(
        "UPDATE policies SET approvals_required = $1 WHERE cluster = 'prod' AND capacity_provider = ''",
    )
    .bind(n)
    .execute(app.state.services.db.pool())
    .await
    .unwrap();
}

/// Deployments ECS has for a daemon on prod.
async fn deployments_of(app: &TestApp, name: &str) -> usize {
    let arn = format!("arn:aws:ecs:us-east-1:123456789012:daemon/prod/{name}");
    match app.state.services.gateway.ecs.client.list_daemon_deployments().daemon_arn(arn).send().await {
        Ok(out) => out.daemon_deployments.unwrap_or_default().len(),
        Err(_) => 0,
    }
}

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query(sql).bind(id).fetch_one(app.state.services.db.pool()).await.unwrap().try_get("n").unwrap()
}

/// Advances the emulator until the request ends (the worker follows it); returns it.
async fn run_to_end(app: &TestApp, id: &str) -> Value {
    for _ in 0..400 {
        let r = request(app, id).await;
        let state = r["row"]["state"].as_str().unwrap().to_string();
        if !["approved", "executing"].contains(&state.as_str()) {
            return r;
        }
        app.advance(5.0).await;
        // Longer than the worker's interval: it sees every step of the rollout.
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    panic!("request {id} did not end");
}

async fn prod_needs_one_approval_from_someone_else(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let id = request_deploy(&app, &u, "cwagent").await;
    let r = request(&app, &id).await;
    assert_eq!(r["policy"]["approvals_required"], 1);
    assert_eq!(r["policy"]["approver_teams"], serde_json::json!(["platform"]));
    assert!(r["ecs_input"].as_str().unwrap().contains("\"operation\": \"CreateDaemon\""), "{r}");
    assert!(r["ecs_input"].as_str().unwrap().contains(&format!("\"clientToken\": \"{id}\"")), "{r}");
    assert!(r["diff"].as_str().unwrap().contains("amazon/cloudwatch-agent:latest"), "{r}");
    assert_eq!(deployments_of(&app, "cwagent").await, 0, "nothing runs before approval");

    let (status, body) = review(&app, &u.alice, &id, "approve", "").await;
    assert_eq!(status, 403, "self-approval refused: {body}");
    let (status, body) = review(&app, &u.carol, &id, "approve", "").await;
    assert_eq!(status, 403, "a viewer may not approve: {body}");
    let (status, _) = review(&app, &client_with_cookie(""), &id, "approve", "").await;
    assert_eq!(status, 401);
    assert_eq!(request(&app, &id).await["row"]["state"], "pending");

    let (status, body) = review(&app, &u.bob, &id, "approve", "looks good").await;
    assert_eq!(status, 200, "{body}");
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "executing", "{r}");
    assert!(r["deployment_arn"].as_str().unwrap().contains(":daemon-deployment/prod/cwagent/"), "{r}");
    assert_eq!(deployments_of(&app, "cwagent").await, 1);

    let r = run_to_end(&app, &id).await;
    assert_eq!(r["row"]["state"], "succeeded", "{r}");
    assert_eq!(r["row"]["progress"], 100);
    let rollout = sqlx::query(
        "SELECT requester, approvers, status, to_revision, ended_at FROM rollouts WHERE request_id = $1",
    )
    .bind(&id)
    .fetch_one(app.state.services.db.pool())
    .await
    .unwrap();
    assert_eq!(rollout.try_get::<String, _>("requester").unwrap(), "alice");
    assert_eq!(rollout.try_get::<String, _>("approvers").unwrap(), "bob");
    assert_eq!(rollout.try_get::<String, _>("status").unwrap(), "SUCCESSFUL");
    assert_eq!(rollout.try_get::<String, _>("to_revision").unwrap(), "cw-agent:1");
    assert!(rollout.try_get::<i64, _>("ended_at").unwrap() > 0);
    assert!(count(&app, "SELECT COUNT(*) AS n FROM rollout_progress WHERE request_id = $1", &id).await >= 2);
    let kinds: Vec<String> =
        r["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect();
    for k in ["created", "approved", "executing", "ecs_call", "succeeded"] {
        assert!(kinds.contains(&k.to_string()), "{k} in {kinds:?}");
    }
    let audit = server::auth::audit::recent(&app.state.services.db, 200).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "change.request" && e.actor == "alice" && e.target == id));
    assert!(audit.iter().any(|e| e.action == "change.approve" && e.actor == "bob" && e.target == id));
    assert!(audit.iter().any(|e| e.action == "change.execute" && e.target == id));
    assert!(audit
        .iter()
        .any(|e| e.action == "change.end" && e.target == id && e.detail.contains("succeeded")));
    // Cluster default needs no approval: the daemon starts at once.
    let (status, body) = app
        .call_with(
            &u.alice,
            "deploy-daemon",
            &[
                ("form[cluster]", "default"),
                ("form[daemon_name]", "quick"),
                ("form[family]", "cw-agent"),
                ("form[capacity_providers][0]", "mi-canary"),
                ("form[critical]", "on"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["state"], "executing", "{body}");
    assert_eq!(body["next"], "/daemons/default/quick");
}

async fn approvals_are_counted_per_distinct_person(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    let dave = extra_approver(&app, "dave").await;
    set_prod_approvals(&app, 2).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let id = request_deploy(&app, &u, "two").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    assert_eq!(review(&app, &u.bob, &id, "approve", "again").await.0, 200);
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "pending", "one person twice is one approval: {r}");
    assert_eq!(r["row"]["approvals"], 1);
    assert_eq!(review(&app, &dave, &id, "approve", "").await.0, 200);
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "executing", "{r}");
    assert_eq!(r["row"]["approvals"], 2);
}

async fn editing_voids_approvals(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    set_prod_approvals(&app, 2).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    app.register("cw-agent", "amazon/cloudwatch-agent:2", "1", "0.5").await;
    let id = request_deploy(&app, &u, "edited").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["approvals"], 1);

    let mut form = prod_form("edited", "cw-agent", &[("form[revision]", "2"), ("form[bake_time]", "5")]);
    form.push(("id", &id));
    let (status, body) = app.call_with(&u.bob, "edit-change-request", &form).await;
    assert_eq!(status, 403, "only the requester edits: {body}");
    let (status, body) = app.call_with(&u.alice, "edit-change-request", &form).await;
    assert_eq!(status, 200, "{body}");
    let r = request(&app, &id).await;
    assert_eq!(r["version"], 2);
    assert_eq!(r["row"]["approvals"], 0, "approvals on version 1 are void: {r}");
    assert_eq!(r["row"]["to_revision"], "cw-agent:2");
    assert!(r["ecs_input"].as_str().unwrap().contains("\"bakeTimeInMinutes\": 5"), "{r}");
    assert!(r["reviews"].as_array().unwrap().iter().all(|v| v["current"] == false));
    // Bad input in an edit is refused with a field message, and changes nothing.
    let mut bad = prod_form("edited", "cw-agent", &[("form[drain_percent]", "101")]);
    bad.push(("id", &id));
    let (status, body) = app.call_with(&u.alice, "edit-change-request", &bad).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["drain_percent"].is_string(), "{body}");
    assert_eq!(request(&app, &id).await["version"], 2);
}

async fn rejection_needs_a_comment_and_ends_the_request(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let id = request_deploy(&app, &u, "rejected").await;
    let (status, body) = review(&app, &u.bob, &id, "reject", "  ").await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["comment"].as_str().unwrap().contains("comment"), "{body}");
    let (status, body) =
        review(&app, &u.bob, &id, "reject", "<script>alert(1)</script> '; DROP TABLE users; --").await;
    assert_eq!(status, 200, "{body}");
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "rejected");
    assert_eq!(
        r["reviews"][0]["comment"], "<script>alert(1)</script> '; DROP TABLE users; --",
        "stored literally"
    );
    let (status, _) = review(&app, &u.bob, &id, "approve", "").await;
    assert_eq!(status, 409, "a rejected request cannot be approved");
    assert_eq!(deployments_of(&app, "rejected").await, 0);
    let (status, body) = review(&app, &u.bob, &id, "maybe", "").await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = review(&app, &u.bob, &id, "reject", &"x".repeat(2001)).await;
    assert_eq!(status, 422, "{body}");
}

async fn pending_requests_expire(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let policy = request(&app, &request_deploy(&app, &u, "late").await).await;
    assert_eq!(policy["policy"]["expiry_hours"], 72);
    let id = policy["row"]["id"].as_str().unwrap().to_string();
    let hours = (policy["row"]["expires_at"].as_i64().unwrap()
        - policy["row"]["created_at"].as_i64().unwrap())
        / 3_600_000;
    assert_eq!(hours, 72);
    sqlx::query("UPDATE change_requests SET expires_at = 1 WHERE id = $1")
        .bind(&id)
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    let (status, body) = review(&app, &u.bob, &id, "approve", "").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(request(&app, &id).await["row"]["state"], "expired");
    // The worker sweeps the others without anyone looking.
    let other = request_deploy(&app, &u, "later").await;
    sqlx::query("UPDATE change_requests SET expires_at = 1 WHERE id = $1")
        .bind(&other)
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    server::changes::worker::run_once(&app.state.services.changes).await;
    assert_eq!(request(&app, &other).await["row"]["state"], "expired");
    assert_eq!(deployments_of(&app, "later").await, 0);
}

async fn add_freeze(app: &TestApp, cluster: &str) {
    let now = server::auth::now_ms();
    sqlx::query(
        "INSERT INTO freeze_windows (id, cluster, capacity_provider, kind, starts_at, ends_at, reason, created_by, created_at) \
         VALUES ($1, $2, '', 'once', $3, $4, 'quarter-end freeze', 'admin', $3)",
    )
    .bind(format!("f-{cluster}"))
    .bind(cluster)
    .bind(now - 3_600_000)
    .bind(now + 3_600_000)
    .execute(app.state.services.db.pool())
    .await
    .unwrap();
}

async fn freeze_windows_hold_execution_until_an_admin_overrides(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    add_freeze(&app, "prod").await;
    let id = request_deploy(&app, &u, "frozen").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    server::changes::worker::run_once(&app.state.services.changes).await;
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "approved", "{r}");
    assert_eq!(r["frozen_by"], serde_json::json!(["quarter-end freeze"]));
    assert_eq!(deployments_of(&app, "frozen").await, 0, "nothing runs during the freeze");

    let (status, _) = app
        .call_with(&u.bob, "override-freeze", &[("id", &id), ("reason", "incident 42 needs the fix")])
        .await;
    assert_eq!(status, 403, "only admins override");
    let (status, body) = app.call("override-freeze", &[("id", &id), ("reason", "because")]).await;
    assert_eq!(status, 422, "a reason is required: {body}");
    let (status, body) =
        app.call("override-freeze", &[("id", &id), ("reason", "incident 42 needs the fix")]).await;
    assert_eq!(status, 200, "{body}");
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "executing", "{r}");
    assert_eq!(r["override_reason"], "incident 42 needs the fix");
    assert_eq!(deployments_of(&app, "frozen").await, 1);
    let audit = server::auth::audit::recent(&app.state.services.db, 200).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "change.override_freeze"
        && e.actor == "admin"
        && e.detail.contains("incident 42")));
}

async fn concurrent_approvals_execute_once(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    let dave = extra_approver(&app, "dave").await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    for round in 0..3 {
        let name = format!("race{round}");
        let id = request_deploy(&app, &u, &name).await;
        let (a, b) =
            tokio::join!(review(&app, &u.bob, &id, "approve", ""), review(&app, &dave, &id, "approve", ""));
        // The slower click may find the request already approved (409); never both refused.
        assert!(a.0 == 200 || b.0 == 200, "{a:?} {b:?}");
        assert!([200, 409].contains(&a.0) && [200, 409].contains(&b.0), "{a:?} {b:?}");
        server::changes::worker::run_once(&app.state.services.changes).await;
        assert_eq!(deployments_of(&app, &name).await, 1, "exactly one execution");
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) AS n FROM request_events WHERE request_id = $1 AND kind = 'executing'",
                &id
            )
            .await,
            1
        );
        assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM rollouts WHERE request_id = $1", &id).await, 1);
    }
}

/// Where a simulated crash interrupts execution.
#[derive(Clone, Copy, PartialEq)]
enum Crash {
    /// After the baseline is written, before the ECS call is sent.
    BeforeCall,
    /// After the ECS call took effect, before its answer is written down.
    AfterCall,
}

/// Marks an approved request executing, records its baseline and (for `AfterCall`) sends
/// its ECS call, without recording the result: the database as a crash at that point leaves
/// it. The lease it took lasts `lease_ms`, after which any replica may resume the request.
/// Returns the deployment the call started ("" for `BeforeCall`).
async fn crash(app: &TestApp, id: &str, at: Crash, lease_ms: i64) -> String {
    use server::changes::{adopt, call::EcsCall, store};
    let db = &app.state.services.db;
    let mut claimed = false;
    for _ in 0..200 {
        if store::claim(db, id, "crashed-replica", lease_ms).await.unwrap() {
            claimed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(claimed, "the crashing replica takes the request");
    assert_eq!(store::start_executing(db, id, "crashed-replica").await.unwrap(), store::Start::Started);
    let r = store::get(db, id).await.unwrap().unwrap();
    let call = EcsCall::from_json(&r.input).unwrap();
    let baseline = match adopt::daemon_of(&call) {
        Some(daemon) => adopt::newest_deployment(&app.state.services.changes, daemon).await.unwrap(),
        None => String::new(),
    };
    assert!(store::set_baseline(db, id, "crashed-replica", &baseline).await.unwrap());
    let arn = match at {
        Crash::BeforeCall => String::new(),
        Crash::AfterCall => server::changes::call::send(&app.state.services.changes, &call, &r.row.requester)
            .await
            .expect("the first attempt's call"),
    };
    assert_eq!(request(app, id).await["deployment_arn"], "", "the crash lost the write");
    arn
}

/// `crash` at `AfterCall`, whose lease runs out before this returns.
async fn crash_after_call(app: &TestApp, id: &str) -> String {
    let arn = crash(app, id, Crash::AfterCall, 400).await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    arn
}

/// Resumes the request (this replica, or the worker if it is quicker) and waits for the
/// deployment to be recorded.
async fn resumed(app: &TestApp, id: &str) -> Value {
    app.state.services.changes.step(id).await.unwrap();
    for _ in 0..100 {
        let r = request(app, id).await;
        if r["deployment_arn"] != "" {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("request {id} was not resumed");
}

async fn a_crash_between_the_ecs_call_and_the_write_creates_nothing_twice(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    add_freeze(&app, "prod").await; // keeps the live worker from starting it first
    let id = request_deploy(&app, &u, "crashy").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    let first = crash_after_call(&app, &id).await;
    assert_eq!(request(&app, &id).await["row"]["state"], "executing");
    // Any replica resumes it: the CreateDaemon repeat carries the same clientToken.
    let r = resumed(&app, &id).await;
    assert_eq!(r["deployment_arn"], first.as_str(), "{r}");
    assert_eq!(deployments_of(&app, "crashy").await, 1, "no second daemon or deployment");
    let daemons =
        app.state.services.gateway.ecs.client.list_daemons().cluster_arn("prod").send().await.unwrap();
    assert_eq!(daemons.daemon_summaries_list.unwrap_or_default().len(), 1);
    let r = run_to_end(&app, &id).await;
    assert_eq!(r["row"]["state"], "succeeded", "{r}");
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM rollouts WHERE request_id = $1", &id).await, 1);
}

async fn an_interrupted_update_is_adopted_not_repeated(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    app.register("cw-agent", "amazon/cloudwatch-agent:2", "1", "0.5").await;
    let id = request_deploy(&app, &u, "upd").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    run_to_end(&app, &id).await;
    add_freeze(&app, "prod").await;
    let arn = "arn:aws:ecs:us-east-1:123456789012:daemon/prod/upd";
    let (status, body) = app
        .call_with(
            &u.alice,
            "deploy-daemon",
            &prod_form("upd", "cw-agent", &[("form[daemon_arn]", arn), ("form[revision]", "2")]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["kind"], "update");
    let id = body["request"]["id"].as_str().unwrap().to_string();
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    let first = crash_after_call(&app, &id).await;
    let r = resumed(&app, &id).await;
    assert_eq!(r["deployment_arn"], first.as_str(), "the earlier UpdateDaemon is adopted: {r}");
    assert_eq!(deployments_of(&app, "upd").await, 2, "create + one update, not two");
    assert!(r["events"].as_array().unwrap().iter().any(|e| e["kind"] == "resumed"));
}

/// alice asks to move daemon `name` on prod to `revision` of cw-agent; bob approves.
async fn request_update(app: &TestApp, u: &Users, name: &str, revision: &str) -> String {
    let id = submit_update(app, u, name, revision).await;
    assert_eq!(review(app, &u.bob, &id, "approve", "").await.0, 200);
    id
}

/// alice asks to move daemon `name` on prod to `revision` of cw-agent.
async fn submit_update(app: &TestApp, u: &Users, name: &str, revision: &str) -> String {
    let arn = format!("arn:aws:ecs:us-east-1:123456789012:daemon/prod/{name}");
    let form = prod_form(name, "cw-agent", &[("form[daemon_arn]", &arn), ("form[revision]", revision)]);
    let (status, body) = app.call_with(&u.alice, "deploy-daemon", &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["kind"], "update", "{body}");
    body["request"]["id"].as_str().unwrap().to_string()
}

/// The task definitions the daemon's instances run now, as ECS reports them.
async fn running(app: &TestApp, name: &str) -> Vec<String> {
    let c = &app.state.services.gateway.ecs.client;
    let arn = format!("arn:aws:ecs:us-east-1:123456789012:daemon/prod/{name}");
    let d = c.describe_daemon().daemon_arn(arn).send().await.unwrap().daemon.unwrap();
    let revs: Vec<String> =
        d.current_revisions.unwrap_or_default().into_iter().filter_map(|r| r.arn).collect();
    let out = c.describe_daemon_revisions().set_daemon_revision_arns(Some(revs)).send().await.unwrap();
    let mut tds: Vec<String> = out
        .daemon_revisions
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.daemon_task_definition_arn)
        .collect();
    tds.sort();
    tds.dedup();
    tds
}

fn kinds(r: &Value) -> Vec<String> {
    r["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

async fn emulator_clock_hours_ahead(engine: Engine) {
    alternating_updates_with_crashes(engine, 3 * 3600).await
}

async fn emulator_clock_hours_behind(engine: Engine) {
    alternating_updates_with_crashes(engine, -3 * 3600).await
}

/// Updates alternate between revisions 1 and 2, so an earlier deployment to the same target
/// always exists; crashes before and after the call, with ECS's clock hours away from the
/// portal's. Each request ends with its own deployment, and the fleet runs what it says.
async fn alternating_updates_with_crashes(engine: Engine, offset_secs: i64) {
    let app = portal(engine).sim_clock_offset(offset_secs).await;
    let u = users(&app).await;
    let rev1 = app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let rev2 = app.register("cw-agent", "amazon/cloudwatch-agent:2", "1", "0.5").await;
    let id = request_deploy(&app, &u, "alt").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    let mut arns = vec![run_to_end(&app, &id).await["deployment_arn"].as_str().unwrap().to_string()];
    for rev in ["2", "1"] {
        let id = request_update(&app, &u, "alt", rev).await;
        let r = run_to_end(&app, &id).await;
        assert_eq!(r["row"]["state"], "succeeded", "{r}");
        arns.push(r["deployment_arn"].as_str().unwrap().to_string());
    }
    assert_eq!(running(&app, "alt").await, vec![rev1.clone()]);

    // To revision 2 again; the replica dies before its call. An earlier deployment to
    // revision 2 exists: it must not be taken for this request's own.
    add_freeze(&app, "prod").await; // keeps the live worker from starting it first
    let id = request_update(&app, &u, "alt", "2").await;
    crash(&app, &id, Crash::BeforeCall, 400).await;
    // The database refuses to give this request a deployment another request holds.
    assert_eq!(
        server::changes::store::set_deployment(&app.state.services.db, &id, &arns[1]).await.unwrap(),
        server::changes::store::Claim::TakenByAnother
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    let r = resumed(&app, &id).await;
    let own = r["deployment_arn"].as_str().unwrap().to_string();
    assert!(!arns.contains(&own), "a new deployment, not an earlier one: {r}");
    assert!(kinds(&r).contains(&"resending".to_string()), "{r}");
    assert!(!kinds(&r).contains(&"resumed".to_string()), "{r}");
    assert_eq!(deployments_of(&app, "alt").await, 4, "create + three updates");
    assert_eq!(run_to_end(&app, &id).await["row"]["state"], "succeeded");
    assert_eq!(running(&app, "alt").await, vec![rev2.clone()]);
    arns.push(own);

    // Back to revision 1; the replica dies after the call took effect: adopted, not repeated.
    let id = request_update(&app, &u, "alt", "1").await;
    let first = crash_after_call(&app, &id).await;
    let r = resumed(&app, &id).await;
    assert_eq!(r["deployment_arn"], first.as_str(), "{r}");
    assert!(!arns.contains(&first));
    assert!(kinds(&r).contains(&"resumed".to_string()), "{r}");
    assert_eq!(deployments_of(&app, "alt").await, 5, "one deployment for the interrupted request");
    let r = run_to_end(&app, &id).await;
    assert_eq!(r["row"]["state"], "succeeded", "{r}");
    assert_eq!(running(&app, "alt").await, vec![rev1]);
    // Every request holds its own deployment, and each appears once in the history.
    let n: i64 = sqlx::query("SELECT COUNT(DISTINCT deployment_arn) AS n FROM rollouts WHERE daemon = 'alt'")
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n, 5);
}

/// UpdateDaemon takes effect but its answer is lost (a 5xx): the request does not fail, is
/// not sent twice (the SDK does not repeat it, the executor looks first), and adopts the
/// deployment ECS shows. While ECS throttles every call, a request waits and sends once.
async fn lost_answers_and_throttling_never_double_an_update(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let rev2 = app.register("cw-agent", "amazon/cloudwatch-agent:2", "1", "0.5").await;
    let id = request_deploy(&app, &u, "lossy").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    run_to_end(&app, &id).await;

    app.sim_post("/_sim/faults", serde_json::json!({ "lostResponseRate": 1.0 })).await;
    let id = request_update(&app, &u, "lossy", "2").await;
    let r = resumed(&app, &id).await;
    app.sim_post("/_sim/faults", serde_json::json!({})).await;
    let k = kinds(&r);
    assert!(k.contains(&"retrying".to_string()) && k.contains(&"resumed".to_string()), "{r}");
    assert_eq!(deployments_of(&app, "lossy").await, 2, "create + exactly one update");
    let r = run_to_end(&app, &id).await;
    assert_eq!(r["row"]["state"], "succeeded", "{r}");
    assert_eq!(running(&app, "lossy").await, vec![rev2]);

    let id = submit_update(&app, &u, "lossy", "1").await;
    app.sim_post("/_sim/faults", serde_json::json!({ "throttleRate": 1.0 })).await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    tokio::time::sleep(Duration::from_millis(500)).await; // a few worker rounds, all throttled
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "executing", "{r}");
    assert_eq!(r["deployment_arn"], "", "{r}");
    app.sim_post("/_sim/faults", serde_json::json!({})).await;
    resumed(&app, &id).await;
    assert_eq!(deployments_of(&app, "lossy").await, 3, "sent once ECS answered");
    assert_eq!(run_to_end(&app, &id).await["row"]["state"], "succeeded");
}

/// While one request's call for a daemon is in doubt, another request for the same daemon
/// does not start (it could not tell its deployment from the first one's); it waits.
async fn a_second_request_waits_while_the_first_call_is_in_doubt(engine: Engine) {
    use server::changes::store;
    let app = portal(engine).await;
    let u = users(&app).await;
    let rev1 = app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    app.register("cw-agent", "amazon/cloudwatch-agent:2", "1", "0.5").await;
    let id = request_deploy(&app, &u, "queued").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    run_to_end(&app, &id).await;
    add_freeze(&app, "prod").await;
    let first = request_update(&app, &u, "queued", "2").await;
    crash(&app, &first, Crash::BeforeCall, 60_000).await; // the dead replica's lease holds
    let second = request_update(&app, &u, "queued", "1").await;
    assert!(store::set_override(&app.state.services.db, &second, "test: past the freeze").await.unwrap());
    // This replica steps it, or the worker does if it holds the request at that moment.
    app.state.services.changes.step(&second).await.unwrap();
    let mut r = request(&app, &second).await;
    for _ in 0..100 {
        if kinds(&r).contains(&"waiting".to_string()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        r = request(&app, &second).await;
    }
    assert_eq!(r["row"]["state"], "approved", "{r}");
    assert!(kinds(&r).contains(&"waiting".to_string()), "{r}");
    assert_eq!(deployments_of(&app, "queued").await, 1, "only the create so far");
    // The first request's lease runs out; it is resumed and sent, then the second goes.
    store::release(&app.state.services.db, &first, "crashed-replica").await.unwrap();
    resumed(&app, &first).await;
    let r = run_to_end(&app, &second).await;
    assert_eq!(r["row"]["state"], "succeeded", "{r}");
    assert_eq!(deployments_of(&app, "queued").await, 3, "create + one per update");
    assert_eq!(running(&app, "queued").await, vec![rev1]);
    let f = request(&app, &first).await;
    assert_eq!(f["row"]["state"], "stopped", "the second update superseded the first: {f}");
}

async fn the_requester_can_cancel_and_nobody_else_can(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let id = request_deploy(&app, &u, "cancelled").await;
    assert_eq!(app.call_with(&u.bob, "cancel-change-request", &[("id", &id)]).await.0, 403);
    assert_eq!(app.call_with(&u.alice, "cancel-change-request", &[("id", &id)]).await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["state"], "cancelled");
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 409);
    assert_eq!(app.call_with(&u.alice, "cancel-change-request", &[("id", &id)]).await.0, 409);
    // The lists: bob's inbox is empty again, alice sees hers.
    let (_, waiting) = app.call_with(&u.bob, "list-change-requests", &[("filter[inbox]", "waiting")]).await;
    assert_eq!(waiting["rows"].as_array().unwrap().len(), 0, "{waiting}");
    let (_, mine) = app.call_with(&u.alice, "list-change-requests", &[("filter[inbox]", "mine")]).await;
    assert_eq!(mine["rows"][0]["id"], id.as_str(), "{mine}");
    let (status, _) = app.call_with(&u.alice, "list-change-requests", &[("filter[state]", "bogus")]).await;
    assert_eq!(status, 422);
}

async fn out_of_band_changes_are_recorded_in_the_history(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let id = request_deploy(&app, &u, "viaportal").await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    // Someone uses the CLI instead.
    let ecs = &app.state.services.gateway.ecs.client;
    let td = "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/cw-agent:1";
    let cp = ecs.describe_capacity_providers().capacity_providers("mi-prod-a").send().await.unwrap();
    let cp_arn = cp.capacity_providers.unwrap()[0].capacity_provider_arn.clone().unwrap();
    ecs.create_daemon()
        .cluster_arn("prod")
        .daemon_name("viacli")
        .daemon_task_definition_arn(td)
        .capacity_provider_arns(cp_arn)
        .send()
        .await
        .unwrap();
    server::changes::drift::check(&app.state.services.changes).await.unwrap();
    server::changes::drift::check(&app.state.services.changes).await.unwrap();
    let rows = sqlx::query("SELECT daemon, source FROM rollouts ORDER BY id")
        .fetch_all(app.state.services.db.pool())
        .await
        .unwrap();
    let seen: Vec<(String, String)> =
        rows.iter().map(|r| (r.try_get("daemon").unwrap(), r.try_get("source").unwrap())).collect();
    assert_eq!(
        seen,
        vec![
            ("viaportal".to_string(), "portal".to_string()),
            ("viacli".to_string(), "out_of_band".to_string())
        ],
        "the portal's own rollout is not drift, and each change is recorded once"
    );
}

/// Two replicas on one PostgreSQL: every approved request executes exactly once.
#[tokio::test]
async fn two_replicas_on_one_postgres_execute_each_request_once() {
    if Engine::Postgres.skipped() {
        return;
    }
    let app = portal(Engine::Postgres).await;
    let replica = app.replica().await;
    assert_ne!(app.state.services.changes.instance, replica.state.services.changes.instance);
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "0.25", "0.25").await;
    add_freeze(&app, "prod").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let id = request_deploy(&app, &u, &format!("rep{i}")).await;
        assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
        ids.push(id);
    }
    // The freeze ends: both workers reach for the same requests at once.
    sqlx::query("DELETE FROM freeze_windows").execute(app.state.services.db.pool()).await.unwrap();
    for id in &ids {
        let mut started = false;
        for _ in 0..200 {
            if request(&app, id).await["deployment_arn"] != "" {
                started = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(started, "{id} started");
    }
    let mut replicas = std::collections::BTreeSet::new();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(deployments_of(&app, &format!("rep{i}")).await, 1, "rep{i} deployed once");
        let executing =
            sqlx::query("SELECT detail FROM request_events WHERE request_id = $1 AND kind = 'executing'")
                .bind(id)
                .fetch_all(app.state.services.db.pool())
                .await
                .unwrap();
        assert_eq!(executing.len(), 1, "{id} executed once");
        replicas.insert(executing[0].try_get::<String, _>("detail").unwrap());
    }
    eprintln!("requests were started by: {replicas:?}");
}

/// The webhook receives a message when a request needs approval and when it ends.
#[tokio::test]
async fn the_webhook_hears_about_requests_that_need_approval_and_end() {
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let app = portal(Engine::Sqlite).settings(move |c| c.webhook_url = Some(hook)).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let id = request_deploy(&app, &u, "hooked").await;
    assert_eq!(review(&app, &u.bob, &id, "reject", "not today").await.0, 200);
    let mut events = Vec::new();
    for _ in 0..100 {
        events = received
            .lock()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["event"].as_str().unwrap().to_string(),
                    m["request"]["state"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>();
        if events.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        events,
        vec![
            ("approval_needed".to_string(), "pending".to_string()),
            ("request_ended".to_string(), "rejected".to_string())
        ]
    );
    let first = received.lock().unwrap()[0].clone();
    assert_eq!(first["request"]["id"], id.as_str());
    assert_eq!(first["request"]["requester"], "alice");
    assert_eq!(first["request"]["path"], format!("/approvals/{id}"));
}

/// While ECS throttles every call, an approved request waits and retries; it is not failed,
/// and once ECS answers again the worker starts it exactly once.
#[tokio::test]
async fn throttled_executions_are_retried_not_failed() {
    let app = portal(Engine::Sqlite).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let id = request_deploy(&app, &u, "patient").await;
    app.sim_post("/_sim/faults", serde_json::json!({ "throttleRate": 1.0 })).await;
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "executing", "{r}");
    assert_eq!(r["deployment_arn"], "");
    assert!(r["events"].as_array().unwrap().iter().any(|e| e["kind"] == "retrying"), "{r}");
    app.sim_post("/_sim/faults", serde_json::json!({ "throttleRate": 0.0 })).await;
    let mut started = Value::Null;
    for _ in 0..100 {
        started = request(&app, &id).await;
        if started["deployment_arn"] != "" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(started["deployment_arn"].as_str().unwrap().contains("/prod/patient/"), "{started}");
    assert_eq!(deployments_of(&app, "patient").await, 1);
}

/// 120 requests, several sharing a timestamp: "All requests" pages through every one exactly
/// once, newest first; "Waiting for me" holds only what bob may approve.
async fn request_lists_page_without_gaps_or_overlaps(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    let policy = r#"{"approvals_required":1,"approver_teams":["platform"],"allow_self_approval":false,"expiry_hours":72,"source":"cluster prod"}"#;
    let far = server::auth::now_ms() + 86_400_000;
    for i in 0..120i64 {
        let (state, requester) = if i % 3 == 0 {
            ("pending", if i % 2 == 0 { "alice" } else { "bob" })
        } else {
            ("succeeded", "alice")
        };
        sqlx::query(
            "INSERT INTO change_requests (id, kind, cluster, daemon, family, requester, summary, input, state, policy, \
             approvals_required, created_at, updated_at, expires_at) \
             VALUES ($1, 'update', 'prod', 'd', 'f', $2, 's', '{}', $3, $4, 1, $5, $5, $6)",
        )
        .bind(format!("r{i:03}"))
        .bind(requester)
        .bind(state)
        .bind(policy)
        .bind(1_000_000 + i / 4) // four requests per millisecond
        .bind(far)
        .execute(app.state.services.db.pool())
        .await
        .unwrap();
    }
    let mut seen: Vec<String> = Vec::new();
    let mut after = String::new();
    for _ in 0..10 {
        let (status, page) =
            app.call("list-change-requests", &[("filter[inbox]", "all"), ("filter[after]", &after)]).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => after = next.to_string(),
            None => break,
        }
    }
    let mut expected: Vec<String> = (0..120).rev().map(|i| format!("r{i:03}")).collect();
    expected.dedup();
    assert_eq!(seen, expected, "every request once, newest first");
    // bob may approve alice's pending requests, not his own.
    let (_, waiting) = app.call_with(&u.bob, "list-change-requests", &[("filter[inbox]", "waiting")]).await;
    let ids: Vec<&str> =
        waiting["rows"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 20, "{waiting}");
    assert!(ids.iter().all(|id| id[1..].parse::<i64>().unwrap() % 6 == 0), "{ids:?}");
    let (_, counts) = app.call_with(&u.bob, "approval-counts", &[]).await;
    assert_eq!(counts["waiting"], 20);
}

// ---- Approval rules that cannot be bypassed (issue 12): every policy of the request's scope ----

on_both!(
    a_delete_on_a_strict_or_frozen_provider_needs_its_approvals_and_waits,
    a_move_from_a_and_b_to_b_needs_the_approvals_of_a,
    two_providers_with_different_teams_each_need_their_own,
    an_edit_from_lax_to_strict_recomputes_the_policy,
    an_approval_of_a_version_edited_since_is_refused_and_not_counted,
    self_approval_only_if_every_policy_allows_it,
);

/// Creates `name` (if new) as an approver in `team` (created if new) and signs them in.
async fn approver_in(app: &TestApp, name: &str, teams: &[&str]) -> reqwest::Client {
    let hash = server::auth::password::hash(DEMO_PASSWORD).unwrap();
    server::auth::users::create(&app.state.services.db, name, &hash, false).await.unwrap();
    for team in teams {
        server::auth::users::ensure_team(&app.state.services.db, team).await.unwrap();
        server::auth::users::add_membership(&app.state.services.db, name, team, app::auth::Role::Approver)
            .await
            .unwrap();
    }
    app.as_user(name).await
}

fn policy(provider: &str, n: u32, teams: &[&str], self_ok: bool) -> app::domain::policy::Policy {
    app::domain::policy::Policy {
        environment: "*".into(),
        cluster: "prod".into(),
        capacity_provider: provider.into(),
        approvals_required: n,
        approver_teams: teams.iter().map(|t| t.to_string()).collect(),
        allow_self_approval: self_ok,
        expiry_hours: 72,
    }
}

async fn set_policy(app: &TestApp, p: app::domain::policy::Policy) {
    server::admin::policies::upsert(&app.state.services.db, &p, "test").await.unwrap();
}

/// The deploy form for `name` on prod on `providers` (an update when `update`).
fn form_on(name: &str, providers: &[&str], update: bool) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = prod_form(name, "cw-agent", &[])
        .into_iter()
        .filter(|(k, _)| !k.starts_with("form[capacity_providers]"))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (i, p) in providers.iter().enumerate() {
        f.push((format!("form[capacity_providers][{i}]"), p.to_string()));
    }
    if update {
        f.push(("form[daemon_arn]".into(), format!("arn:aws:ecs:us-east-1:123456789012:daemon/prod/{name}")));
    }
    f
}

async fn call_owned(
    app: &TestApp,
    who: &reqwest::Client,
    endpoint: &str,
    f: &[(String, String)],
) -> (u16, Value) {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call_with(who, endpoint, &pairs).await
}

/// alice deploys (or updates) `name` on `providers`; the request id.
async fn deploy_on(app: &TestApp, u: &Users, name: &str, providers: &[&str], update: bool) -> String {
    let (status, body) = call_owned(app, &u.alice, "deploy-daemon", &form_on(name, providers, update)).await;
    assert_eq!(status, 200, "{body}");
    body["request"]["id"].as_str().unwrap().to_string()
}

/// A daemon `name` running on `providers`, deployed while prod needed no approval.
async fn running_on(app: &TestApp, u: &Users, name: &str, providers: &[&str]) {
    set_prod_approvals(app, 0).await;
    let id = deploy_on(app, u, name, providers, false).await;
    assert_eq!(run_to_end(app, &id).await["row"]["state"], "succeeded");
    set_prod_approvals(app, 1).await;
}

fn labels(r: &Value) -> Vec<String> {
    r["policy"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["label"].as_str().unwrap().to_string())
        .collect()
}

async fn a_delete_on_a_strict_or_frozen_provider_needs_its_approvals_and_waits(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    let sam = approver_in(&app, "sam", &["security"]).await;
    let sue = approver_in(&app, "sue", &["security"]).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    running_on(&app, &u, "doomed", &["mi-prod-a"]).await;
    set_policy(&app, policy("mi-prod-a", 2, &["security"], false)).await;

    let (status, body) =
        app.call_with(&u.alice, "delete-daemon", &[("cluster", "prod"), ("name", "doomed")]).await;
    assert_eq!(status, 200, "{body}");
    let row = if body["request"].is_object() { &body["request"] } else { &body };
    let id = row["id"].as_str().unwrap().to_string();
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "pending", "not the cluster-wide 1 approval: {r}");
    assert_eq!(labels(&r), vec!["prod/mi-prod-a"]);
    assert_eq!(r["policy"]["approvals_required"], 2);
    assert_eq!(r["policy"]["scope"]["current"], serde_json::json!(["mi-prod-a"]));
    // bob approves prod in general, not mi-prod-a.
    let (status, body) = review(&app, &u.bob, &id, "approve", "").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(review(&app, &sam, &id, "approve", "").await.0, 200);
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "pending");
    assert_eq!(r["approvals_missing"], serde_json::json!(["prod/mi-prod-a: 1 more approval from security"]));

    // mi-prod-a is frozen: the fully approved delete waits, the daemon stays.
    let now = server::auth::now_ms();
    sqlx::query(
        "INSERT INTO freeze_windows (id, cluster, capacity_provider, kind, starts_at, ends_at, reason, created_by, created_at) \
         VALUES ('fa', 'prod', 'mi-prod-a', 'once', $1, $2, 'mi-prod-a migration', 'admin', $1)",
    )
    .bind(now - 3_600_000)
    .bind(now + 3_600_000)
    .execute(app.state.services.db.pool())
    .await
    .unwrap();
    assert_eq!(review(&app, &sue, &id, "approve", "").await.0, 200);
    server::changes::worker::run_once(&app.state.services.changes).await;
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "approved", "{r}");
    assert_eq!(r["frozen_by"], serde_json::json!(["mi-prod-a migration"]));
    let arn = "arn:aws:ecs:us-east-1:123456789012:daemon/prod/doomed";
    let d = app.state.services.gateway.ecs.client.describe_daemon().daemon_arn(arn).send().await.unwrap();
    assert_eq!(d.daemon.unwrap().status.unwrap().as_str(), "ACTIVE", "not deleted during the freeze");
    // The freeze ends: it goes.
    sqlx::query("DELETE FROM freeze_windows").execute(app.state.services.db.pool()).await.unwrap();
    server::changes::worker::run_once(&app.state.services.changes).await;
    assert_eq!(run_to_end(&app, &id).await["row"]["state"], "succeeded");
}

async fn a_move_from_a_and_b_to_b_needs_the_approvals_of_a(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    let sam = approver_in(&app, "sam", &["security"]).await;
    let sue = approver_in(&app, "sue", &["security"]).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    running_on(&app, &u, "mover", &["mi-prod-a", "mi-prod-b"]).await;
    set_policy(&app, policy("mi-prod-a", 2, &["security"], false)).await;

    let id = deploy_on(&app, &u, "mover", &["mi-prod-b"], true).await;
    let r = request(&app, &id).await;
    assert_eq!(labels(&r), vec!["prod/mi-prod-a", "cluster prod"], "draining a is governed by a: {r}");
    assert_eq!(r["policy"]["approvals_required"], 2);
    assert!(r["policy"]["source"].as_str().unwrap().starts_with("prod/mi-prod-a: 2 approvals from security"));
    let why = r["policy"]["requirements"][0]["why"][0].as_str().unwrap();
    assert_eq!(why, "mi-prod-a: runs there now, leaves it");
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["state"], "pending", "b's approval alone does not move it");
    assert_eq!(review(&app, &sam, &id, "approve", "").await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["state"], "pending");
    assert_eq!(review(&app, &sue, &id, "approve", "").await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["state"], "executing");
}

async fn two_providers_with_different_teams_each_need_their_own(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    let sam = approver_in(&app, "sam", &["security"]).await;
    let dee = approver_in(&app, "dee", &["security", "platform"]).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    set_policy(&app, policy("mi-prod-a", 1, &["security"], false)).await;
    set_policy(&app, policy("mi-prod-b", 1, &["platform"], false)).await;

    let id = deploy_on(&app, &u, "both", &["mi-prod-a", "mi-prod-b"], false).await;
    let r = request(&app, &id).await;
    assert_eq!(labels(&r), vec!["prod/mi-prod-a", "prod/mi-prod-b"]);
    assert_eq!(r["policy"]["approver_teams"], serde_json::json!(["security", "platform"]));
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "pending", "platform's approval does not cover mi-prod-a: {r}");
    assert_eq!(r["approvals_missing"], serde_json::json!(["prod/mi-prod-a: 1 more approval from security"]));
    assert_eq!(review(&app, &sam, &id, "approve", "").await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["state"], "executing");

    // One approver in both teams satisfies both policies.
    let id = deploy_on(&app, &u, "both2", &["mi-prod-a", "mi-prod-b"], false).await;
    assert_eq!(review(&app, &dee, &id, "approve", "").await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["state"], "executing");
}

async fn an_edit_from_lax_to_strict_recomputes_the_policy(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    let sam = approver_in(&app, "sam", &["security"]).await;
    let sue = approver_in(&app, "sue", &["security"]).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let mut strict_a = policy("mi-prod-a", 2, &["security"], false);
    strict_a.expiry_hours = 4;
    set_policy(&app, strict_a).await;

    // Submitted on mi-prod-b, under the cluster's 1 approval from platform...
    let id = deploy_on(&app, &u, "sneaky", &["mi-prod-b"], false).await;
    let r = request(&app, &id).await;
    assert_eq!(
        (labels(&r), r["policy"]["approvals_required"].as_u64()),
        (vec!["cluster prod".into()], Some(1))
    );
    // ...then edited onto mi-prod-a too.
    let mut f = form_on("sneaky", &["mi-prod-a", "mi-prod-b"], false);
    f.push(("id".into(), id.clone()));
    let (status, body) = call_owned(&app, &u.alice, "edit-change-request", &f).await;
    assert_eq!(status, 200, "{body}");
    let r = request(&app, &id).await;
    assert_eq!(r["version"], 2);
    assert_eq!(labels(&r), vec!["prod/mi-prod-a", "cluster prod"], "recomputed: {r}");
    assert_eq!(r["row"]["approvals_required"], 2);
    assert_eq!(r["policy"]["expiry_hours"], 4);
    let hours = (r["row"]["expires_at"].as_i64().unwrap() - server::auth::now_ms()) / 60_000;
    assert!(hours <= 4 * 60, "the new, shorter expiry counts from the edit: {hours} min");
    assert_eq!(review(&app, &u.bob, &id, "approve", "").await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["state"], "pending", "the lax count no longer suffices");
    assert_eq!(review(&app, &sam, &id, "approve", "").await.0, 200);
    assert_eq!(review(&app, &sue, &id, "approve", "").await.0, 200);
    assert_eq!(request(&app, &id).await["row"]["state"], "executing");
    let events = request(&app, &id).await["events"].to_string();
    assert!(events.contains("policies: prod/mi-prod-a: 2 approvals from security"), "{events}");
}

async fn an_approval_of_a_version_edited_since_is_refused_and_not_counted(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    app.register("cw-agent", "amazon/cloudwatch-agent:2", "1", "0.5").await;
    let id = request_deploy(&app, &u, "switched").await;
    // bob opens version 1; alice then edits it to revision 2.
    assert_eq!(request(&app, &id).await["version"], 1);
    let mut f = prod_form("switched", "cw-agent", &[("form[revision]", "2")]);
    f.push(("id", &id));
    assert_eq!(app.call_with(&u.alice, "edit-change-request", &f).await.0, 200);

    let (status, body) = review_at(&app, &u.bob, &id, "1", "approve", "").await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("changed since you opened it"), "{body}");
    assert!(body.to_string().contains("review version 2"), "{body}");
    let (status, body) = review_at(&app, &u.bob, &id, "1", "reject", "no").await;
    assert_eq!(status, 409, "a stale rejection is refused too: {body}");
    let (status, body) = review_at(&app, &u.bob, &id, "", "approve", "").await;
    assert_eq!(status, 422, "the version is required: {body}");
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "pending");
    assert_eq!(r["row"]["approvals"], 0);
    assert_eq!(r["reviews"], serde_json::json!([]), "nothing recorded");
    assert_eq!(deployments_of(&app, "switched").await, 0);
    // Approving what is on screen now works.
    assert_eq!(review_at(&app, &u.bob, &id, "2", "approve", "").await.0, 200);
    let r = request(&app, &id).await;
    assert_eq!(r["row"]["state"], "executing");
    assert_eq!(r["row"]["to_revision"], "cw-agent:2");
}

async fn self_approval_only_if_every_policy_allows_it(engine: Engine) {
    let app = portal(engine).await;
    let u = users(&app).await;
    // pat deploys for platform and approves for ops (one role per team).
    let pat = approver_in(&app, "pat", &["ops"]).await;
    server::auth::users::add_membership(&app.state.services.db, "pat", "platform", app::auth::Role::Deployer)
        .await
        .unwrap();
    let pat = {
        drop(pat);
        app.as_user("pat").await
    };
    // Not the cluster's policy (platform only): both providers have their own, open to any team.
    let _ = &u;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    set_policy(&app, policy("mi-prod-a", 1, &[], true)).await;
    set_policy(&app, policy("mi-prod-b", 1, &[], false)).await;
    let submit = |name: &'static str, providers: &'static [&'static str]| {
        let pat = pat.clone();
        let app = &app;
        async move {
            let (status, body) =
                call_owned(app, &pat, "deploy-daemon", &form_on(name, providers, false)).await;
            assert_eq!(status, 200, "{body}");
            body["request"]["id"].as_str().unwrap().to_string()
        }
    };
    let both = submit("selfish", &["mi-prod-a", "mi-prod-b"]).await;
    assert_eq!(request(&app, &both).await["policy"]["allow_self_approval"], false);
    let (status, body) = review(&app, &pat, &both, "approve", "").await;
    assert_eq!(status, 403, "mi-prod-b forbids self-approval: {body}");
    let only_a = submit("selfish2", &["mi-prod-a"]).await;
    assert_eq!(review(&app, &pat, &only_a, "approve", "").await.0, 200);
    assert_eq!(request(&app, &only_a).await["row"]["state"], "executing");
}
