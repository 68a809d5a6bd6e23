//! Everything scoped by environment (issue 14): pages, forms and change requests act in the
//! environment they name, through that environment's credentials, under that environment's
//! policies; the emulator's request log shows that nothing reached another account or region.
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{Engine, TestApp};

const STAGING_ACCOUNT: &str = "234567890123";
const EXECUTION_ROLE: &str = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";

fn requests(app: &TestApp) -> Vec<ecs_sim::protocol::RequestRecord> {
    app.state.sim.as_ref().expect("embedded").state().requests()
}

/// Registers `family` with `image` in `environment` through the portal's form.
async fn register_in(app: &TestApp, environment: &str, family: &str, image: &str) -> (u16, Value) {
    app.call(
        "create-task-definition",
        &[
            ("form[family]", family),
            ("form[execution_role]", EXECUTION_ROLE),
            ("form[containers][0][name]", "agent"),
            ("form[containers][0][image]", image),
            ("form[containers][0][essential]", "on"),
            ("form[containers][0][cpu]", "0.25"),
            ("form[containers][0][memory]", "0.5"),
            ("environment", environment),
        ],
    )
    .await
}

async fn deploy_in(
    app: &TestApp,
    who: &reqwest::Client,
    environment: &str,
    cluster: &str,
    provider: &str,
    name: &str,
) -> (u16, Value) {
    app.call_with(
        who,
        "deploy-daemon",
        &[
            ("form[cluster]", cluster),
            ("form[daemon_name]", name),
            ("form[family]", name),
            ("form[capacity_providers][0]", provider),
            ("form[drain_percent]", "25"),
            ("form[bake_time]", "0"),
            ("form[propagate_tags]", "NONE"),
            ("environment", environment),
        ],
    )
    .await
}

/// `who` approves version 1 of request `id`.
async fn approve(app: &TestApp, who: &reqwest::Client, id: &str) {
    let form = [("id", id), ("decision", "approve"), ("comment", ""), ("version", "1")];
    let (status, body) = app.call_with(who, "review-change-request", &form).await;
    assert_eq!(status, 200, "{body}");
}

