//! The fleet view (issue 14): which revision runs in which environment, from inventories read
//! with each environment's own credentials (the staging account through an assumed role), kept
//! in the database, refreshed under a lease by one replica, and shown on `/fleet`.
use serde_json::Value;

use crate::helpers::{Engine, TestApp};

async fn ecs_of(app: &TestApp, environment: &str) -> aws_sdk_ecs::Client {
    let envs = &app.state.services.environments;
    let row = envs.get(environment).await.unwrap();
    envs.ecs(&row.env).await.client
}

async fn register(ecs: &aws_sdk_ecs::Client, family: &str, image: &str) -> String {
    use aws_sdk_ecs::types::DaemonContainerDefinition;
    ecs.register_daemon_task_definition()
        .family(family)
        .container_definitions(
            DaemonContainerDefinition::builder()
                .name("agent")
                .image(image)
                .cpu(256)
                .memory(512)
                .essential(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .daemon_task_definition_arn
        .unwrap()
}

/// Registers `family` with `image` and runs it as daemon `name` on `provider` in `cluster`;
/// answers the daemon's ARN and the provider's.
async fn run_daemon(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    provider: &str,
    name: &str,
    family: &str,
    image: &str,
) -> (String, String) {
    let td = register(ecs, family, image).await;
    let described = ecs.describe_clusters().clusters(cluster).send().await.unwrap();
    let arn = described.clusters()[0]
        .capacity_providers()
        .iter()
        .find(|p| p.ends_with(&format!("/{provider}")) || p.as_str() == provider)
        .cloned()
        .unwrap_or_else(|| provider.to_string());
    let daemon = ecs
        .create_daemon()
        .cluster_arn(cluster)
        .daemon_name(name)
        .daemon_task_definition_arn(td)
        .capacity_provider_arns(&arn)
        .send()
        .await
        .unwrap()
        .daemon_arn
        .unwrap();
    (daemon, arn)
}

async fn fleet(app: &TestApp, query: &[(&str, &str)]) -> Value {
    let pairs: Vec<(String, String)> =
        query.iter().map(|(k, v)| (format!("query[{k}]"), v.to_string())).collect();
    let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = app.call("get-fleet", &form).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn column(v: &Value, env: &str) -> usize {
    v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["environment"] == env)
        .unwrap_or_else(|| panic!("{env}"))
}

fn row<'a>(v: &'a Value, family: &str) -> &'a Value {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["family"] == family)
        .unwrap_or_else(|| panic!("{family}: {v}"))
}

