//! The non-daemon operations the portal uses to show and verify the fleet.

mod common;
use aws_sdk_ecs::types::{CapacityProviderType, ClusterField, ContainerInstanceStatus, DesiredStatus};
use common::*;

#[tokio::test]
async fn list_and_describe_clusters() {
    let sim = start().await;
    let all = sim.ecs.list_clusters().send().await.unwrap();
    assert_eq!(
        all.cluster_arns(),
        [format!("{ACCOUNT_PREFIX}cluster/default"), format!("{ACCOUNT_PREFIX}cluster/prod")]
    );
    let p1 = sim.ecs.list_clusters().max_results(1).send().await.unwrap();
    assert_eq!(p1.cluster_arns().len(), 1);
    let p2 =
        sim.ecs.list_clusters().max_results(1).set_next_token(p1.next_token.clone()).send().await.unwrap();
    assert_eq!(p2.cluster_arns(), [format!("{ACCOUNT_PREFIX}cluster/prod")]);
    assert!(p2.next_token.is_none());

    let d = sim
        .ecs
        .describe_clusters()
        .clusters("prod")
        .clusters(format!("{ACCOUNT_PREFIX}cluster/default"))
        .clusters("ghost")
        .include(ClusterField::Tags)
        .include(ClusterField::Settings)
        .send()
        .await
        .unwrap();
    assert_eq!(d.clusters().len(), 2);
    let prod = &d.clusters()[0];
    assert_eq!(prod.cluster_name(), Some("prod"));
    assert_eq!(prod.status(), Some("ACTIVE"));
    assert_eq!(prod.registered_container_instances_count, 12);
    assert_eq!(prod.running_tasks_count, 36);
    assert_eq!(prod.capacity_providers(), ["mi-prod-a", "mi-prod-b"]);
    assert_eq!(prod.tags()[0].key(), Some("env"));
    assert_eq!(d.failures()[0].reason(), Some("MISSING"));
    assert_eq!(d.failures()[0].arn(), Some(&*format!("{ACCOUNT_PREFIX}cluster/ghost")));

    // No cluster means `default`.
    let d = sim.ecs.describe_clusters().send().await.unwrap();
    assert_eq!(d.clusters()[0].cluster_name(), Some("default"));
    assert_eq!(d.clusters()[0].registered_container_instances_count, 5);
}