async fn request_state(app: &TestApp, id: &str) -> Value {
    let (status, body) = app.call("get-change-request", &[("id", id)]).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Waits until the emulator answered `operation` in `account` successfully `n` times.
async fn seen(app: &TestApp, operation: &str, account: &str, n: usize) -> ecs_sim::protocol::RequestRecord {
    let wait = async {
        loop {
            let found: Vec<_> = requests(app)
                .into_iter()
                .filter(|r| {
                    r.operation == operation && r.status == 200 && r.account.as_deref() == Some(account)
                })
                .collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .unwrap_or_else(|_| panic!("{operation} in {account}"))
}

/// The mutating calls the emulator answered (each test has an emulator of its own, and only
/// the test's own actions change anything), as (operation, account, region).
fn changes_seen(app: &TestApp) -> Vec<(String, String, String)> {
    const MUTATING: [&str; 5] = [
        "RegisterDaemonTaskDefinition",
        "CreateDaemon",
        "UpdateDaemon",
        "DeleteDaemon",
        "DeleteDaemonTaskDefinition",
    ];
    requests(app)
        .into_iter()
        .filter(|r| MUTATING.contains(&r.operation.as_str()) && r.status == 200)
        .map(|r| (r.operation, r.account.unwrap_or_default(), r.region.unwrap_or_default()))
        .collect()
}

async fn a_deploy_in_one_environment_never_touches_another(engine: Engine) {
    let app = TestApp::on(engine).worker_every_ms(100).await;
    let (status, body) = register_in(&app, "staging", "iso-agent", "amazon/cloudwatch-agent:2").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.as_str().unwrap().contains(&format!(":{STAGING_ACCOUNT}:")),
        "registered in staging: {body}"
    );

    let alice = app.as_user("alice").await;
    let (status, body) = deploy_in(&app, &alice, "staging", "staging", "mi-staging", "iso-agent").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["environment"], "staging", "{body}");
    // Under staging's policies (here the `*` one: no approval) it started at once, and the
    // browser goes to the daemon's page in staging.
    assert_eq!(body["next"], "/e/staging/daemons/staging/iso-agent", "{body}");
    let created = seen(&app, "CreateDaemon", STAGING_ACCOUNT, 1).await;
    assert_eq!(
        created.caller.as_deref(),
        Some("arn:aws:sts::234567890123:assumed-role/DaemonPortal/daemon-portal-alice")
    );

    // Every change went to staging's us-east-1 world, none anywhere else.
    let changes = changes_seen(&app);
    assert!(changes.len() >= 2, "{changes:?}");
    for (op, account, region) in &changes {
        assert_eq!((account.as_str(), region.as_str()), (STAGING_ACCOUNT, "us-east-1"), "{op}");
    }

    // alice's team owns the daemon in staging (a daemon is owned in its environment).
    let owned: Vec<(String,)> = sqlx::query_as("SELECT name FROM ownership WHERE kind = 'daemon'")
        .fetch_all(app.state.services.db.pool())
        .await
        .unwrap();
    assert!(owned.iter().any(|(n,)| n == "staging/staging/iso-agent"), "{owned:?}");

    // The pages of staging show it; the default environment's do not.
    let (status, d) = app
        .call("get-daemon", &[("cluster", "staging"), ("name", "iso-agent"), ("environment", "staging")])
        .await;
    assert_eq!(status, 200, "{d}");
    assert!(d["arn"].as_str().unwrap().contains(STAGING_ACCOUNT), "{d}");
    let (status, _) = app.call("get-daemon", &[("cluster", "staging"), ("name", "iso-agent")]).await;
    assert!((400..500).contains(&status), "the default account has no cluster staging: {status}");
    let (_, default_list) = app.call("list-task-definitions", &[]).await;
    assert!(!default_list.to_string().contains("iso-agent"), "{default_list}");
    let (_, staging_list) = app.call("list-task-definitions", &[("environment", "staging")]).await;
    assert!(staging_list.to_string().contains("iso-agent"), "{staging_list}");
    let page = app.page("/e/staging/daemons/staging/iso-agent").await;
    assert!(
        page.contains("Environment staging") && page.contains("/e/staging/daemons?cluster=staging"),
        "crumbs"
    );

    // While it rolls out, the home page lists the family among those that need attention.
    let listed = async {
        loop {
            let home = app.page("/").await;
            if home.contains("Fleet: families that need attention")
                && home.contains("data-family=\"iso-agent\"")
            {
                return home;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let home = tokio::time::timeout(Duration::from_secs(20), listed).await.expect("the home page lists it");
    assert!(home.contains("/e/staging/daemons/staging/iso-agent"), "its cell links to it in staging");

    // The worker follows it in staging to the end, and records the rollout there.
    let id = body["request"]["id"].as_str().unwrap().to_string();
    for _ in 0..400 {
        let r = request_state(&app, &id).await;
        if r["row"]["state"] == "succeeded" {
            break;
        }
        app.advance(5.0).await;
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    assert_eq!(request_state(&app, &id).await["row"]["state"], "succeeded");
    // The fleet view shows it in staging without anyone pressing Refresh: the change read the
    // environment's inventory again when it started and when it ended.
    let shown = async {
        loop {
            let (_, v) = app.call("get-fleet", &[("query[q]", "iso-agent")]).await;
            let col =
                v["columns"].as_array().unwrap().iter().position(|c| c["environment"] == "staging").unwrap();
            let cell = v["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["family"] == "iso-agent")
                .map(|r| r["cells"][col].clone());
            if let Some(cell) = cell.filter(|c| c.as_array().is_some_and(|a| !a.is_empty())) {
                return cell;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let cell =
        tokio::time::timeout(Duration::from_secs(20), shown).await.expect("the fleet shows the new daemon");
    assert_eq!(cell[0]["revisions"], serde_json::json!([1]), "{cell}");
    let stored: (Option<String>,) = sqlx::query_as("SELECT environment FROM rollouts WHERE request_id = $1")
        .bind(&id)
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(stored.0.as_deref(), Some("staging"));

    // An environment that does not exist is refused, never taken for the default one.
    let (status, body) = deploy_in(&app, &alice, "nowhere", "default", "mi-general", "iso-agent").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["Invalid"]["environment"], "There is no environment named nowhere.", "{body}");
    let (status, body) = register_in(&app, "nowhere", "iso-agent", "amazon/cloudwatch-agent:3").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["Invalid"]["environment"], "There is no environment named nowhere.", "{body}");
    let (status, _) = app.call("list-clusters", &[("environment", "nowhere")]).await;
    assert_eq!(status, 404, "a page of an environment that does not exist");
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM change_requests WHERE daemon = 'iso-agent'")
        .fetch_one(app.state.services.db.pool())
        .await
        .unwrap();
    assert_eq!(n.0, 1, "nothing was stored for the unknown environment");
}

async fn each_environment_has_its_own_policies(engine: Engine) {
    let app = TestApp::on(engine).worker_every_ms(100).await;
    // Staging needs one approval on every cluster; the default environment keeps its own
    // (cluster `default`: none).
    let (status, body) = app
        .call(
            "admin-save-policy",
            &[
                ("form[environment]", "staging"),
                ("form[cluster]", "*"),
                ("form[approvals_required]", "1"),
                ("form[expiry_hours]", "72"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .call(
            "admin-save-policy",
            &[("form[environment]", "nowhere"), ("form[cluster]", "*"), ("form[approvals_required]", "1")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["environment"].as_str().unwrap().contains("no environment nowhere"), "{body}");

    for env in ["default", "staging"] {
        let (status, body) = register_in(&app, env, "pol-agent", "amazon/cloudwatch-agent:1").await;
        assert_eq!(status, 200, "{env}: {body}");
    }
    let alice = app.as_user("alice").await;
    let (status, here) = deploy_in(&app, &alice, "", "default", "mi-general", "pol-agent").await;
    assert_eq!(status, 200, "{here}");
    assert_eq!(here["request"]["environment"], "default");
    assert_ne!(here["request"]["state"], "pending", "the default environment needs no approval: {here}");

    let (status, there) = deploy_in(&app, &alice, "staging", "staging", "mi-staging", "pol-agent").await;
    assert_eq!(status, 200, "{there}");
    assert_eq!(there["request"]["state"], "pending", "{there}");
    let id = there["request"]["id"].as_str().unwrap().to_string();
    let r = request_state(&app, &id).await;
    assert!(r["policy"]["source"].as_str().unwrap().contains("staging: all clusters"), "{}", r["policy"]);
    assert!(
        changes_seen(&app).iter().all(|(op, account, _)| op != "CreateDaemon" || account != STAGING_ACCOUNT),
        "nothing runs in staging before the approval"
    );

    // bob approves; the worker executes it in staging, with bob's approval on alice's behalf.
    let bob = app.as_user("bob").await;
    approve(&app, &bob, &id).await;
    let created = seen(&app, "CreateDaemon", STAGING_ACCOUNT, 1).await;
    assert_eq!(created.account.as_deref(), Some(STAGING_ACCOUNT));
    assert_eq!(
        created.caller.as_deref(),
        Some("arn:aws:sts::234567890123:assumed-role/DaemonPortal/daemon-portal-alice")
    );

    // A freeze window on staging holds staging's requests only.
    let (status, body) = app
        .call(
            "admin-save-freeze",
            &[
                ("form[kind]", "weekly"),
                ("form[environment]", "staging"),
                ("form[cluster]", "*"),
                ("form[weekdays][0]", "0"),
                ("form[weekdays][1]", "1"),
                ("form[weekdays][2]", "2"),
                ("form[weekdays][3]", "3"),
                ("form[weekdays][4]", "4"),
                ("form[weekdays][5]", "5"),
                ("form[weekdays][6]", "6"),
                ("form[start_time]", "00:00"),
                ("form[end_time]", "24:00"),
                ("form[reason]", "staging is frozen"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for env in ["default", "staging"] {
        register_in(&app, env, "frz-agent", "amazon/cloudwatch-agent:1").await;
    }
    let (_, here) = deploy_in(&app, &alice, "default", "default", "mi-general", "frz-agent").await;
    assert_ne!(here["request"]["state"], "approved", "not frozen in default: {here}");
    let (_, there) = deploy_in(&app, &alice, "staging", "staging", "mi-staging", "frz-agent").await;
    let id = there["request"]["id"].as_str().unwrap().to_string();
    approve(&app, &bob, &id).await;
    let r = request_state(&app, &id).await;
    assert_eq!(r["row"]["state"], "approved", "held by staging's freeze: {r}");
    assert_eq!(r["frozen_by"], serde_json::json!(["staging is frozen"]), "{r}");
}

/// "Copy to environment": the preview shows the substitutions; the copy is a change request
/// in the target under its policy, registered exactly once with the target's account, region
/// and credentials, and can then be deployed there.
async fn a_revision_is_copied_to_another_environment_under_its_policy(engine: Engine) {
    let app = TestApp::on(engine).worker_every_ms(100).await;
    let (status, body) = app
        .call(
            "create-task-definition",
            &[
                ("form[family]", "cp-agent"),
                ("form[execution_role]", EXECUTION_ROLE),
                ("form[containers][0][name]", "agent"),
                ("form[containers][0][image]", "123456789012.dkr.ecr.us-east-1.amazonaws.com/cwagent:2"),
                ("form[containers][0][essential]", "on"),
                ("form[containers][0][cpu]", "0.25"),
                ("form[containers][0][memory]", "0.5"),
                ("form[containers][0][env][0][key]", "ACCOUNT"),
                ("form[containers][0][env][0][value]", "123456789012"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, p) = app
        .call("preview-copy", &[("family", "cp-agent"), ("revision", "1"), ("to", "staging-eu-west-1")])
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!((p["from"].as_str(), p["to"].as_str()), (Some("default"), Some("staging-eu-west-1")));
    assert_eq!(p["targets"], serde_json::json!(["staging", "staging-eu-west-1"]));
    let subs = p["substitutions"].to_string();
    for after in [
        "arn:aws:iam::234567890123:role/ecsTaskExecutionRole",
        "234567890123.dkr.ecr.eu-west-1.amazonaws.com/cwagent:2",
    ] {
        assert!(subs.contains(after), "{after} in {subs}");
    }
    assert!(p["target_json"].as_str().unwrap().contains("\"234567890123\""), "the ACCOUNT variable: {p}");
    assert!(
        changes_seen(&app).iter().all(|(_, account, _)| account != STAGING_ACCOUNT),
        "a preview changes nothing"
    );

    // staging-eu-west-1 needs an approval for everything: the copy waits for it.
    let (status, body) = app
        .call(
            "admin-save-policy",
            &[
                ("form[environment]", "staging-eu-west-1"),
                ("form[cluster]", "*"),
                ("form[approvals_required]", "1"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let alice = app.as_user("alice").await;
    let copy = [("family", "cp-agent"), ("revision", "1"), ("from", ""), ("to", "staging-eu-west-1")];
    let (status, row) = app.call_with(&alice, "copy-to-environment", &copy).await;
    assert_eq!(status, 200, "{row}");
    assert_eq!(
        (row["kind"].as_str(), row["state"].as_str()),
        (Some("register_revision"), Some("pending")),
        "{row}"
    );
    assert_eq!(row["environment"], "staging-eu-west-1");
    let id = row["id"].as_str().unwrap().to_string();
    let r = request_state(&app, &id).await;
    assert!(
        r["policy"]["source"].as_str().unwrap().starts_with("staging-eu-west-1: all clusters"),
        "{}",
        r["policy"]
    );
    assert!(r["ecs_input"].as_str().unwrap().contains("RegisterDaemonTaskDefinition"), "{r}");

    let bob = app.as_user("bob").await;
    approve(&app, &bob, &id).await;
    let registered = seen(&app, "RegisterDaemonTaskDefinition", STAGING_ACCOUNT, 1).await;
    assert_eq!(registered.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        registered.caller.as_deref(),
        Some("arn:aws:sts::234567890123:assumed-role/DaemonPortal/daemon-portal-alice"),
        "registered in alice's name"
    );
    let r = request_state(&app, &id).await;
    assert_eq!(
        (r["row"]["state"].as_str(), r["outcome"].as_str()),
        (Some("succeeded"), Some("registered cp-agent:1"))
    );
    let (status, td) = app
        .call(
            "get-task-definition",
            &[("family", "cp-agent"), ("revision", "1"), ("environment", "staging-eu-west-1")],
        )
        .await;
    assert_eq!(status, 200, "{td}");
    assert_eq!(
        td["record"]["spec"]["containers"][0]["image"],
        "234567890123.dkr.ecr.eu-west-1.amazonaws.com/cwagent:2",
        "{td}"
    );
    assert_eq!(
        changes_seen(&app)
            .iter()
            .filter(|(op, a, _)| op == "RegisterDaemonTaskDefinition" && a == STAGING_ACCOUNT)
            .count(),
        1,
        "registered once"
    );

    // Then deployed there.
    let (status, body) =
        deploy_in(&app, &alice, "staging-eu-west-1", "staging-eu", "mi-staging-eu", "cp-agent").await;
    assert_eq!(status, 200, "{body}");
    let id = body["request"]["id"].as_str().unwrap().to_string();
    approve(&app, &bob, &id).await;
    let created = seen(&app, "CreateDaemon", STAGING_ACCOUNT, 1).await;
    assert_eq!(created.region.as_deref(), Some("eu-west-1"));
}

/// `/api/v1` names the environment: a change submitted with `?environment=`, lists filtered by it.
async fn the_api_acts_in_the_environment_it_names(engine: Engine) {
    use crate::api_v1::{send, token_for};
    let app = TestApp::on(engine).worker_every_ms(100).await;
    for env in ["default", "staging"] {
        let (status, body) = register_in(&app, env, "api-agent", "amazon/cloudwatch-agent:1").await;
        assert_eq!(status, 200, "{body}");
    }
    let alice = token_for(&app, "alice").await;
    let base = format!("{}/api/v1/change-requests", app.address);
    let deploy = |cluster: &str, provider: &str| {
        serde_json::json!({"kind": "deploy", "cluster": cluster, "daemon": "api-agent", "family": "api-agent",
                           "capacity_providers": [provider]})
        .to_string()
    };
    let (status, there) =
        send(&alice, "POST", &format!("{base}?environment=staging"), Some(&deploy("staging", "mi-staging")))
            .await;
    assert_eq!(status, 201, "{there}");
    assert_eq!(there["environment"], "staging");
    let (status, here) = send(&alice, "POST", &base, Some(&deploy("default", "mi-general"))).await;
    assert_eq!(status, 201, "{here}");
    assert_eq!(here["environment"], "default");
    let (status, body) =
        send(&alice, "POST", &format!("{base}?environment=nowhere"), Some(&deploy("default", "mi-general")))
            .await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid")), "{body}");

    let (status, page) = send(&alice, "GET", &format!("{base}?inbox=all&environment=staging"), None).await;
    assert_eq!(status, 200, "{page}");
    let ids: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [there["id"].as_str().unwrap()], "{page}");
    seen(&app, "CreateDaemon", STAGING_ACCOUNT, 1).await;
    let history = format!("{}/api/v1/history?environment=staging", app.address);
    let wait = async {
        loop {
            let (_, h) = send(&alice, "GET", &history, None).await;
            if h["items"].as_array().is_some_and(|r| !r.is_empty()) {
                return h;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let h = tokio::time::timeout(Duration::from_secs(20), wait).await.expect("a rollout in staging");
    assert!(h["items"].as_array().unwrap().iter().all(|r| r["environment"] == "staging"), "{h}");
}

on_both!(
    the_api_acts_in_the_environment_it_names,
    a_deploy_in_one_environment_never_touches_another,
    each_environment_has_its_own_policies,
    a_revision_is_copied_to_another_environment_under_its_policy
);
