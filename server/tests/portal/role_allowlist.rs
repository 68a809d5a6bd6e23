//! The role allowlist (issue 12): a task definition may name only roles allowed for everyone
//! or granted by an administrator to a team its author deploys for. On SQLite and PostgreSQL,
//! through the server functions the forms post to, aws-sdk-ecs and the emulator.
use crate::helpers::{Engine, TestApp};

const EXEC: &str = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
const AGENT: &str = "arn:aws:iam::123456789012:role/cw-agent-task";

fn form<'a>(family: &'a str, task_role: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[family]", family),
        ("form[task_role]", task_role),
        ("form[execution_role]", EXEC),
        ("form[containers][0][name]", "agent"),
        ("form[containers][0][image]", "example/agent:1"),
        ("form[containers][0][essential]", "on"),
        ("form[containers][0][cpu]", "0.25"),
        ("form[containers][0][memory]", "0.5"),
    ]
}

async fn ecs_has_family(app: &TestApp, family: &str) -> bool {
    app.state
        .services
        .gateway
        .ecs
        .client
        .describe_daemon_task_definition()
        .daemon_task_definition(family)
        .send()
        .await
        .is_ok()
}

async fn only_allowed_roles_reach_ecs(engine: Engine) {
    let app = TestApp::on(engine).await;
    let alice = app.as_user("alice").await; // deployer in team platform

    // A role nobody granted: refused on its field, nothing registered.
    let (status, body) = app.call_with(&alice, "create-task-definition", &form("agent-a", AGENT)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["task_role"].as_str().unwrap().contains("Allowed roles"), "{body}");
    assert!(body["Invalid"].get("execution_role").is_none(), "the configured role is allowed: {body}");
    assert!(!ecs_has_family(&app, "agent-a").await);

    // Granting it to another team does not help alice.
    let (status, body) = app.call("admin-create-team", &[("name", "payments")]).await;
    assert_eq!(status, 200, "{body}");
    let grant = |team: &'static str| [("form[team]", team), ("form[role_arn]", AGENT)];
    assert_eq!(app.call("admin-grant-role", &grant("payments")).await.0, 200);
    assert_eq!(app.call_with(&alice, "create-task-definition", &form("agent-a", AGENT)).await.0, 422);

    // Granted to her team: the editor offers it, and it registers.
    assert_eq!(app.call("admin-grant-role", &grant("platform")).await.0, 200);
    let (_, options) = app.call_with(&alice, "task-definition-form-options", &[]).await;
    let offered: Vec<&str> = options["roles"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
    assert!(offered.contains(&AGENT) && offered.contains(&EXEC), "{options}");
    let (status, body) = app.call_with(&alice, "create-task-definition", &form("agent-a", AGENT)).await;
    assert_eq!(status, 200, "{body}");
    let td = app
        .state
        .services
        .gateway
        .ecs
        .client
        .describe_daemon_task_definition()
        .daemon_task_definition("agent-a")
        .send()
        .await;
    assert_eq!(td.unwrap().daemon_task_definition.unwrap().task_role_arn.as_deref(), Some(AGENT));
    let (_, list) = app.call("admin-list-role-grants", &[]).await;
    assert_eq!(list["grants"].as_array().unwrap().len(), 2, "{list}");
    // In embedded mode: the execution role of each of the emulator's two accounts.
    assert_eq!(
        list["everyone"],
        serde_json::json!([EXEC, "arn:aws:iam::234567890123:role/ecsTaskExecutionRole"])
    );

    // Revoked: refused again.
    assert_eq!(app.call("admin-revoke-role", &grant("platform")).await.0, 200);
    assert_eq!(app.call_with(&alice, "create-task-definition", &form("agent-b", AGENT)).await.0, 422);
    assert!(!ecs_has_family(&app, "agent-b").await);
}

async fn only_admins_manage_grants_and_bad_input_is_named(engine: Engine) {
    let app = TestApp::on(engine).await;
    let alice = app.as_user("alice").await;
    let grant = [("form[team]", "platform"), ("form[role_arn]", AGENT)];
    for endpoint in ["admin-grant-role", "admin-revoke-role"] {
        let (status, body) = app.call_with(&alice, endpoint, &grant).await;
        assert_eq!(status, 403, "{endpoint}: {body}");
    }
    assert_eq!(app.call_with(&alice, "admin-list-role-grants", &[]).await.0, 403);
    let anonymous = reqwest::Client::new();
    assert_eq!(app.call_with(&anonymous, "admin-grant-role", &grant).await.0, 401);
    let (_, list) = app.call("admin-list-role-grants", &[]).await;
    assert!(list["grants"].as_array().unwrap().is_empty(), "refused calls granted nothing: {list}");

    let (status, body) = app
        .call("admin-grant-role", &[("form[team]", "no such!"), ("form[role_arn]", "cw-agent-task")])
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["team"].is_string() && body["Invalid"]["role_arn"].is_string(), "{body}");
    let (status, body) =
        app.call("admin-grant-role", &[("form[team]", "nosuchteam"), ("form[role_arn]", AGENT)]).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = app.call("admin-revoke-role", &grant).await;
    assert_eq!(status, 404, "nothing to revoke: {body}");
}

/// A definition registered outside the portal cannot smuggle a role in: deploying it needs the
/// role on the requester's allowlist too.
async fn deploys_check_the_roles_of_what_they_run(engine: Engine) {
    let app = TestApp::on(engine).await;
    let alice = app.as_user("alice").await;
    app.state
        .services
        .gateway
        .ecs
        .client
        .register_daemon_task_definition()
        .family("oob-agent")
        .task_role_arn(AGENT)
        .container_definitions(
            aws_sdk_ecs::types::DaemonContainerDefinition::builder()
                .name("agent")
                .image("example/agent:1")
                .cpu(256)
                .memory(256)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("registered out of band");
    let deploy = [
        ("form[cluster]", "default"),
        ("form[daemon_name]", "oob"),
        ("form[family]", "oob-agent"),
        ("form[capacity_providers][0]", "mi-general"),
        ("form[drain_percent]", "25"),
        ("form[bake_time]", "0"),
        ("form[critical]", "on"),
        ("form[propagate_tags]", "NONE"),
    ];
    let (status, body) = app.call_with(&alice, "deploy-daemon", &deploy).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["revision"].as_str().unwrap().contains(AGENT), "{body}");
    let n = app.state.services.gateway.ecs.client.list_daemons().cluster_arn("default").send().await.unwrap();
    assert!(n.daemon_summaries_list.unwrap_or_default().is_empty(), "nothing deployed");

    assert_eq!(
        app.call("admin-grant-role", &[("form[team]", "platform"), ("form[role_arn]", AGENT)]).await.0,
        200
    );
    let (status, body) = app.call_with(&alice, "deploy-daemon", &deploy).await;
    assert_eq!(status, 200, "{body}");
}

on_both!(
    only_allowed_roles_reach_ecs,
    only_admins_manage_grants_and_bad_input_is_named,
    deploys_check_the_roles_of_what_they_run,
);
