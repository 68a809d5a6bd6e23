//! Environments (issue 14): the accounts and regions the portal manages, each reached with its
//! own credentials (the real aws-config AssumeRoleProvider against the emulator's STS), a
//! failure attributed to its environment and never holding up the others; the admin page's
//! server functions; a `PORTAL_ENVIRONMENTS` file.
use serde_json::{json, Value};

use crate::helpers::{Engine, TestApp};

const STAGING_ROLE: &str = "arn:aws:iam::234567890123:role/DaemonPortal";

async fn environments(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.call("admin-list-environments", &[]).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("a list").clone()
}

/// Adds environment `name` in the staging account with the staging role and `external_id`.
pub(crate) async fn add_staging_with(app: &TestApp, name: &str, external_id: &str) -> (u16, Value) {
    app.call(
        "admin-create-environment",
        &[
            ("form[name]", name),
            ("form[account_id]", "234567890123"),
            ("form[region]", "us-east-1"),
            ("form[role_arn]", STAGING_ROLE),
            ("form[external_id]", external_id),
        ],
    )
    .await
}

/// A fresh directory for a `PORTAL_ENVIRONMENTS` file and the file's path in it (`file_name`
/// says TOML or JSON). Remove the directory at the end.
fn environments_file(file_name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("portal-envs-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file_name);
    (dir, path)
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter().find(|e| e["env"]["name"] == name).unwrap_or_else(|| panic!("no {name} in {list:?}"))
}

/// The clusters the emulator holds in one world, from its control API.
async fn sim_clusters(app: &TestApp, account: &str, region: &str) -> u64 {
    let worlds: Value =
        app.http.get(format!("{}/_sim/worlds", app.sim())).send().await.unwrap().json().await.unwrap();
    let acc = worlds["accounts"].as_array().unwrap().iter().find(|a| a["id"] == account).unwrap();
    let world = acc["regions"].as_array().unwrap().iter().find(|r| r["region"] == region).unwrap();
    world["clusters"].as_array().unwrap().len() as u64
}

fn requests(app: &TestApp) -> Vec<ecs_sim::protocol::RequestRecord> {
    app.state.sim.as_ref().expect("embedded").state().requests()
}

async fn embedded_mode_manages_every_emulator_world(engine: Engine) {
    let app = TestApp::on(engine).await;
    let list = environments(&app).await;
    let names: Vec<&str> = list.iter().map(|e| e["env"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["default", "staging", "staging-eu-west-1"]);
    assert_eq!(named(&list, "default")["is_default"], true);
    assert_eq!(named(&list, "staging")["is_default"], false);
    assert_eq!(named(&list, "staging")["env"]["role_arn"], STAGING_ROLE);
    assert_eq!(named(&list, "staging-eu-west-1")["env"]["region"], "eu-west-1");

    // Each answered with its own world's clusters: the staging ones through an assumed role.
    for (name, account, region) in [
        ("default", "123456789012", "us-east-1"),
        ("staging", "234567890123", "us-east-1"),
        ("staging-eu-west-1", "234567890123", "eu-west-1"),
    ] {
        let check = &named(&list, name)["check"];
        assert_eq!(check["ok"], true, "{name}: {check}");
        assert_eq!(check["clusters"], sim_clusters(&app, account, region).await, "{name}");
        assert!(check["message"].as_str().unwrap().starts_with(&format!("{name}: ")), "{check}");
    }
    // The portal's own key acts in the default account only: the staging worlds were reached
    // with credentials STS issued for the role.
    let worlds: Value =
        app.http.get(format!("{}/_sim/worlds", app.sim())).send().await.unwrap().json().await.unwrap();
    assert!(worlds["sessions"].as_u64().unwrap() >= 1, "{worlds}");
    let seen = requests(&app);
    assert!(
        seen.iter().any(|r| r.operation == "ListClusters"
            && r.account.as_deref() == Some("234567890123")
            && r.region.as_deref() == Some("eu-west-1")),
        "ListClusters reached the staging account's eu-west-1 world"
    );
}

async fn a_refused_role_is_attributed_and_blocks_nothing(engine: Engine) {
    let app = TestApp::on(engine).await;
    let (status, body) = add_staging_with(&app, "staging-wrong-id", "not-the-trusted-id").await;
    assert_eq!(status, 200, "{body}");
    let list = environments(&app).await;
    let broken = &named(&list, "staging-wrong-id")["check"];
    assert_eq!(broken["ok"], false, "{broken}");
    assert_eq!(broken["code"], "AccessDenied", "{broken}");
    assert_eq!(
        broken["message"].as_str().unwrap(),
        format!("staging-wrong-id: AccessDenied assuming {STAGING_ROLE}")
    );
    for other in ["default", "staging", "staging-eu-west-1"] {
        assert_eq!(named(&list, other)["check"]["ok"], true, "{other} still answers");
    }

    // /readyz: still ready, the broken one named with its code only (anyone may ask).
    let res = reqwest::get(format!("{}/readyz", app.address)).await.unwrap();
    assert_eq!(res.status(), 200);
    let ready: Value = res.json().await.unwrap();
    assert_eq!(
        ready["environments"]["staging-wrong-id"],
        json!({"status": "failing", "error": "AccessDenied"})
    );
    assert_eq!(ready["environments"]["staging"]["status"], "ok");
    assert_eq!(ready["degraded"], json!(["staging-wrong-id"]));
    assert!(!ready.to_string().contains("arn:aws"), "{ready}");

    // Its pages say why, and nothing was sent to ECS; the other environments' pages answer.
    let (status, body) = app.call("list-clusters", &[("environment", "staging-wrong-id")]).await;
    assert!(status >= 500, "{status} {body}");
    assert!(
        body.to_string().contains("credentials could not be obtained (STS answered AccessDenied)"),
        "{body}"
    );
    let (status, body) = app.call("list-clusters", &[("environment", "staging")]).await;
    assert_eq!(status, 200, "{body}");

    // A check on demand gives the same answer; removing the environment forgets it.
    let (status, check) = app.call("admin-check-environment", &[("name", "staging-wrong-id")]).await;
    assert_eq!((status, check["code"].clone()), (200, json!("AccessDenied")));
    let (status, body) = app.call("admin-delete-environment", &[("name", "staging-wrong-id")]).await;
    assert_eq!(status, 200, "{body}");
    assert!(environments(&app).await.iter().all(|e| e["env"]["name"] != "staging-wrong-id"));
    let (status, body) = app.call("list-audit", &[]).await;
    let text = body.to_string();
    assert!(
        status == 200 && text.contains("environment.create") && text.contains("environment.delete"),
        "{text}"
    );
}

async fn bad_input_is_refused_field_by_field(engine: Engine) {
    let app = TestApp::on(engine).await;
    let (status, body) = app
        .call(
            "admin-create-environment",
            &[
                ("form[name]", "Prod EU"),
                ("form[account_id]", "12345"),
                ("form[region]", "europe"),
                ("form[role_arn]", "arn:aws:iam::999999999999:role/X"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields = &body["Invalid"];
    for key in ["name", "account_id", "region"] {
        assert!(fields[key].is_string(), "{key}: {body}");
    }
    // A taken name is the name field's message; the default and the file's are kept.
    let (status, body) = app
        .call(
            "admin-create-environment",
            &[("form[name]", "staging"), ("form[account_id]", "234567890123"), ("form[region]", "us-east-1")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["Invalid"]["name"].as_str().unwrap().contains("already exists"), "{body}");
    let (status, body) = app.call("admin-delete-environment", &[("name", "default")]).await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app.call("admin-delete-environment", &[("name", "nowhere")]).await;
    assert_eq!(status, 404);
    assert_eq!(environments(&app).await.len(), 3, "nothing was added or removed");

    // Only administrators see or change environments.
    let alice = app.as_user("alice").await;
    let (status, _) = app.call_with(&alice, "admin-list-environments", &[]).await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call_with(
            &alice,
            "admin-create-environment",
            &[("form[name]", "mine"), ("form[account_id]", "123456789012"), ("form[region]", "us-east-1")],
        )
        .await;
    assert_eq!(status, 403);
}

async fn a_file_defines_the_environments(engine: Engine) {
    let (dir, path) = environments_file("environments.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[[environments]]
name = "dev"
account_id = "123456789012"
region = "us-east-1"

[[environments]]
name = "stage-eu"
account_id = "234567890123"
region = "eu-west-1"
role_arn = "{STAGING_ROLE}"
external_id = "daemon-portal-staging"
default = true
"#
        ),
    )
    .unwrap();
    let file = path.clone();
    let app = TestApp::on(engine).settings(move |c| c.environments_file = Some(file)).await;
    let list = environments(&app).await;
    let names: Vec<&str> = list.iter().map(|e| e["env"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "stage-eu"], "the file's, not the built-in ones");
    assert_eq!(named(&list, "stage-eu")["is_default"], true);
    assert_eq!(named(&list, "stage-eu")["source"], "File");
    assert_eq!(named(&list, "stage-eu")["check"]["ok"], true, "{list:?}");
    let (status, body) = app.call("admin-delete-environment", &[("name", "dev")]).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("PORTAL_ENVIRONMENTS"), "{body}");

    // The pages act in the default environment: the staging account's eu-west-1 world.
    let clusters = app.state.services.gateway.ecs.client.list_clusters().send().await.unwrap();
    assert_eq!(clusters.cluster_arns().len() as u64, sim_clusters(&app, "234567890123", "eu-west-1").await);
    assert!(clusters.cluster_arns().iter().all(|a| a.contains(":eu-west-1:234567890123:")), "{clusters:?}");

    // A replica started with a changed file makes the table match it.
    std::fs::write(
        &path,
        "[[environments]]\nname = \"dev\"\naccount_id = \"123456789012\"\nregion = \"us-east-1\"\n",
    )
    .unwrap();
    let replica = app.replica().await;
    let list = environments(&replica).await;
    let names: Vec<&str> = list.iter().map(|e| e["env"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev"]);
    assert_eq!(named(&list, "dev")["is_default"], true, "the default moved to what remains");

    // A file with a mistake stops the start, naming the entry and the field.
    std::fs::write(&path, "[[environments]]\nname = \"dev\"\naccount_id = \"1\"\nregion = \"us-east-1\"\n")
        .unwrap();
    let file = path.clone();
    let err = TestApp::on(engine)
        .settings(move |c| c.environments_file = Some(file))
        .try_start()
        .await
        .err()
        .expect("refuses to start");
    assert!(err.contains("environment 1 (dev)") && err.contains("account_id"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A change in an environment reached through a role is made in a session named after the
/// user who asked, so the account's CloudTrail says who it was; the portal's own reads use
/// `daemon-portal`.
async fn changes_are_made_in_a_session_named_after_the_requester(engine: Engine) {
    let (dir, path) = environments_file("environments.toml");
    std::fs::write(
        &path,
        format!(
            "[[environments]]\nname = \"stage\"\naccount_id = \"234567890123\"\nregion = \"us-east-1\"\n\
             role_arn = \"{STAGING_ROLE}\"\nexternal_id = \"daemon-portal-staging\"\n"
        ),
    )
    .unwrap();
    let file = path.clone();
    let app =
        TestApp::on(engine).settings(move |c| c.environments_file = Some(file)).worker_every_ms(100).await;
    app.register("stage-agent", "amazon/cloudwatch-agent:1", "0.25", "0.5").await;
    let alice = app.as_user("alice").await;
    let form = [
        ("form[cluster]", "staging"),
        ("form[daemon_name]", "stage-agent"),
        ("form[family]", "stage-agent"),
        ("form[capacity_providers][0]", "mi-staging"),
        ("form[drain_percent]", "25"),
        ("form[bake_time]", "0"),
        ("form[propagate_tags]", "NONE"),
    ];
    let (status, body) = app.call_with(&alice, "deploy-daemon", &form).await;
    assert_eq!(status, 200, "{body}");
    let created = async {
        loop {
            let seen = requests(&app);
            if let Some(r) = seen.iter().find(|r| r.operation == "CreateDaemon" && r.status == 200) {
                return r.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let created =
        tokio::time::timeout(std::time::Duration::from_secs(20), created).await.expect("CreateDaemon sent");
    assert_eq!(created.account.as_deref(), Some("234567890123"));
    assert_eq!(
        created.caller.as_deref(),
        Some("arn:aws:sts::234567890123:assumed-role/DaemonPortal/daemon-portal-alice"),
        "the change names alice"
    );
    let stored: (String,) =
        sqlx::query_as("SELECT environment FROM change_requests WHERE daemon = 'stage-agent'")
            .fetch_one(app.state.services.db.pool())
            .await
            .unwrap();
    assert_eq!(stored.0, "stage", "the request is recorded in the environment it acts in");
    let reads = requests(&app);
    let register = reads.iter().find(|r| r.operation == "RegisterDaemonTaskDefinition").expect("registered");
    assert_eq!(
        register.caller.as_deref(),
        Some("arn:aws:sts::234567890123:assumed-role/DaemonPortal/daemon-portal"),
        "registration still uses the portal's session (it is not a change request yet)"
    );
    let _ = std::fs::remove_dir_all(dir);
}

on_both!(
    changes_are_made_in_a_session_named_after_the_requester,
    embedded_mode_manages_every_emulator_world,
    a_refused_role_is_attributed_and_blocks_nothing,
    bad_input_is_refused_field_by_field,
    a_file_defines_the_environments,
);

/// `aws` mode as a real deployment runs it: the default credential chain (here from the
/// environment variables), a `PORTAL_ENVIRONMENTS` file, and ECS and STS at each
/// environment's endpoint, a standalone emulator. `AWS_ENDPOINT_URL_ECS` points elsewhere (a
/// dead port) to show that an environment's own endpoint wins over it.
#[tokio::test]
async fn aws_mode_reaches_each_environment_at_its_endpoint_with_its_role() {
    let sim = ecs_sim::serve(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(), Default::default())
        .await
        .unwrap();
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    // The same values `health::readyz_names_a_dead_ecs_endpoint` sets (tests share the process).
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDTEST");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret");
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ENDPOINT_URL_ECS", format!("http://127.0.0.1:{dead_port}"));
    let (dir, path) = environments_file("environments.json");
    let endpoint = sim.endpoint().to_string();
    std::fs::write(
        &path,
        json!({"environments": [
            {"name": "dev", "account_id": "123456789012", "region": "us-east-1", "endpoint": endpoint},
            {"name": "stage-eu", "account_id": "234567890123", "region": "eu-west-1", "endpoint": endpoint,
             "role_arn": STAGING_ROLE, "external_id": "daemon-portal-staging"},
            {"name": "stage-denied", "account_id": "234567890123", "region": "us-east-1", "endpoint": endpoint,
             "role_arn": STAGING_ROLE, "external_id": "wrong"},
        ]})
        .to_string(),
    )
    .unwrap();
    let file = path.clone();
    let app = TestApp::on(Engine::Sqlite)
        .settings(move |c| {
            c.ecs_mode = server::config::EcsMode::Aws;
            c.environments_file = Some(file);
        })
        .signed_out()
        .await;
    let res = reqwest::get(format!("{}/readyz", app.address)).await.unwrap();
    assert_eq!(res.status(), 200);
    let ready: Value = res.json().await.unwrap();
    assert_eq!(ready["environments"]["dev"]["status"], "ok", "{ready}");
    assert_eq!(ready["environments"]["stage-eu"]["status"], "ok", "{ready}");
    assert_eq!(ready["environments"]["stage-denied"], json!({"status": "failing", "error": "AccessDenied"}));

    // The pages' client is the default (first) environment's, at the emulator.
    let clusters = app.state.services.gateway.ecs.client.list_clusters().send().await.unwrap();
    assert!(
        clusters.cluster_arns().iter().any(|a| a.ends_with(":123456789012:cluster/default")),
        "{clusters:?}"
    );
    // stage-eu's calls were signed with credentials STS issued, in its account and region.
    let seen = sim.state().requests();
    assert!(seen.iter().any(|r| r.operation == "ListClusters"
        && r.account.as_deref() == Some("234567890123")
        && r.region.as_deref() == Some("eu-west-1")));
    assert!(!seen.iter().any(|r| r.account.as_deref() == Some("234567890123") && r.region.as_deref() == Some("us-east-1")),
        "the refused role reached nothing");
    let _ = std::fs::remove_dir_all(dir);
}

/// Each environment's calls go through its own token bucket: past the burst, they wait their
/// turn at the sustained rate (a lower bound only: a slow machine just takes longer).
#[tokio::test]
async fn each_environments_calls_keep_to_its_rate() {
    let app = TestApp::on(Engine::Sqlite)
        .settings(|c| {
            c.ecs_calls_per_second = 10.0;
            c.ecs_burst = 2;
        })
        .await;
    let envs = &app.state.services.environments;
    let staging_eu = envs.ecs(&envs.get("staging-eu-west-1").await.unwrap().env).await.client;
    let t = std::time::Instant::now();
    for _ in 0..12 {
        staging_eu.list_clusters().send().await.unwrap();
    }
    let waited = t.elapsed();
    assert!(waited >= std::time::Duration::from_millis(900), "2 at once, then 10 at 10/s: {waited:?}");
}

/// ECS throttles an account, not a replica: with two replicas alive, each keeps to half of
/// every environment's rate (each replica's heartbeat counts the live ones).
#[tokio::test]
async fn replicas_share_each_environments_rate() {
    let app = TestApp::on(Engine::Sqlite)
        .worker_every_ms(100)
        .settings(|c| {
            c.ecs_calls_per_second = 10.0;
            c.ecs_burst = 2;
        })
        .await;
    let replica = app.replica().await;
    let both = async {
        while app.state.services.environments.clients.share.get() != 2
            || replica.state.services.environments.clients.share.get() != 2
        {
            // Each replica beats once at its first round, then every ten seconds.
            server::changes::worker::heartbeat(&app.state.services.changes).await;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), both).await.expect("each sees two replicas");
    // Half of 10/s with a burst of 1 (half of 2): 11 calls take at least 2 s.
    let envs = &replica.state.services.environments;
    let staging = envs.ecs(&envs.get("staging").await.unwrap().env).await.client;
    let t = std::time::Instant::now();
    for _ in 0..11 {
        staging.list_clusters().send().await.unwrap();
    }
    let waited = t.elapsed();
    assert!(waited >= std::time::Duration::from_millis(1900), "1 at once, then 10 at 5/s: {waited:?}");
}