async fn shows_what_runs_in_each_environment(engine: Engine) {
    let app = TestApp::on(engine).manual_clock().without_drift().await;
    let default = ecs_of(&app, "default").await;
    let staging_eu = ecs_of(&app, "staging-eu-west-1").await;
    // Each account numbers its own revisions: default runs cw-agent:1, staging-eu moves from
    // :1 to :2 (the emulator's clock is stopped, so the update stays in progress).
    run_daemon(&default, "default", "mi-general", "cw", "cw-agent", "amazon/cloudwatch-agent:1.300").await;
    let (eu_daemon, eu_provider) = run_daemon(
        &staging_eu,
        "staging-eu",
        "mi-staging-eu",
        "cw",
        "cw-agent",
        "amazon/cloudwatch-agent:1.300",
    )
    .await;
    // The same family:revision in two accounts of one region, with different images.
    let staging = ecs_of(&app, "staging").await;
    run_daemon(&default, "default", "mi-general", "nx", "node-exporter", "prom/node-exporter:v1.7").await;
    run_daemon(&staging, "staging", "mi-staging", "nx", "node-exporter", "prom/node-exporter:v1.8").await;
    app.advance(3600.0).await;
    let td = register(&staging_eu, "cw-agent", "amazon/cloudwatch-agent:1.301").await;
    staging_eu
        .update_daemon()
        .daemon_arn(eu_daemon)
        .daemon_task_definition_arn(td)
        .capacity_provider_arns(eu_provider)
        .send()
        .await
        .unwrap();

    // Nothing was read yet: every column says so and no family shows.
    let v = fleet(&app, &[]).await;
    assert!(v["columns"].as_array().unwrap().iter().all(|c| c["refreshed_at"].is_null()), "{v}");
    assert_eq!(v["families"], 0);

    for env in ["default", "staging", "staging-eu-west-1"] {
        let (status, body) = app.call("refresh-fleet-environment", &[("name", env)]).await;
        assert_eq!(status, 200, "{env}: {body}");
    }
    let v = fleet(&app, &[]).await;
    let cw = row(&v, "cw-agent");
    let here = &cw["cells"][column(&v, "default")][0];
    assert_eq!(here["revisions"], serde_json::json!([1]));
    assert_eq!(here["tags"], serde_json::json!(["1.300"]));
    assert_eq!(here["behind"], 2, "staging-eu runs revision 2 of the same family");
    let eu = &cw["cells"][column(&v, "staging-eu-west-1")];
    // Mid-update (the clock is stopped), the new revision is first.
    assert_eq!(eu[0]["revisions"][0], 2, "{eu}");
    assert_eq!(eu[0]["tags"][0], "1.301");
    assert!(eu[0]["behind"].is_null());
    assert!(cw["cells"][column(&v, "staging")].as_array().unwrap().is_empty(), "not in staging us-east-1");
    let nx = row(&v, "node-exporter");
    assert_eq!(nx["cells"][column(&v, "default")][0]["tags"], serde_json::json!(["v1.7"]));
    assert_eq!(
        nx["cells"][column(&v, "staging")][0]["tags"],
        serde_json::json!(["v1.8"]),
        "each account's own image"
    );
    assert_eq!(v["in_progress"], true);
    assert!(v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["refreshed_at"].is_i64() && c["error"].is_null()));

    // Grouping, search, attention.
    let v = fleet(&app, &[("group", "region")]).await;
    let groups: Vec<&str> = v["groups"].as_array().unwrap().iter().map(|g| g[0].as_str().unwrap()).collect();
    assert_eq!(groups, ["eu-west-1", "us-east-1"]);
    assert_eq!(fleet(&app, &[("q", "nothing-like-it")]).await["rows"].as_array().unwrap().len(), 0);

    // The page: rendered on the server with the same cells.
    let html = app.page("/fleet").await;
    assert!(html.contains("data-family=\"cw-agent\""), "{html}");
    assert!(html.contains("Behind :2"));
    assert!(html.contains("1.301"));
    assert!(html.contains("http-equiv=\"refresh\""), "follows the deployment in progress");
}

async fn a_failing_environment_keeps_its_last_inventory_and_says_why(engine: Engine) {
    let app = TestApp::on(engine).without_drift().await;
    let (status, body) = crate::environments::add_staging_with(&app, "locked", "wrong").await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app.call("refresh-fleet-environment", &[("name", "locked")]).await;
    assert_eq!(status, 200, "a failed read is recorded, not an error of the request");
    let (status, _) = app.call("refresh-fleet-environment", &[("name", "default")]).await;
    assert_eq!(status, 200);
    let v = fleet(&app, &[]).await;
    let locked = &v["columns"][column(&v, "locked")];
    assert!(locked["error"].as_str().unwrap().starts_with("locked: AccessDenied assuming"), "{locked}");
    assert!(locked["refreshed_at"].is_null());
    assert!(v["columns"][column(&v, "default")]["error"].is_null());

    // Viewers see the fleet too; nobody signed out does.
    let carol = app.as_user("carol").await;
    let (status, _) = app.call_with(&carol, "get-fleet", &[]).await;
    assert_eq!(status, 200);
    let (status, _) = app.call_with(&reqwest::Client::new(), "get-fleet", &[]).await;
    assert_eq!(status, 401);
}

