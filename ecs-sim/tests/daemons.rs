//! Create/Update/Delete/Describe/ListDaemons, revisions, deployments listing,
//! validation, idempotency and waiters, through aws-sdk-ecs.

mod common;
use aws_sdk_ecs::client::Waiters;
use aws_sdk_ecs::types::{DaemonDeploymentConfiguration, DaemonDeploymentStatus, DaemonStatus, Tag};
use common::*;
use std::time::Duration;

#[tokio::test]
async fn create_starts_one_task_per_instance_and_waiters_work() {
    let sim = start().await;
    let td = register(&sim.ecs, "logs", "fluent-bit:3.0").await;
    let out = sim
        .ecs
        .create_daemon()
        .daemon_name("log-router")
        .daemon_task_definition_arn(&td)
        .capacity_provider_arns(cp("mi-general"))
        .send()
        .await
        .unwrap();
    let daemon = out.daemon_arn.unwrap();
    assert_eq!(daemon, format!("{ACCOUNT_PREFIX}daemon/default/log-router"));
    assert_eq!(out.status, Some(DaemonStatus::Active));
    assert!(out.created_at.is_some());
    let dep_arn = out.deployment_arn.unwrap();
    assert!(dep_arn.starts_with(&format!("{ACCOUNT_PREFIX}daemon-deployment/default/log-router/")));

    let dep = deployment(&sim.ecs, &dep_arn).await;
    assert_eq!(dep.status, Some(DaemonDeploymentStatus::Pending));

    sim.ecs.wait_until_daemon_active().daemon_arn(&daemon).wait(Duration::from_secs(60)).await.unwrap();
    wait_successful(&sim.ecs, &dep_arn).await;
    sim.invariants();

    let d = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(d.cluster_arn.as_deref(), Some(&*format!("{ACCOUNT_PREFIX}cluster/default")));
    assert_eq!(d.deployment_arn.as_deref(), Some(dep_arn.as_str()));
    let rev = &d.current_revisions()[0];
    assert_eq!(rev.total_running_count, 4);
    assert_eq!(rev.total_without_daemon_count, 0);
    assert_eq!(rev.capacity_providers()[0].arn.as_deref(), Some(cp("mi-general").as_str()));
    let rev_arn = rev.arn.clone().unwrap();

    // Tasks: one per instance, marked with the daemon and revision.
    let tasks = sim.ecs.list_tasks().daemon_name("log-router").send().await.unwrap();
    assert_eq!(tasks.task_arns().len(), 4);
    let described =
        sim.ecs.describe_tasks().set_tasks(Some(tasks.task_arns().to_vec())).send().await.unwrap();
    let mut instances = std::collections::HashSet::new();
    for t in described.tasks() {
        assert_eq!(t.group(), Some("daemon:log-router"));
        assert_eq!(t.started_by(), Some(rev_arn.as_str()));
        assert_eq!(t.task_definition_arn(), Some(td.as_str()));
        assert_eq!(t.last_status(), Some("RUNNING"));
        assert_eq!(t.capacity_provider_name(), Some("mi-general"));
        assert_eq!(t.containers()[0].image(), Some("fluent-bit:3.0"));
        instances.insert(t.container_instance_arn().unwrap().to_string());
    }
    assert_eq!(instances.len(), 4);

    // The revision describes the task definition and image.
    let revs = sim
        .ecs
        .describe_daemon_revisions()
        .daemon_revision_arns(&rev_arn)
        .daemon_revision_arns(format!("{ACCOUNT_PREFIX}daemon-revision/default/log-router/nope"))
        .send()
        .await
        .unwrap();
    let r = &revs.daemon_revisions()[0];
    assert_eq!(r.daemon_task_definition_arn(), Some(td.as_str()));
    assert_eq!(r.critical(), Some(true));
    assert_eq!(r.container_images()[0].image(), Some("fluent-bit:3.0"));
    assert!(r.container_images()[0].image_digest().unwrap().starts_with("sha256:"));
    assert_eq!(revs.failures()[0].reason(), Some("MISSING"));

    // Instance health reports the daemon.
    let ci = sim
        .ecs
        .describe_container_instances()
        .container_instances(instances.iter().next().unwrap())
        .include(aws_sdk_ecs::types::ContainerInstanceField::ContainerInstanceHealth)
        .send()
        .await
        .unwrap();
    let health = ci.container_instances()[0].health_status().unwrap();
    let daemon_check = health
        .details()
        .iter()
        .find(|d| d.r#type() == Some(&aws_sdk_ecs::types::InstanceHealthCheckType::Daemon))
        .unwrap();
    assert_eq!(daemon_check.status(), Some(&aws_sdk_ecs::types::InstanceHealthCheckState::Ok));
    assert!(daemon_check.status_reason().unwrap().contains("log-router"));
}

#[tokio::test]
async fn create_validation_and_errors() {
    let sim = start().await;
    let td = register(&sim.ecs, "v", "img:1").await;
    let base = || {
        sim.ecs
            .create_daemon()
            .daemon_name("ok")
            .daemon_task_definition_arn(&td)
            .capacity_provider_arns(cp("mi-general"))
    };
    let cfg = |drain: f64, bake: i32| {
        DaemonDeploymentConfiguration::builder().drain_percent(drain).bake_time_in_minutes(bake).build()
    };
    let cases = vec![
        ("bad name", base().daemon_name("no spaces"), "InvalidParameterException"),
        ("long name", base().daemon_name("n".repeat(256)), "InvalidParameterException"),
        (
            "no name",
            sim.ecs.create_daemon().daemon_task_definition_arn(&td).capacity_provider_arns(cp("mi-general")),
            "InvalidParameterException",
        ),
        (
            "no td",
            sim.ecs.create_daemon().daemon_name("x").capacity_provider_arns(cp("mi-general")),
            "InvalidParameterException",
        ),
        (
            "no providers",
            sim.ecs.create_daemon().daemon_name("x").daemon_task_definition_arn(&td),
            "InvalidParameterException",
        ),
        ("drain 101", base().deployment_configuration(cfg(101.0, 0)), "InvalidParameterException"),
        ("drain -1", base().deployment_configuration(cfg(-1.0, 0)), "InvalidParameterException"),
        ("bake 1441", base().deployment_configuration(cfg(25.0, 1441)), "InvalidParameterException"),
        ("token 37", base().client_token("t".repeat(37)), "InvalidParameterException"),
        ("unknown cluster", base().cluster_arn("nope"), "ClusterNotFoundException"),
        (
            "unknown provider",
            base().set_capacity_provider_arns(Some(vec![cp("mi-nope")])),
            "InvalidParameterException",
        ),
        (
            "provider of another cluster",
            base().set_capacity_provider_arns(Some(vec![cp("mi-prod-a")])),
            "InvalidParameterException",
        ),
        ("unknown td", base().daemon_task_definition_arn("ghost:1"), "ClientException"),
        (
            "51 tags",
            (0..51).fold(base(), |b, i| b.tags(Tag::builder().key(format!("k{i}")).value("v").build())),
            "InvalidParameterException",
        ),
    ];
    for (what, req, code) in cases {
        let err = req.send().await.expect_err(what);
        assert_eq!(error_code(&err), code, "{what}");
    }
    // Edges are accepted: drain 0 and 100, bake 1440, 50 tags, 36-char token, names or ARNs.
    base().daemon_name("edge-a").deployment_configuration(cfg(0.0, 1440)).send().await.unwrap();
    base()
        .daemon_name("edge-b")
        .set_capacity_provider_arns(Some(vec!["mi-canary".into()]))
        .deployment_configuration(cfg(100.0, 0))
        .client_token("t".repeat(36))
        .send()
        .await
        .unwrap();
    (0..50)
        .fold(base().daemon_name("edge-c"), |b, i| {
            b.tags(Tag::builder().key(format!("k{i}")).value("v").build())
        })
        .send()
        .await
        .unwrap();
    // Duplicate name.
    let err = base().daemon_name("edge-a").send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
}

#[tokio::test]
async fn client_token_is_idempotent() {
    let sim = start().await;
    let td = register(&sim.ecs, "idem", "img:1").await;
    let req = || {
        sim.ecs
            .create_daemon()
            .daemon_name("idem")
            .daemon_task_definition_arn(&td)
            .capacity_provider_arns(cp("mi-general"))
            .client_token("token-1")
    };
    let a = req().send().await.unwrap();
    sim.advance(5);
    let b = req().send().await.unwrap();
    assert_eq!(a.daemon_arn, b.daemon_arn);
    assert_eq!(a.deployment_arn, b.deployment_arn);
    assert_eq!(a.created_at, b.created_at);
    let err = req().capacity_provider_arns(cp("mi-canary")).send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
    let listed = sim.ecs.list_daemons().send().await.unwrap();
    assert_eq!(listed.daemon_summaries_list().len(), 1);
}

#[tokio::test]
async fn list_daemons_defaults_filters_and_paginates() {
    let sim = start().await;
    let td = register(&sim.ecs, "many", "img:1").await;
    for i in 0..5 {
        let p = if i % 2 == 0 { "mi-general" } else { "mi-canary" };
        create(&sim.ecs, "default", &format!("d{i}"), &td, &[p]).await;
    }
    create(&sim.ecs, "prod", "prod-only", &td, &["mi-prod-a"]).await;

    // No cluster means `default`.
    let all = sim.ecs.list_daemons().send().await.unwrap();
    assert_eq!(all.daemon_summaries_list().len(), 5);
    assert!(all.next_token.is_none());

    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = sim.ecs.list_daemons().max_results(2).set_next_token(token).send().await.unwrap();
        assert!(page.daemon_summaries_list().len() <= 2);
        names.extend(
            page.daemon_summaries_list()
                .iter()
                .map(|d| d.daemon_arn().unwrap().rsplit('/').next().unwrap().to_string()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, vec!["d0", "d1", "d2", "d3", "d4"]);

    let canary = sim.ecs.list_daemons().capacity_provider_arns(cp("mi-canary")).send().await.unwrap();
    assert_eq!(canary.daemon_summaries_list().len(), 2);
    let prod =
        sim.ecs.list_daemons().cluster_arn(format!("{ACCOUNT_PREFIX}cluster/prod")).send().await.unwrap();
    assert_eq!(prod.daemon_summaries_list().len(), 1);

    for bad in [0, 101] {
        let err = sim.ecs.list_daemons().max_results(bad).send().await.unwrap_err();
        assert_eq!(error_code(&err), "InvalidParameterException");
    }
    let err = sim.ecs.list_daemons().next_token("garbage").send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
    let err = sim.ecs.list_daemons().cluster_arn("ghost").send().await.unwrap_err();
    assert_eq!(error_code(&err), "ClusterNotFoundException");
}

#[tokio::test]
async fn describe_errors_and_missing_failures() {
    let sim = start().await;
    let err = sim
        .ecs
        .describe_daemon()
        .daemon_arn(format!("{ACCOUNT_PREFIX}daemon/default/ghost"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "DaemonNotFoundException");
    let err = sim
        .ecs
        .describe_daemon()
        .daemon_arn(format!("{ACCOUNT_PREFIX}daemon/ghost-cluster/x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "ClusterNotFoundException");
    let err = sim.ecs.describe_daemon().send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");

    let many: Vec<String> =
        (0..21).map(|i| format!("{ACCOUNT_PREFIX}daemon-deployment/default/x/{i}")).collect();
    let err = sim
        .ecs
        .describe_daemon_deployments()
        .set_daemon_deployment_arns(Some(many.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
    let err = sim
        .ecs
        .describe_daemon_revisions()
        .set_daemon_revision_arns(Some(many.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
    let err = sim.ecs.describe_daemon_revisions().send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");

    let out = sim
        .ecs
        .describe_daemon_deployments()
        .set_daemon_deployment_arns(Some(many[..20].to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(out.failures().len(), 20);
    assert!(out.failures().iter().all(|f| f.reason() == Some("MISSING")));

    // The waiter fails fast on MISSING instead of polling forever.
    let err = sim
        .ecs
        .wait_until_daemon_deployment_successful()
        .daemon_deployment_arns(&many[0])
        .wait(Duration::from_secs(600))
        .await;
    assert!(err.is_err());
}

#[tokio::test]
async fn update_and_delete_rules() {
    let sim = start().await;
    let v1 = register(&sim.ecs, "upd", "img:1").await;
    let v2 = register(&sim.ecs, "upd", "img:2").await;
    let (daemon, dep) = create(&sim.ecs, "default", "upd", &v1, &["mi-canary"]).await;
    wait_successful(&sim.ecs, &dep).await;

    // capacityProviderArns is required on update.
    let err =
        sim.ecs.update_daemon().daemon_arn(&daemon).daemon_task_definition_arn(&v2).send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
    let err = sim
        .ecs
        .update_daemon()
        .daemon_arn(format!("{ACCOUNT_PREFIX}daemon/default/ghost"))
        .daemon_task_definition_arn(&v2)
        .capacity_provider_arns(cp("mi-canary"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "DaemonNotFoundException");

    // Full replacement: `critical` omitted reverts to true.
    let up = sim
        .ecs
        .update_daemon()
        .daemon_arn(&daemon)
        .daemon_task_definition_arn(&v2)
        .capacity_provider_arns(cp("mi-canary"))
        .critical(false)
        .send()
        .await
        .unwrap();
    assert!(up.updated_at.unwrap().secs() >= up.created_at.unwrap().secs());
    wait_successful(&sim.ecs, up.deployment_arn.as_deref().unwrap()).await;
    let up2 = sim
        .ecs
        .update_daemon()
        .daemon_arn(&daemon)
        .daemon_task_definition_arn(&v2)
        .capacity_provider_arns(cp("mi-canary"))
        .send()
        .await
        .unwrap();
    wait_successful(&sim.ecs, up2.deployment_arn.as_deref().unwrap()).await;
    let d = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    let revs = sim
        .ecs
        .describe_daemon_revisions()
        .daemon_revision_arns(d.current_revisions()[0].arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(revs.daemon_revisions()[0].critical(), Some(true));

    // Deployment history, newest first, with status filter and pagination.
    let all = sim.ecs.list_daemon_deployments().daemon_arn(&daemon).send().await.unwrap();
    assert_eq!(all.daemon_deployments().len(), 3);
    assert_eq!(all.daemon_deployments()[0].daemon_deployment_arn(), up2.deployment_arn.as_deref());
    assert_eq!(all.daemon_deployments()[2].daemon_deployment_arn(), Some(dep.as_str()));
    let page = sim.ecs.list_daemon_deployments().daemon_arn(&daemon).max_results(2).send().await.unwrap();
    assert_eq!(page.daemon_deployments().len(), 2);
    let rest = sim
        .ecs
        .list_daemon_deployments()
        .daemon_arn(&daemon)
        .max_results(2)
        .set_next_token(page.next_token.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.daemon_deployments().len(), 1);
    assert!(rest.next_token.is_none());
    let ok = sim
        .ecs
        .list_daemon_deployments()
        .daemon_arn(&daemon)
        .status(DaemonDeploymentStatus::Successful)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.daemon_deployments().len(), 3);
    let none = sim
        .ecs
        .list_daemon_deployments()
        .daemon_arn(&daemon)
        .status(DaemonDeploymentStatus::RollbackFailed)
        .send()
        .await
        .unwrap();
    assert!(none.daemon_deployments().is_empty());
    // createdAt filters: everything is after the epoch, nothing before it.
    let after = sim
        .ecs
        .list_daemon_deployments()
        .daemon_arn(&daemon)
        .created_at(
            aws_sdk_ecs::types::CreatedAt::builder()
                .after(aws_sdk_ecs::primitives::DateTime::from_secs(0))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(after.daemon_deployments().len(), 3);
    let before = sim
        .ecs
        .list_daemon_deployments()
        .daemon_arn(&daemon)
        .created_at(
            aws_sdk_ecs::types::CreatedAt::builder()
                .before(aws_sdk_ecs::primitives::DateTime::from_secs(0))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(before.daemon_deployments().is_empty());
    // Task definitions resolve by full ARN too.
    let by_arn = sim.ecs.describe_daemon_task_definition().daemon_task_definition(&v2).send().await.unwrap();
    assert_eq!(by_arn.daemon_task_definition.unwrap().revision, 2);
    let err = sim.ecs.list_daemon_deployments().send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");

    // Delete: DELETE_IN_PROGRESS, then changes are refused, then it is gone.
    let del = sim.ecs.delete_daemon().daemon_arn(&daemon).send().await.unwrap();
    assert_eq!(del.status, Some(DaemonStatus::DeleteInProgress));
    let err = sim.ecs.delete_daemon().daemon_arn(&daemon).send().await.unwrap_err();
    assert_eq!(error_code(&err), "DaemonNotActiveException");
    let err = sim
        .ecs
        .update_daemon()
        .daemon_arn(&daemon)
        .daemon_task_definition_arn(&v1)
        .capacity_provider_arns(cp("mi-canary"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "DaemonNotActiveException");
    let listed = sim.ecs.list_daemons().send().await.unwrap();
    assert_eq!(listed.daemon_summaries_list()[0].status(), Some(&DaemonStatus::DeleteInProgress));

    sim.advance(30);
    let err = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap_err();
    assert_eq!(error_code(&err), "DaemonNotFoundException");
    assert!(sim.ecs.list_daemons().send().await.unwrap().daemon_summaries_list().is_empty());
    assert!(sim.ecs.list_tasks().daemon_name("upd").send().await.unwrap().task_arns().is_empty());
    let stopped = sim
        .ecs
        .list_tasks()
        .daemon_name("upd")
        .desired_status(aws_sdk_ecs::types::DesiredStatus::Stopped)
        .send()
        .await
        .unwrap();
    assert!(!stopped.task_arns().is_empty());
    let drain = deployment(&sim.ecs, del.deployment_arn.as_deref().unwrap()).await;
    assert_eq!(drain.status, Some(DaemonDeploymentStatus::Successful));
    // The name can be reused.
    create(&sim.ecs, "default", "upd", &v1, &["mi-canary"]).await;
}

#[tokio::test]
async fn list_tags_for_resource_returns_the_tags_given_at_creation() {
    let sim = start().await;
    let td = sim
        .ecs
        .register_daemon_task_definition()
        .family("tagged")
        .container_definitions(
            aws_sdk_ecs::types::DaemonContainerDefinition::builder()
                .name("agent")
                .image("busybox:1")
                .cpu(256)
                .memory(512)
                .build()
                .unwrap(),
        )
        .tags(Tag::builder().key("owner").value("platform").build())
        .send()
        .await
        .unwrap()
        .daemon_task_definition_arn
        .unwrap();
    let out = sim
        .ecs
        .create_daemon()
        .cluster_arn("default")
        .daemon_name("tagged")
        .daemon_task_definition_arn(&td)
        .capacity_provider_arns(cp("mi-general"))
        .tags(Tag::builder().key("team").value("platform").build())
        .tags(Tag::builder().key("cost-center").value("42").build())
        .send()
        .await
        .unwrap();
    let daemon = out.daemon_arn.unwrap();
    let tags = |t: &[Tag]| -> Vec<(String, String)> {
        t.iter().map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string())).collect()
    };
    let got = sim.ecs.list_tags_for_resource().resource_arn(&daemon).send().await.unwrap();
    assert_eq!(
        tags(got.tags()),
        [("team".to_string(), "platform".to_string()), ("cost-center".to_string(), "42".to_string())]
    );
    let got = sim.ecs.list_tags_for_resource().resource_arn(&td).send().await.unwrap();
    assert_eq!(tags(got.tags()), [("owner".to_string(), "platform".to_string())]);

    let err = sim
        .ecs
        .list_tags_for_resource()
        .resource_arn(format!("{ACCOUNT_PREFIX}daemon/default/ghost"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&err), "DaemonNotFoundException");
    let err = sim.ecs.list_tags_for_resource().resource_arn("arn:aws:s3:::bucket").send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
}
