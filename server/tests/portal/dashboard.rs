//! The home dashboard (issue 17): each figure checked against the data the test makes, through
//! the real server function, ECS emulator and database.
use serde_json::{json, Value};

use crate::helpers::{Engine, TestApp};
use app::services::{
    history::{insert_rollout, NewRollout},
    ids::first_id_at,
};

on_both!(each_figure_counts_what_the_test_made);

async fn dashboard(app: &TestApp, who: &reqwest::Client) -> Value {
    let (status, body) = app.call_with(who, "dashboard", &[]).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn form<'a>(
    cluster: &'a str,
    name: &'a str,
    family: &'a str,
    providers: [&'a str; 2],
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[cluster]", cluster),
        ("form[daemon_name]", name),
        ("form[family]", family),
        ("form[capacity_providers][0]", providers[0]),
        ("form[capacity_providers][1]", providers[1]),
        ("form[drain_percent]", "25"),
        ("form[bake_time]", "0"),
        ("form[propagate_tags]", "NONE"),
    ]
}

fn rollout(status: &str, source: &str) -> NewRollout {
    NewRollout {
        request_id: None,
        source: source.into(),
        kind: "update".into(),
        cluster: "default".into(),
        daemon: "elsewhere".into(),
        team: String::new(),
        requester: String::new(),
        approvers: vec![],
        from_revision: String::new(),
        to_revision: "x:1".into(),
        diff: String::new(),
        deployment_arn: None,
        status: status.into(),
        reason: String::new(),
        started_at: 1,
        environment: Some("default".into()),
    }
}

async fn each_figure_counts_what_the_test_made(engine: Engine) {
    let app = TestApp::on(engine).manual_clock().worker_every_ms(100).without_drift().await;
    let admin = app.as_admin();
    let (alice, bob) = (app.as_user("alice").await, app.as_user("bob").await);

    let empty = dashboard(&app, &admin).await;
    for figure in ["waiting_for_me", "my_open_requests", "failures_recently", "drift_recently"] {
        assert_eq!(empty[figure], 0, "{figure}: {empty}");
    }
    assert_eq!(empty["rollouts_in_progress"], json!([]));
    assert_eq!(empty["missing_daemons"], json!({"Ok": []}), "ECS answered and nothing is missing");
    assert_eq!(empty["newest_rollouts"], json!([]));

    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "0.25", "0.25").await;
    app.register("fresh", "example/agent:1", "0.25", "0.25").await;
    // alice asks for a change on prod, which needs an approver of team platform: bob.
    let (status, body) = app
        .call_with(&alice, "deploy-daemon", &form("prod", "agent", "cw-agent", ["mi-prod-a", "mi-prod-b"]))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["state"], "pending", "{body}");
    assert_eq!(dashboard(&app, &bob).await["waiting_for_me"], 1);
    let mine = dashboard(&app, &alice).await;
    assert_eq!((mine["my_open_requests"].clone(), mine["waiting_for_me"].clone()), (json!(1), json!(0)));

    // The admin deploys on cluster default, which runs at once: one rollout in progress.
    let (status, body) =
        app.call("deploy-daemon", &form("default", "fresh", "fresh", ["mi-general", "mi-canary"])).await;
    assert_eq!(status, 200, "{body}");
    let d = dashboard(&app, &admin).await;
    let running = d["rollouts_in_progress"].as_array().unwrap();
    assert_eq!(running.len(), 1, "{d}");
    assert_eq!(running[0]["rollout"]["daemon"], "fresh");
    assert!(running[0]["percent"].as_u64().is_some_and(|p| p < 100), "{d}");
    assert_eq!(d["newest_rollouts"].as_array().unwrap().len(), 1);

    // Once it has ended, nothing runs; then one stopped daemon task leaves one instance without it.
    let mut d = d;
    for _ in 0..300 {
        app.advance(5.0).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        d = dashboard(&app, &admin).await;
        if d["rollouts_in_progress"] == json!([]) {
            break;
        }
    }
    assert_eq!(d["rollouts_in_progress"], json!([]), "{d}");
    assert_eq!(d["missing_daemons"], json!({"Ok": []}), "{d}");
    let (_, daemon) = app.call("get-daemon", &[("cluster", "default"), ("name", "fresh")]).await;
    let instance = daemon["instances"][0]["arn"].as_str().unwrap().to_string();
    app.sim_post(
        "/_sim/tasks/stop",
        json!({"cluster": "default", "containerInstance": instance, "daemonName": "fresh"}),
    )
    .await;
    let d = dashboard(&app, &admin).await;
    assert_eq!(
        d["missing_daemons"],
        json!({"Ok": [{"cluster": "default", "daemon": "fresh", "instances": 1}]})
    );

    // Failures and changes outside the portal count when the portal recorded them in the last
    // 7 days, by its own clock (the row's id), whatever their start time says.
    let db = &app.state.services.db;
    for (status, source) in
        [("FAILED", "portal"), ("ROLLBACK_SUCCESSFUL", "portal"), ("SUCCESSFUL", "out_of_band")]
    {
        insert_rollout(db, &rollout(status, source)).await.unwrap();
    }
    let eight_days_ago = app::services::clock::now_ms() - 8 * 24 * 3_600_000;
    sqlx::query(
        "INSERT INTO rollouts (id, source, kind, cluster, daemon, team, requester, approvers, from_revision, \
         to_revision, diff, status, reason, started_at) \
         VALUES ($1, 'out_of_band', 'update', 'default', 'old', '', '', '', '', 'x:1', '', 'FAILED', '', $2)",
    )
    .bind(format!("{}-7000-8000-000000000000", first_id_at(eight_days_ago)))
    .bind(app::services::clock::now_ms())
    .execute(db.pool())
    .await
    .unwrap();
    let d = dashboard(&app, &admin).await;
    assert_eq!(d["failures_recently"], 2, "{d}");
    assert_eq!(d["drift_recently"], 1, "{d}");
    assert_eq!(d["newest_rollouts"].as_array().unwrap().len(), 5);
}