/// One replica reads an environment per interval, however many run: the lease decides.
async fn one_replica_reads_each_environment(engine: Engine) {
    let app = TestApp::on(engine).without_drift().await;
    let replica = app.replica().await;
    let every = std::time::Duration::from_secs(60);
    let before = list_clusters_calls(&app);
    tokio::join!(
        app.state.services.environments.refresh_due(every),
        replica.state.services.environments.refresh_due(every)
    );
    let envs = app.state.services.environments.list().await.unwrap().len();
    assert_eq!(list_clusters_calls(&app) - before, envs, "each environment read once, by one of the two");
    // Within the interval neither reads again.
    app.state.services.environments.refresh_due(every).await;
    replica.state.services.environments.refresh_due(every).await;
    assert_eq!(list_clusters_calls(&app) - before, envs);
}

fn list_clusters_calls(app: &TestApp) -> usize {
    app.state
        .sim
        .as_ref()
        .unwrap()
        .state()
        .requests()
        .iter()
        .filter(|r| r.operation == "ListClusters")
        .count()
}

async fn compares_a_family_across_environments(engine: Engine) {
    let app = TestApp::on(engine).without_drift().await;
    let default = ecs_of(&app, "default").await;
    let staging = ecs_of(&app, "staging").await;
    register(&default, "log-router", "fluent/fluent-bit:3.0").await;
    run_daemon(&staging, "staging", "mi-staging", "logs", "log-router", "fluent/fluent-bit:3.1").await;
    app.call("refresh-fleet-environment", &[("name", "staging")]).await;

    // Unchosen, it opens on what runs (staging's revision) against another environment's.
    let (status, v) = app.call("compare-across-environments", &[("query[family]", "log-router")]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["options"], serde_json::json!(["default:1", "staging:1"]), "staging-eu-west-1 has none");
    assert_eq!(v["left"][0], "staging:1");
    assert_eq!(v["right"][0], "default:1");
    assert!(v["left"][1].as_str().unwrap().contains("fluent/fluent-bit:3.1"));
    assert!(v["right"][1].as_str().unwrap().contains("fluent/fluent-bit:3.0"));
    assert!(v["errors"].as_array().unwrap().is_empty());

    // Chosen sides; a side that names no environment is that field's error.
    let (status, v) = app
        .call(
            "compare-across-environments",
            &[("query[family]", "log-router"), ("query[left]", "default:1"), ("query[right]", "nowhere:1")],
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["Invalid"]["right"].as_str().unwrap().contains("no environment nowhere"), "{v}");
    let (status, _) = app.call("compare-across-environments", &[("query[family]", "bad family!")]).await;
    assert_eq!(status, 422);

    // The page renders the line diff.
    let html = app.page("/fleet/compare?family=log-router&left=default:1&right=staging:1").await;
    assert!(html.contains("Differences between default:1 and staging:1"), "{html}");
    assert!(html.contains("fluent/fluent-bit:3.1"));
}

/// Changes ask for their environment's inventory to be read again as they start and end;
/// asks that come while a read runs make one more read, not one each.
async fn refreshes_after_changes_are_coalesced(engine: Engine) {
    let app = TestApp::on(engine).without_drift().await;
    let envs = &app.state.services.environments;
    let staging = envs.get("staging").await.unwrap().env;
    let before = list_clusters_calls(&app);
    for _ in 0..10 {
        envs.refresh_soon(&staging);
    }
    let settled = async {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let (_, v) = app.call("get-fleet", &[]).await;
            let col = column(&v, "staging");
            if v["columns"][col]["refreshed_at"].is_i64() {
                return;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), settled).await.expect("staging read");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let reads = list_clusters_calls(&app) - before;
    assert!((1..=2).contains(&reads), "ten asks, {reads} reads: the first, and one more for the rest");
}

on_both!(
    refreshes_after_changes_are_coalesced,
    compares_a_family_across_environments,
    shows_what_runs_in_each_environment,
    a_failing_environment_keeps_its_last_inventory_and_says_why,
    one_replica_reads_each_environment,
);
