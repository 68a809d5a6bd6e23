//! Register/Describe/List/DeleteDaemonTaskDefinition through aws-sdk-ecs.

mod common;
use aws_sdk_ecs::client::Waiters;
use aws_sdk_ecs::types::{
    DaemonContainerDefinition, DaemonTaskDefinitionStatus, DaemonTaskDefinitionStatusFilter, SortOrder,
};
use common::*;
use std::time::Duration;

#[tokio::test]
async fn revisions_are_numbered_per_family_and_sorted_numerically() {
    let sim = start().await;
    for i in 1..=11 {
        let arn = register(&sim.ecs, "logs", &format!("fluent-bit:{i}")).await;
        assert_eq!(arn, format!("{ACCOUNT_PREFIX}daemon-task-definition/logs:{i}"));
    }
    assert!(register(&sim.ecs, "metrics", "agent:1").await.ends_with("metrics:1"));

    let all = sim.ecs.list_daemon_task_definitions().family("logs").send().await.unwrap();
    let revs: Vec<String> = all
        .daemon_task_definitions()
        .iter()
        .map(|s| s.arn().unwrap().rsplit(':').next().unwrap().to_string())
        .collect();
    assert_eq!(revs, (1..=11).map(|i| i.to_string()).collect::<Vec<_>>());

    let desc = sim
        .ecs
        .list_daemon_task_definitions()
        .family("logs")
        .sort(SortOrder::Desc)
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert!(desc.daemon_task_definitions()[0].arn().unwrap().ends_with("logs:11"));
    assert!(desc.daemon_task_definitions()[1].arn().unwrap().ends_with("logs:10"));

    // Pagination with an opaque token walks every definition exactly once.
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page =
            sim.ecs.list_daemon_task_definitions().max_results(5).set_next_token(token).send().await.unwrap();
        seen.extend(page.daemon_task_definitions().iter().map(|s| s.arn().unwrap().to_string()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 12);
    assert!(seen[0].ends_with("logs:1") && seen[10].ends_with("logs:11") && seen[11].ends_with("metrics:1"));

    let last = sim
        .ecs
        .list_daemon_task_definitions()
        .revision(aws_sdk_ecs::types::DaemonTaskDefinitionRevisionFilter::LastRegistered)
        .send()
        .await
        .unwrap();
    assert_eq!(last.daemon_task_definitions().len(), 2);

    let prefixed = sim.ecs.list_daemon_task_definitions().family_prefix("met").send().await.unwrap();
    assert_eq!(prefixed.daemon_task_definitions().len(), 1);
}

#[tokio::test]
async fn describe_by_family_returns_latest_active_and_delete_works() {
    let sim = start().await;
    register(&sim.ecs, "agent", "a:1").await;
    register(&sim.ecs, "agent", "a:2").await;
    let d = sim.ecs.describe_daemon_task_definition().daemon_task_definition("agent").send().await.unwrap();
    let td = d.daemon_task_definition.unwrap();
    assert_eq!(td.revision, 2);
    assert_eq!(td.status, Some(DaemonTaskDefinitionStatus::Active));
    assert_eq!(td.container_definitions()[0].image, "a:2");
    assert_eq!(td.container_definitions()[0].cpu, 256);
    assert!(td.registered_at.is_some() && td.registered_by.is_some());

    let deleted =
        sim.ecs.delete_daemon_task_definition().daemon_task_definition("agent:2").send().await.unwrap();
    assert!(deleted.daemon_task_definition_arn.unwrap().ends_with("agent:2"));
    let d = sim.ecs.describe_daemon_task_definition().daemon_task_definition("agent").send().await.unwrap();
    assert_eq!(d.daemon_task_definition.unwrap().revision, 1);

    // Nothing uses it, so it is DELETED at once; the waiter agrees.
    sim.ecs
        .wait_until_daemon_task_definition_deleted()
        .daemon_task_definition(format!("{ACCOUNT_PREFIX}daemon-task-definition/agent:2"))
        .wait(Duration::from_secs(60))
        .await
        .unwrap();
    sim.ecs
        .wait_until_daemon_task_definition_active()
        .daemon_task_definition("agent:1")
        .wait(Duration::from_secs(60))
        .await
        .unwrap();

    let listed = sim
        .ecs
        .list_daemon_task_definitions()
        .status(DaemonTaskDefinitionStatusFilter::All)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.daemon_task_definitions().len(), 2);
    let active = sim.ecs.list_daemon_task_definitions().send().await.unwrap();
    assert_eq!(active.daemon_task_definitions().len(), 1);

    // Deleting again: not ACTIVE.
    let err =
        sim.ecs.delete_daemon_task_definition().daemon_task_definition("agent:2").send().await.unwrap_err();
    assert_eq!(error_code(&err), "ClientException");
    // A bare family is not a revision.
    let err =
        sim.ecs.delete_daemon_task_definition().daemon_task_definition("agent").send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
    let err =
        sim.ecs.describe_daemon_task_definition().daemon_task_definition("nope").send().await.unwrap_err();
    assert_eq!(error_code(&err), "ClientException");
}

