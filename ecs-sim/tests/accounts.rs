//! Accounts, regions and STS, through the real SDKs: one world per (account, region),
//! chosen by the signing region and the access key; aws-config's assume-role provider
//! against the emulator's STS; refusals; GetCallerIdentity.

mod common;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ecs::config::{
    Credentials, ProvideCredentials, SharedCredentialsProvider, StalledStreamProtectionConfig,
};
use common::*;
use ecs_sim::{SimOptions, WorldSpec};
use std::time::{Duration, SystemTime};

const STAGING: &str = "234567890123";
const STAGING_KEY: &str = "AKIAEXAMPLESTAGING01";
const ROLE: &str = "arn:aws:iam::234567890123:role/DaemonPortal";
const EXTERNAL_ID: &str = "daemon-portal-staging";

/// Shared settings pointing every SDK at the emulator, signing with `creds`.
async fn sdk_config(endpoint: &str, region: &str, creds: impl ProvideCredentials + 'static) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(creds)
        .endpoint_url(endpoint)
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .load()
        .await
}

async fn ecs_with(
    endpoint: &str,
    region: &str,
    creds: impl ProvideCredentials + 'static,
) -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::new(&sdk_config(endpoint, region, creds).await)
}

fn static_key(key: &str) -> Credentials {
    Credentials::new(key, "secret", None, None, "test")
}

async fn cluster_arns(ecs: &aws_sdk_ecs::Client) -> Vec<String> {
    ecs.list_clusters().send().await.unwrap().cluster_arns().to_vec()
}

async fn daemon_names(ecs: &aws_sdk_ecs::Client, cluster: &str) -> Vec<String> {
    let out = ecs.list_daemons().cluster_arn(cluster).send().await.unwrap();
    out.daemon_summaries_list().iter().filter_map(|d| d.daemon_arn().map(str::to_string)).collect()
}

async fn assume_role_provider(endpoint: &str, region: &str, external_id: &str) -> AssumeRoleProvider {
    let base = sdk_config(endpoint, region, static_key("AKID")).await;
    AssumeRoleProvider::builder(ROLE)
        .external_id(external_id)
        .session_name("portal")
        .configure(&base)
        .build()
        .await
}