#[tokio::test]
async fn describe_capacity_providers() {
    let sim = start().await;
    let d = sim
        .ecs
        .describe_capacity_providers()
        .capacity_providers("mi-general")
        .capacity_providers(cp("mi-prod-b"))
        .capacity_providers("ghost")
        .send()
        .await
        .unwrap();
    assert_eq!(d.capacity_providers().len(), 2);
    let general = &d.capacity_providers()[0];
    assert_eq!(general.r#type(), Some(&CapacityProviderType::ManagedInstances));
    assert_eq!(general.capacity_provider_arn(), Some(cp("mi-general").as_str()));
    assert_eq!(general.cluster(), Some("default"));
    let mip = general.managed_instances_provider().unwrap();
    let req = mip.instance_launch_template().unwrap().instance_requirements().unwrap();
    assert_eq!(req.v_cpu_count().unwrap().min, 4);
    assert_eq!(req.memory_mib().unwrap().min, 16384);
    assert_eq!(d.failures()[0].reason(), Some("MISSING"));

    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page =
            sim.ecs.describe_capacity_providers().max_results(3).set_next_token(token).send().await.unwrap();
        names.extend(page.capacity_providers().iter().map(|c| c.name().unwrap().to_string()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, ["mi-canary", "mi-general", "mi-prod-a", "mi-prod-b"]);
    let prod = sim.ecs.describe_capacity_providers().cluster("prod").send().await.unwrap();
    assert_eq!(prod.capacity_providers().len(), 2);
}

#[tokio::test]
async fn container_instances_paginate_and_describe() {
    let sim = start().await;
    let mut arns = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = sim
            .ecs
            .list_container_instances()
            .cluster("prod")
            .max_results(5)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        arns.extend(page.container_instance_arns().to_vec());
        pages += 1;
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(arns.len(), 12);
    assert_eq!(arns.iter().collect::<std::collections::HashSet<_>>().len(), 12);
    assert!(arns[0].starts_with(&format!("{ACCOUNT_PREFIX}container-instance/prod/")));

    let draining = sim
        .ecs
        .list_container_instances()
        .cluster("prod")
        .status(ContainerInstanceStatus::Draining)
        .send()
        .await
        .unwrap();
    assert!(draining.container_instance_arns().is_empty());
    let filtered = sim
        .ecs
        .list_container_instances()
        .cluster("prod")
        .filter("attribute:ecs.capacity-provider == mi-prod-b")
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.container_instance_arns().len(), 6);

    let d = sim
        .ecs
        .describe_container_instances()
        .cluster("prod")
        .container_instances(&arns[0])
        .container_instances(format!("{ACCOUNT_PREFIX}container-instance/prod/ghost"))
        .include(aws_sdk_ecs::types::ContainerInstanceField::ContainerInstanceHealth)
        .send()
        .await
        .unwrap();
    let ci = &d.container_instances()[0];
    assert_eq!(ci.status(), Some("ACTIVE"));
    assert!(ci.ec2_instance_id().unwrap().starts_with("i-"));
    assert_eq!(ci.running_tasks_count, 3);
    assert!(ci.agent_connected);
    let registered: i32 =
        ci.registered_resources().iter().find(|r| r.name() == Some("CPU")).unwrap().integer_value;
    assert_eq!(registered, 8192);
    assert_eq!(
        ci.health_status().unwrap().overall_status(),
        Some(&aws_sdk_ecs::types::InstanceHealthCheckState::Ok)
    );
    assert_eq!(d.failures()[0].reason(), Some("MISSING"));

    let err = sim.ecs.describe_container_instances().cluster("prod").send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
    let err = sim.ecs.list_container_instances().cluster("ghost").send().await.unwrap_err();
    assert_eq!(error_code(&err), "ClusterNotFoundException");
}

#[tokio::test]
async fn list_and_describe_tasks() {
    let sim = start().await;
    let td = register(&sim.ecs, "lt", "agent:1").await;
    let (_, dep) = create(&sim.ecs, "default", "lt", &td, &["mi-general", "mi-canary"]).await;
    wait_successful(&sim.ecs, &dep).await;

    let all = sim.ecs.list_tasks().send().await.unwrap();
    // 4 general instances × 3 apps + 1 canary × 1 app + 5 daemon tasks.
    assert_eq!(all.task_arns().len(), 18);
    let daemon = sim.ecs.list_tasks().daemon_name("lt").send().await.unwrap();
    assert_eq!(daemon.task_arns().len(), 5);
    let svc = sim.ecs.list_tasks().service_name("web").send().await.unwrap();
    assert_eq!(svc.task_arns().len(), 5);
    let fam = sim.ecs.list_tasks().family("api").send().await.unwrap();
    assert_eq!(fam.task_arns().len(), 4);
    let ci = sim
        .ecs
        .list_container_instances()
        .filter("attribute:ecs.capacity-provider == mi-canary")
        .send()
        .await
        .unwrap();
    let on_canary =
        sim.ecs.list_tasks().container_instance(&ci.container_instance_arns()[0]).send().await.unwrap();
    assert_eq!(on_canary.task_arns().len(), 2);
    let on_canary_daemon = sim
        .ecs
        .list_tasks()
        .container_instance(&ci.container_instance_arns()[0])
        .daemon_name("lt")
        .send()
        .await
        .unwrap();
    assert_eq!(on_canary_daemon.task_arns().len(), 1);
    let stopped = sim.ecs.list_tasks().desired_status(DesiredStatus::Stopped).send().await.unwrap();
    assert!(stopped.task_arns().is_empty());

    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = sim.ecs.list_tasks().max_results(7).set_next_token(token).send().await.unwrap();
        seen.extend(page.task_arns().to_vec());
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, all.task_arns());

    let d = sim.ecs.describe_tasks().tasks(&daemon.task_arns()[0]).tasks("ghost-task").send().await.unwrap();
    let t = &d.tasks()[0];
    assert_eq!(t.launch_type(), Some(&aws_sdk_ecs::types::LaunchType::ManagedInstances));
    assert_eq!(t.desired_status(), Some("RUNNING"));
    assert!(t.started_at().is_some() && t.created_at().is_some());
    assert_eq!(t.containers()[0].name(), Some("agent"));
    assert_eq!(d.failures()[0].reason(), Some("MISSING"));
    let err = sim.ecs.describe_tasks().send().await.unwrap_err();
    assert_eq!(error_code(&err), "InvalidParameterException");
}

#[tokio::test]
async fn empty_world() {
    let sim = start_with(ecs_sim::WorldSpec::Empty, None).await;
    assert!(sim.ecs.list_clusters().send().await.unwrap().cluster_arns().is_empty());
    let d = sim.ecs.describe_clusters().clusters("default").send().await.unwrap();
    assert!(d.clusters().is_empty());
    assert_eq!(d.failures().len(), 1);
    assert!(sim.ecs.describe_capacity_providers().send().await.unwrap().capacity_providers().is_empty());
}

#[tokio::test]
async fn world_file() {
    let dir = std::env::temp_dir().join(format!("ecs-sim-world-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("world.json");
    std::fs::write(
        &path,
        r#"{"clusters":[{"name":"lab","capacityProviders":[{"name":"mi-lab","instances":3,"vcpu":2,"memoryMiB":4096,
            "services":[{"name":"svc","image":"busybox","cpu":128,"memory":256}]}]}],
            "alarms":[{"name":"lab-alarm"}]}"#,
    )
    .unwrap();
    let sim = start_with(ecs_sim::WorldSpec::File(path.clone()), None).await;
    let d = sim.ecs.describe_clusters().clusters("lab").send().await.unwrap();
    assert_eq!(d.clusters()[0].registered_container_instances_count, 3);
    let td = register(&sim.ecs, "lab", "agent:1").await;
    let (_, dep) = create(&sim.ecs, "lab", "lab-daemon", &td, &["mi-lab"]).await;
    wait_successful(&sim.ecs, &dep).await;
    let _ = std::fs::remove_dir_all(&dir);

    let bad = dir.join("missing.json");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = ecs_sim::serve(
        listener,
        ecs_sim::SimOptions { world: ecs_sim::WorldSpec::File(bad), ..Default::default() },
    )
    .await;
    assert!(err.is_err());
}