#[tokio::test]
async fn deleting_a_revision_in_use_keeps_the_daemon_running() {
    let sim = start().await;
    let td = register(&sim.ecs, "inuse", "x:1").await;
    let (daemon, dep) = create(&sim.ecs, "default", "inuse", &td, &["mi-canary"]).await;
    wait_successful(&sim.ecs, &dep).await;
    sim.ecs.delete_daemon_task_definition().daemon_task_definition(&td).send().await.unwrap();
    let d = sim.ecs.describe_daemon_task_definition().daemon_task_definition(&td).send().await.unwrap();
    assert_eq!(d.daemon_task_definition.unwrap().status, Some(DaemonTaskDefinitionStatus::DeleteInProgress));
    sim.advance(120);
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(detail.current_revisions()[0].total_running_count, 1);
    // But no new daemon may use it.
    let err = sim
        .ecs
        .create_daemon()
        .daemon_name("other")
        .daemon_task_definition_arn(&td)
        .capacity_provider_arns(cp("mi-canary"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "ClientException");
}

#[tokio::test]
async fn register_validation() {
    let sim = start().await;
    let good = || DaemonContainerDefinition::builder().name("c").image("i:1").build().unwrap();
    let cases: Vec<(&str, aws_sdk_ecs::operation::register_daemon_task_definition::builders::RegisterDaemonTaskDefinitionFluentBuilder)> = vec![
        ("bad family", sim.ecs.register_daemon_task_definition().family("bad family!").container_definitions(good())),
        ("long family", sim.ecs.register_daemon_task_definition().family("x".repeat(256)).container_definitions(good())),
        ("no family", sim.ecs.register_daemon_task_definition().container_definitions(good())),
        ("no containers", sim.ecs.register_daemon_task_definition().family("f")),
        ("bad cpu", sim.ecs.register_daemon_task_definition().family("f").cpu("lots").container_definitions(good())),
        (
            "too many tags",
            (0..51).fold(sim.ecs.register_daemon_task_definition().family("f").container_definitions(good()), |b, i| {
                b.tags(aws_sdk_ecs::types::Tag::builder().key(format!("k{i}")).value("v").build())
            }),
        ),
        (
            "duplicate container",
            sim.ecs.register_daemon_task_definition().family("f").container_definitions(good()).container_definitions(good()),
        ),
    ];
    for (what, req) in cases {
        let err = req.send().await.expect_err(what);
        assert_eq!(error_code(&err), "InvalidParameterException", "{what}");
    }
    // 255 characters is fine.
    sim.ecs
        .register_daemon_task_definition()
        .family("y".repeat(255))
        .container_definitions(good())
        .send()
        .await
        .unwrap();
}
