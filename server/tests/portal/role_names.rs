//! Role names as ECS takes them (issue 11): a user who types `ecsTaskExecutionRole` gets a
//! working definition whose roles are the account's ARNs, on SQLite and PostgreSQL, through the
//! create form's server function, aws-sdk-ecs and the emulator.
use crate::helpers::{Engine, TestApp};

/// A configured role in another account (the expansion must use the clusters' account) and
/// the roles the test registers, on the allowlist.
async fn app_on(engine: Engine) -> TestApp {
    TestApp::on(engine)
        .roles(&[
            "arn:aws:iam::999999999999:role/configured",
            EXEC_ARN,
            "arn:aws:iam::123456789012:role/service-role/agent",
        ])
        .await
}

fn form<'a>(family: &'a str, task_role: &'a str, execution_role: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[family]", family),
        ("form[task_role]", task_role),
        ("form[execution_role]", execution_role),
        ("form[containers][0][name]", "agent"),
        ("form[containers][0][image]", "example/agent:1"),
        ("form[containers][0][essential]", "on"),
        ("form[containers][0][cpu]", "0.25"),
        ("form[containers][0][memory]", "0.5"),
    ]
}

const EXEC_ARN: &str = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";

async fn role_names_expand_to_the_accounts_arn(engine: Engine) {
    let app = app_on(engine).await;

    // The editor learns where names expand (the default cluster's account).
    let (status, options) = app.call("task-definition-form-options", &[]).await;
    assert_eq!(status, 200, "{options}");
    assert_eq!(options["role_scope"], serde_json::json!({ "partition": "aws", "account": "123456789012" }));

    let (status, body) = app
        .call("create-task-definition", &form("named", "service-role/agent", "ecsTaskExecutionRole"))
        .await;
    assert_eq!(status, 200, "{body}");

    // ECS holds the ARNs, as DescribeDaemonTaskDefinition shows.
    let td = app
        .state
        .services
        .gateway
        .ecs
        .client
        .describe_daemon_task_definition()
        .daemon_task_definition("named:1")
        .send()
        .await
        .unwrap()
        .daemon_task_definition
        .unwrap();
    assert_eq!(td.execution_role_arn.as_deref(), Some(EXEC_ARN));
    assert_eq!(td.task_role_arn.as_deref(), Some("arn:aws:iam::123456789012:role/service-role/agent"));

    // The revision page shows the expansion.
    let page = app.http.get(format!("{}/task-definitions/named/1", app.address)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(EXEC_ARN), "revision page lacks the expanded ARN");

    // A full ARN is kept as typed; something that is no role is refused on its field.
    let (status, body) = app.call("create-task-definition", &form("named", "", EXEC_ARN)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.call("create-task-definition", &form("named", "not a role!", "")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["Invalid"]["task_role"].as_str().unwrap().contains("role name"), "{body}");
}

on_both!(role_names_expand_to_the_accounts_arn);