#[tokio::test]
async fn static_keys_and_regions_pick_isolated_worlds() {
    let sim = start().await;
    let ep = sim.handle.endpoint();
    // An unknown key acts in the default account, as before accounts.
    let default_use1 = ecs_with(ep, "us-east-1", static_key("AKID")).await;
    let default_euw1 = ecs_with(ep, "eu-west-1", static_key("AKID")).await;
    let staging_use1 = ecs_with(ep, "us-east-1", static_key(STAGING_KEY)).await;
    let staging_euw1 = ecs_with(ep, "eu-west-1", static_key(STAGING_KEY)).await;

    assert_eq!(
        cluster_arns(&default_use1).await,
        [
            "arn:aws:ecs:us-east-1:123456789012:cluster/default",
            "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
        ]
    );
    // A region with no world answers like an unused ECS region.
    assert!(cluster_arns(&default_euw1).await.is_empty());
    assert_eq!(cluster_arns(&staging_use1).await, ["arn:aws:ecs:us-east-1:234567890123:cluster/staging"]);
    assert_eq!(cluster_arns(&staging_euw1).await, ["arn:aws:ecs:eu-west-1:234567890123:cluster/staging-eu"]);

    // A daemon created in staging/us-east-1 exists there only.
    let td = register(&staging_use1, "agent", "amazon/cloudwatch-agent:1").await;
    assert_eq!(td, "arn:aws:ecs:us-east-1:234567890123:daemon-task-definition/agent:1");
    let created = staging_use1
        .create_daemon()
        .cluster_arn("staging")
        .daemon_name("agent")
        .daemon_task_definition_arn(&td)
        .capacity_provider_arns("arn:aws:ecs:us-east-1:234567890123:capacity-provider/mi-staging")
        .send()
        .await
        .unwrap();
    assert_eq!(created.daemon_arn(), Some("arn:aws:ecs:us-east-1:234567890123:daemon/staging/agent"));
    assert_eq!(
        daemon_names(&staging_use1, "staging").await,
        ["arn:aws:ecs:us-east-1:234567890123:daemon/staging/agent"]
    );
    sim.state().advance(120.0);
    let tasks = staging_use1.list_tasks().cluster("staging").daemon_name("agent").send().await.unwrap();
    assert_eq!(tasks.task_arns().len(), 3, "one daemon task per mi-staging instance");
    assert!(tasks
        .task_arns()
        .iter()
        .all(|t| t.starts_with("arn:aws:ecs:us-east-1:234567890123:task/staging/")));

    // Same account, other region: neither the daemon nor its task definition.
    assert!(daemon_names(&staging_euw1, "staging-eu").await.is_empty());
    let defs = staging_euw1.list_daemon_task_definitions().send().await.unwrap();
    assert!(defs.daemon_task_definitions().is_empty());
    let err = staging_euw1.list_daemons().cluster_arn("staging").send().await.unwrap_err();
    assert_eq!(error_code(&err), "ClusterNotFoundException");
    // Other account, same region: nor there.
    let defs = default_use1.list_daemon_task_definitions().send().await.unwrap();
    assert!(defs.daemon_task_definitions().is_empty());
    assert!(daemon_names(&default_use1, "default").await.is_empty());
    assert!(daemon_names(&default_use1, "prod").await.is_empty());
    let err = default_use1.list_daemons().cluster_arn("staging").send().await.unwrap_err();
    assert_eq!(error_code(&err), "ClusterNotFoundException");
    // Even naming the daemon's full ARN reaches only the caller's own world.
    let err = default_use1
        .describe_daemon()
        .daemon_arn("arn:aws:ecs:us-east-1:234567890123:daemon/staging/agent")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "ClusterNotFoundException");

    // The control API takes the world as ?account=&region=, by default the default one.
    let (status, st) =
        sim.control("GET", "/_sim/state?account=staging&region=us-east-1", serde_json::json!(null)).await;
    assert_eq!(status, 200);
    assert_eq!(st["account"], STAGING);
    assert_eq!(st["daemons"].as_array().unwrap().len(), 1);
    let (_, st) = sim.control("GET", "/_sim/state", serde_json::json!(null)).await;
    assert_eq!(st["account"], "123456789012");
    assert!(st["daemons"].as_array().unwrap().is_empty());
    let (status, _) = sim.control("GET", "/_sim/state?account=nobody", serde_json::json!(null)).await;
    assert_eq!(status, 404);
    let (status, _) = sim
        .control(
            "POST",
            "/_sim/providers/staging-eu/mi-staging-eu/scale?account=234567890123&region=eu-west-1",
            serde_json::json!({"desired": 3}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = sim
        .control("POST", "/_sim/providers/staging-eu/mi-staging-eu/scale", serde_json::json!({"desired": 3}))
        .await;
    assert_eq!(status, 404, "not in the default world");
    sim.state().with_worlds(|w| w.check_invariants()).unwrap();
}

#[tokio::test]
async fn assume_role_provider_reaches_the_roles_account() {
    // A simulated clock 30 days behind: credentials must still be fresh by the real one.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let opts = SimOptions {
        world: WorldSpec::Default,
        manual_clock: true,
        clock_offset_ms: -30 * 86_400_000,
        ..SimOptions::default()
    };
    let handle = ecs_sim::serve(listener, opts).await.unwrap();
    let ep = handle.endpoint();

    let provider = assume_role_provider(ep, "us-east-1", EXTERNAL_ID).await;
    let creds = provider.provide_credentials().await.unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert!(creds.session_token().is_some());
    let left = creds.expiry().unwrap().duration_since(SystemTime::now()).unwrap();
    assert!(left > Duration::from_secs(3_500) && left <= Duration::from_secs(3_600), "{left:?}");

    let provider = SharedCredentialsProvider::new(provider);
    let use1 = ecs_with(ep, "us-east-1", provider.clone()).await;
    let euw1 = ecs_with(ep, "eu-west-1", provider.clone()).await;
    assert_eq!(cluster_arns(&use1).await, ["arn:aws:ecs:us-east-1:234567890123:cluster/staging"]);
    assert_eq!(cluster_arns(&euw1).await, ["arn:aws:ecs:eu-west-1:234567890123:cluster/staging-eu"]);
    let providers = use1.describe_clusters().clusters("staging").send().await.unwrap();
    assert_eq!(providers.clusters()[0].capacity_providers(), ["mi-staging", "mi-staging-canary"]);

    // (d) GetCallerIdentity with the assumed role's credentials names its account and session.
    let sts = aws_sdk_sts::Client::new(&sdk_config(ep, "us-east-1", provider).await);
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.account(), Some(STAGING));
    assert_eq!(me.arn(), Some("arn:aws:sts::234567890123:assumed-role/DaemonPortal/portal"));
    assert!(me.user_id().unwrap().starts_with("AROA") && me.user_id().unwrap().ends_with(":portal"));
    // A static key of the default account is that account's root.
    let sts_default = aws_sdk_sts::Client::new(&sdk_config(ep, "us-east-1", static_key("AKID")).await);
    let me = sts_default.get_caller_identity().send().await.unwrap();
    assert_eq!(me.account(), Some("123456789012"));
    assert_eq!(me.arn(), Some("arn:aws:iam::123456789012:root"));

    // The request log says which world each call went to.
    let log = handle.state().requests();
    let sts_calls: Vec<_> = log.iter().filter(|r| r.operation == "sts:AssumeRole").collect();
    assert!(!sts_calls.is_empty() && sts_calls.iter().all(|r| r.status == 200));
    assert!(log.iter().any(|r| r.operation == "ListClusters"
        && r.region.as_deref() == Some("eu-west-1")
        && r.account.as_deref() == Some(STAGING)));
    handle.shutdown().await;
}

#[tokio::test]
async fn roles_outside_the_world_file_and_wrong_external_ids_are_refused() {
    let sim = start().await;
    let ep = sim.handle.endpoint();
    let sts = aws_sdk_sts::Client::new(&sdk_config(ep, "us-east-1", static_key("AKID")).await);
    for (role, external_id) in [
        ("arn:aws:iam::234567890123:role/Admin", Some(EXTERNAL_ID)),
        ("arn:aws:iam::999999999999:role/DaemonPortal", Some(EXTERNAL_ID)),
        (ROLE, Some("wrong")),
        (ROLE, None),
    ] {
        let err = sts
            .assume_role()
            .role_arn(role)
            .role_session_name("portal")
            .set_external_id(external_id.map(str::to_string))
            .send()
            .await
            .unwrap_err();
        let e = err.as_service_error().expect("a service error");
        use aws_sdk_sts::error::ProvideErrorMetadata;
        assert_eq!(e.code(), Some("AccessDenied"), "{role} {external_id:?}");
        assert!(e.message().unwrap().contains(role), "{:?}", e.message());
        assert_eq!(err.raw_response().unwrap().status().as_u16(), 403);
    }
    // A session longer than the role allows, or a missing session name: ValidationError (400).
    let err = sts
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/DaemonPortal")
        .role_session_name("portal")
        .duration_seconds(7_200)
        .send()
        .await
        .unwrap_err();
    use aws_sdk_sts::error::ProvideErrorMetadata;
    assert_eq!(err.as_service_error().unwrap().code(), Some("ValidationError"));
    let err = sts.assume_role().role_arn(ROLE).external_id(EXTERNAL_ID).send().await.unwrap_err();
    assert_eq!(err.as_service_error().unwrap().code(), Some("ValidationError"));

    // Through the credentials provider, a refusal is a credentials error on the ECS call.
    let provider = assume_role_provider(ep, "us-east-1", "wrong").await;
    let ecs = ecs_with(ep, "us-east-1", provider).await;
    let err = ecs.list_clusters().send().await.unwrap_err();
    assert!(format!("{}", aws_sdk_ecs::error::DisplayErrorContext(&err)).contains("AccessDenied"), "{err:?}");
}

#[tokio::test]
async fn sts_wire_errors() {
    let sim = start().await;
    let ep = sim.handle.endpoint();
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let (status, _, body) =
        raw_http_full(ep, "POST", "/", &form, "Action=GetCallerIdentity&Version=2011-06-15").await;
    assert_eq!(status, 403);
    assert!(
        body.contains("<Code>MissingAuthenticationToken</Code>") && body.starts_with("<ErrorResponse"),
        "{body}"
    );
    let auth = "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00";
    let signed = [form[0], ("authorization", auth)];
    let (status, _, body) =
        raw_http_full(ep, "POST", "/", &signed, "Action=GetFederationToken&Version=2011-06-15").await;
    assert_eq!(status, 400);
    assert!(body.contains("<Type>Sender</Type><Code>InvalidAction</Code>"), "{body}");
    let (status, _, body) = raw_http_full(
        ep,
        "POST",
        "/",
        &signed,
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A234567890123%3Arole%2FDaemonPortal&RoleSessionName=s&ExternalId=daemon-portal-staging",
    )
    .await;
    assert_eq!(status, 400, "a 1-character session name: {body}");
    let (status, _, body) = raw_http_full(
        ep,
        "POST",
        "/",
        &signed,
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A234567890123%3Arole%2FDaemonPortal&RoleSessionName=by-hand&ExternalId=daemon-portal-staging&DurationSeconds=900",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.starts_with("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
        "{body}"
    );
    assert!(
        body.contains("<Arn>arn:aws:sts::234567890123:assumed-role/DaemonPortal/by-hand</Arn>"),
        "{body}"
    );
}

#[tokio::test]
async fn worlds_and_sessions_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("ecs-sim-accounts-{}", std::process::id()));
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let sim = start_with(WorldSpec::Default, Some(file.clone())).await;
    let ep = sim.handle.endpoint().to_string();
    let provider = assume_role_provider(&ep, "eu-west-1", EXTERNAL_ID).await;
    let creds = provider.provide_credentials().await.unwrap();
    let euw1 = ecs_with(&ep, "eu-west-1", creds.clone()).await;
    register(&euw1, "eu-agent", "amazon/cloudwatch-agent:1").await;
    drop(euw1);
    sim.handle.shutdown().await;

    let sim = start_with(WorldSpec::Default, Some(file.clone())).await;
    // The same issued key still acts in staging, whose eu-west-1 kept its definition.
    let euw1 = ecs_with(sim.handle.endpoint(), "eu-west-1", creds).await;
    let defs = euw1.list_daemon_task_definitions().send().await.unwrap();
    assert_eq!(
        defs.daemon_task_definitions().iter().filter_map(|d| d.arn()).collect::<Vec<_>>(),
        ["arn:aws:ecs:eu-west-1:234567890123:daemon-task-definition/eu-agent:1"]
    );
    sim.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
