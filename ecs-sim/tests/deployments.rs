//! Deployment behaviour over time: rolling updates, rollbacks, supersession,
//! auto-repair, ordering, resource accounting. Manual clock throughout.

mod common;
use aws_sdk_ecs::types::{
    ContainerInstanceStatus, DaemonAlarmConfiguration, DaemonDeployment, DaemonDeploymentConfiguration,
    DaemonDeploymentRollbackMonitorsStatus as Monitor, DaemonDeploymentStatus as S, DesiredStatus,
};
use common::*;
use serde_json::json;
use std::collections::HashMap;

fn totals(d: &DaemonDeployment) -> (i32, i32, i32, i32) {
    let t = d.target_daemon_revision().unwrap();
    let src: i32 = d
        .source_daemon_revisions()
        .iter()
        .map(|s| {
            s.total_running_instance_count.unwrap()
                + s.total_without_daemon_instance_count.unwrap()
                + s.total_draining_instance_count.unwrap()
        })
        .sum();
    (
        t.total_running_instance_count.unwrap(),
        t.total_without_daemon_instance_count.unwrap(),
        t.total_draining_instance_count.unwrap(),
        src,
    )
}

async fn instance_count(sim: &Sim, cluster: &str, status: ContainerInstanceStatus) -> usize {
    sim.ecs
        .list_container_instances()
        .cluster(cluster)
        .status(status)
        .send()
        .await
        .unwrap()
        .container_instance_arns()
        .len()
}

async fn update(
    sim: &Sim,
    daemon: &str,
    td: &str,
    providers: &[&str],
    cfg: Option<DaemonDeploymentConfiguration>,
) -> String {
    let mut req = sim
        .ecs
        .update_daemon()
        .daemon_arn(daemon)
        .daemon_task_definition_arn(td)
        .set_deployment_configuration(cfg);
    for p in providers {
        req = req.capacity_provider_arns(cp(p));
    }
    req.send().await.unwrap().deployment_arn.unwrap()
}

/// Advances one second at a time until the deployment reaches a terminal
/// status (or `limit` seconds pass); returns the statuses seen, in order.
async fn run_until_done(sim: &Sim, dep: &str, limit: u32) -> Vec<S> {
    let mut seen = Vec::new();
    for _ in 0..limit {
        let d = deployment(&sim.ecs, dep).await;
        let s = d.status.clone().unwrap();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if matches!(s, S::Successful | S::Stopped | S::RollbackSuccessful | S::RollbackFailed) {
            return seen;
        }
        sim.advance(1);
    }
    panic!("deployment did not finish in {limit}s: {seen:?}");
}

#[tokio::test]
async fn rolling_update_in_batches_with_consistent_counts() {
    let sim = start().await;
    let v1 = register(&sim.ecs, "roll", "agent:1").await;
    let v2 = register(&sim.ecs, "roll", "agent:2").await;
    let (daemon, dep1) = create(&sim.ecs, "prod", "roll", &v1, &["mi-prod-a"]).await;
    wait_successful(&sim.ecs, &dep1).await;
    let old_instances: Vec<String> = sim
        .ecs
        .list_container_instances()
        .cluster("prod")
        .filter("attribute:ecs.capacity-provider == mi-prod-a")
        .send()
        .await
        .unwrap()
        .container_instance_arns()
        .to_vec();
    assert_eq!(old_instances.len(), 6);

    let cfg = DaemonDeploymentConfiguration::builder().drain_percent(25.0).bake_time_in_minutes(1).build();
    let dep = update(&sim, &daemon, &v2, &["mi-prod-a"], Some(cfg)).await;
    let mut statuses = Vec::new();
    let mut max_draining = 0;
    let mut elapsed = 0;
    loop {
        let d = deployment(&sim.ecs, &dep).await;
        let s = d.status.clone().unwrap();
        if statuses.last() != Some(&s) {
            statuses.push(s.clone());
        }
        let (run, without, drain, src) = totals(&d);
        let active = instance_count(&sim, "prod", ContainerInstanceStatus::Active).await;
        let draining = instance_count(&sim, "prod", ContainerInstanceStatus::Draining).await;
        // mi-prod-b's 6 instances are in the cluster too but carry no daemon.
        let counted = (run + without + drain + src) as usize;
        let prod_a_live = active + draining - 6;
        if counted != prod_a_live {
            let (_, snap) = sim.control("GET", "/_sim/state", json!({})).await;
            for i in snap["containerInstances"].as_array().unwrap() {
                eprintln!("{} {} {}", i["capacityProvider"], i["status"], i["daemons"]);
            }
        }
        assert_eq!(
            counted, prod_a_live,
            "at {elapsed}s: counts {run}/{without}/{drain}/{src} active {active} draining {draining}"
        );
        assert_eq!(
            drain as usize + d.source_daemon_revisions()[0].total_draining_instance_count.unwrap() as usize,
            draining
        );
        max_draining = max_draining.max(draining);
        if s == S::Successful {
            assert_eq!((run, without, drain, src), (6, 0, 0, 0));
            break;
        }
        assert!(elapsed < 400, "too slow: {statuses:?}");
        sim.advance(1);
        elapsed += 1;
    }
    assert_eq!(statuses, vec![S::Pending, S::InProgress, S::Successful]);
    assert_eq!(max_draining, 2, "25% of 6 rounds up to batches of 2");
    // Three batches of ~46 s, plus a one-minute bake.
    assert!((150..260).contains(&elapsed), "took {elapsed}s");

    // Every instance was replaced, and only those of mi-prod-a.
    let now: Vec<String> = sim
        .ecs
        .list_container_instances()
        .cluster("prod")
        .send()
        .await
        .unwrap()
        .container_instance_arns()
        .to_vec();
    assert_eq!(now.len(), 12);
    assert!(old_instances.iter().all(|o| !now.contains(o)));
    let d = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(d.current_revisions().len(), 1);
    assert_eq!(d.current_revisions()[0].total_running_count, 6);

    let done = deployment(&sim.ecs, &dep).await;
    assert!(done.started_at.is_some() && done.finished_at.is_some());
    assert_eq!(done.circuit_breaker().unwrap().failure_count, 0);
    assert_eq!(done.source_daemon_revisions().len(), 1);
}

#[tokio::test]
async fn daemons_start_before_apps_and_stop_after_them() {
    let sim = start().await;
    let v1 = register(&sim.ecs, "order", "agent:1").await;
    let v2 = register(&sim.ecs, "order", "agent:2").await;
    let (daemon, dep1) = create(&sim.ecs, "default", "order", &v1, &["mi-general"]).await;
    wait_successful(&sim.ecs, &dep1).await;
    let dep = update(&sim, &daemon, &v2, &["mi-general"], None).await;
    assert_eq!(run_until_done(&sim, &dep, 600).await.last(), Some(&S::Successful));

    let mut by_instance: HashMap<String, Vec<aws_sdk_ecs::types::Task>> = HashMap::new();
    for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
        let mut token = None;
        loop {
            let page = sim
                .ecs
                .list_tasks()
                .desired_status(status.clone())
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            for chunk in page.task_arns().chunks(100) {
                let tasks = sim.ecs.describe_tasks().set_tasks(Some(chunk.to_vec())).send().await.unwrap();
                for t in tasks.tasks() {
                    by_instance
                        .entry(t.container_instance_arn().unwrap().to_string())
                        .or_default()
                        .push(t.clone());
                }
            }
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
    }
    let (mut new_checked, mut old_checked) = (0, 0);
    for tasks in by_instance.values() {
        let daemon_tasks: Vec<_> = tasks.iter().filter(|t| t.group() == Some("daemon:order")).collect();
        let apps: Vec<_> = tasks.iter().filter(|t| t.group().unwrap().starts_with("service:")).collect();
        if daemon_tasks.iter().any(|t| t.task_definition_arn() == Some(v2.as_str())) {
            // A replacement: apps were only created once the daemon ran.
            let daemon_up = daemon_tasks
                .iter()
                .filter_map(|t| t.started_at())
                .map(|t| t.as_secs_f64())
                .fold(0.0, f64::max);
            for a in &apps {
                assert!(a.created_at().unwrap().as_secs_f64() >= daemon_up, "app created before daemon ran");
            }
            new_checked += 1;
        } else if tasks.iter().all(|t| t.last_status() == Some("STOPPED")) {
            // A drained instance: every app stopped before any daemon task.
            let first_daemon_stop = daemon_tasks
                .iter()
                .filter_map(|t| t.stopped_at())
                .map(|t| t.as_secs_f64())
                .fold(f64::MAX, f64::min);
            for a in &apps {
                assert!(
                    a.stopped_at().unwrap().as_secs_f64() <= first_daemon_stop,
                    "daemon stopped before an app"
                );
                assert!(a.stopping_at().is_some());
            }
            old_checked += 1;
        }
    }
    assert_eq!(new_checked, 4);
    assert_eq!(old_checked, 4);
}

async fn two_revisions(sim: &Sim, name: &str, bad_second: bool) -> (String, String, String) {
    let v1 = register(&sim.ecs, name, "good/agent:1").await;
    let v2 = register(&sim.ecs, name, if bad_second { "repo/bad:2" } else { "good/agent:2" }).await;
    let (daemon, dep) = create(&sim.ecs, "prod", name, &v1, &["mi-prod-a"]).await;
    wait_successful(&sim.ecs, &dep).await;
    (daemon, v1, v2)
}

#[tokio::test]
async fn alarm_triggers_rollback() {
    let sim = start().await;
    let (daemon, v1, v2) = two_revisions(&sim, "alarmed", false).await;
    let cfg = DaemonDeploymentConfiguration::builder()
        .alarms(DaemonAlarmConfiguration::builder().alarm_names("daemon-errors").enable(true).build())
        .build();
    let dep = update(&sim, &daemon, &v2, &["mi-prod-a"], Some(cfg)).await;
    sim.advance(60);
    let d = deployment(&sim.ecs, &dep).await;
    assert_eq!(d.status, Some(S::InProgress));
    assert_eq!(d.alarms().unwrap().status(), Some(&Monitor::Monitoring));

    let (status, _) = sim.control("POST", "/_sim/alarms/daemon-errors", json!({ "state": "ALARM" })).await;
    assert_eq!(status, 200);
    let d = deployment(&sim.ecs, &dep).await;
    assert_eq!(d.status, Some(S::StopRequested));
    assert_eq!(d.alarms().unwrap().status(), Some(&Monitor::Triggered));
    assert_eq!(d.alarms().unwrap().triggered_alarm_names(), ["daemon-errors"]);

    let seen = run_until_done(&sim, &dep, 600).await;
    assert_eq!(seen, vec![S::StopRequested, S::RollbackInProgress, S::RollbackSuccessful]);
    let d = deployment(&sim.ecs, &dep).await;
    let rb = d.rollback().unwrap();
    assert!(rb.reason().unwrap().contains("daemon-errors"), "{:?}", rb.reason());
    assert!(rb.started_at().is_some());
    assert_eq!(rb.rollback_capacity_providers(), [cp("mi-prod-a")]);
    // Everything runs the source revision again.
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(detail.current_revisions().len(), 1);
    assert_eq!(detail.current_revisions()[0].total_running_count, 6);
    let tasks = sim.ecs.list_tasks().cluster("prod").daemon_name("alarmed").send().await.unwrap();
    let described = sim
        .ecs
        .describe_tasks()
        .cluster("prod")
        .set_tasks(Some(tasks.task_arns().to_vec()))
        .send()
        .await
        .unwrap();
    assert!(described.tasks().iter().all(|t| t.task_definition_arn() == Some(v1.as_str())));
    assert_eq!(rb.rollback_target_daemon_revision_arn(), detail.current_revisions()[0].arn());
}

#[tokio::test]
async fn alarm_already_in_alarm_is_ignored() {
    let sim = start().await;
    let (daemon, _, v2) = two_revisions(&sim, "ignored", false).await;
    sim.control("POST", "/_sim/alarms/app-5xx", json!({ "state": "ALARM" })).await;
    let cfg = DaemonDeploymentConfiguration::builder()
        .alarms(DaemonAlarmConfiguration::builder().alarm_names("app-5xx").enable(true).build())
        .build();
    let dep = update(&sim, &daemon, &v2, &["mi-prod-a"], Some(cfg)).await;
    assert_eq!(run_until_done(&sim, &dep, 600).await.last(), Some(&S::Successful));
    let d = deployment(&sim.ecs, &dep).await;
    assert_eq!(d.alarms().unwrap().status(), Some(&Monitor::MonitoringComplete));
}

#[tokio::test]
async fn alarm_during_bake_rolls_back() {
    let sim = start().await;
    let (daemon, _, v2) = two_revisions(&sim, "baked", false).await;
    let cfg = DaemonDeploymentConfiguration::builder()
        .bake_time_in_minutes(10)
        .drain_percent(100.0)
        .alarms(DaemonAlarmConfiguration::builder().alarm_names("daemon-errors").enable(true).build())
        .build();
    let dep = update(&sim, &daemon, &v2, &["mi-prod-a"], Some(cfg)).await;
    sim.advance(120);
    let d = deployment(&sim.ecs, &dep).await;
    assert_eq!(d.status, Some(S::InProgress), "baking");
    assert_eq!(totals(&d).0, 6);
    sim.control("POST", "/_sim/alarms/daemon-errors", json!({ "state": "ALARM" })).await;
    let seen = run_until_done(&sim, &dep, 600).await;
    assert_eq!(seen.last(), Some(&S::RollbackSuccessful));
}

#[tokio::test]
async fn circuit_breaker_rolls_back_failed_image() {
    let sim = start().await;
    let (daemon, v1, v2) = two_revisions(&sim, "breaker", true).await;
    let (status, _) = sim.control("POST", "/_sim/images/fail", json!({ "pattern": "*bad*" })).await;
    assert_eq!(status, 200);
    let dep = update(&sim, &daemon, &v2, &["mi-prod-a"], None).await;
    let seen = run_until_done(&sim, &dep, 900).await;
    assert_eq!(
        seen,
        vec![S::Pending, S::InProgress, S::StopRequested, S::RollbackInProgress, S::RollbackSuccessful]
    );
    let d = deployment(&sim.ecs, &dep).await;
    let cb = d.circuit_breaker().unwrap();
    assert_eq!(cb.status(), Some(&Monitor::Triggered));
    assert!(cb.failure_count >= cb.threshold && cb.threshold == 3, "{cb:?}");
    assert!(d.rollback().unwrap().reason().unwrap().contains("Circuit breaker"));

    let tasks = sim.ecs.list_tasks().cluster("prod").daemon_name("breaker").send().await.unwrap();
    assert_eq!(tasks.task_arns().len(), 6);
    let described = sim
        .ecs
        .describe_tasks()
        .cluster("prod")
        .set_tasks(Some(tasks.task_arns().to_vec()))
        .send()
        .await
        .unwrap();
    assert!(described.tasks().iter().all(|t| t.task_definition_arn() == Some(v1.as_str())));

    // The failed launches are visible as stopped tasks with a readable reason.
    let stopped = sim
        .ecs
        .list_tasks()
        .cluster("prod")
        .daemon_name("breaker")
        .desired_status(DesiredStatus::Stopped)
        .send()
        .await
        .unwrap();
    let described = sim
        .ecs
        .describe_tasks()
        .cluster("prod")
        .set_tasks(Some(stopped.task_arns().to_vec()))
        .send()
        .await
        .unwrap();
    assert!(described.tasks().iter().any(|t| t
        .stopped_reason()
        .unwrap_or_default()
        .contains("CannotPullContainerError")
        && t.stop_code().is_some()));
    sim.invariants();
}

#[tokio::test]
async fn first_deployment_that_cannot_start_stops() {
    let sim = start().await;
    sim.control("POST", "/_sim/images/fail", json!({ "pattern": "broken:1" })).await;
    let td = register(&sim.ecs, "broken", "broken:1").await;
    let (daemon, dep) = create(&sim.ecs, "default", "broken", &td, &["mi-general"]).await;
    let seen = run_until_done(&sim, &dep, 600).await;
    assert_eq!(seen.last(), Some(&S::Stopped));
    let d = deployment(&sim.ecs, &dep).await;
    assert!(d.status_reason().unwrap().contains("Circuit breaker"));
    // The daemon's instances are counted as without daemon.
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(detail.current_revisions()[0].total_without_daemon_count, 4);
    assert_eq!(detail.current_revisions()[0].total_running_count, 0);

    use aws_sdk_ecs::client::Waiters;
    let waited = sim
        .ecs
        .wait_until_daemon_deployment_successful()
        .daemon_deployment_arns(&dep)
        .wait(std::time::Duration::from_secs(600))
        .await;
    assert!(waited.is_err(), "STOPPED is a failure state for the waiter");
}

#[tokio::test]
async fn daemon_that_does_not_fit_fails_with_a_readable_reason() {
    let sim = start().await;
    // mi-canary instances have 8192 MiB.
    let td = register_sized(&sim.ecs, "huge", "agent:1", 256, 20000).await;
    let (_, dep) = create(&sim.ecs, "default", "huge", &td, &["mi-canary"]).await;
    let seen = run_until_done(&sim, &dep, 600).await;
    assert_eq!(seen.last(), Some(&S::Stopped));
    let arns = sim
        .ecs
        .list_container_instances()
        .filter("attribute:ecs.capacity-provider == mi-canary")
        .send()
        .await
        .unwrap();
    let ci = sim
        .ecs
        .describe_container_instances()
        .set_container_instances(Some(arns.container_instance_arns().to_vec()))
        .include(aws_sdk_ecs::types::ContainerInstanceField::ContainerInstanceHealth)
        .send()
        .await
        .unwrap();
    let h = ci.container_instances()[0].health_status().unwrap();
    let reason = h.details().iter().filter_map(|d| d.status_reason()).find(|r| r.contains("huge")).unwrap();
    assert!(reason.contains("RESOURCE:MEMORY") && reason.contains("20000 MiB"), "{reason}");
    assert_eq!(h.overall_status(), Some(&aws_sdk_ecs::types::InstanceHealthCheckState::Impaired));

    // Reserved resources show up in remainingResources for a daemon that fits.
    let small = register_sized(&sim.ecs, "small", "agent:1", 1024, 4096).await;
    let (_, dep) = create(&sim.ecs, "default", "small", &small, &["mi-canary"]).await;
    assert_eq!(run_until_done(&sim, &dep, 600).await.last(), Some(&S::Successful));
    let ci = sim
        .ecs
        .describe_container_instances()
        .set_container_instances(Some(arns.container_instance_arns().to_vec()))
        .send()
        .await
        .unwrap();
    let remaining: HashMap<&str, i32> = ci.container_instances()[0]
        .remaining_resources()
        .iter()
        .map(|r| (r.name().unwrap(), r.integer_value))
        .collect();
    // 2 vCPU / 8192 MiB minus the web app (512/1024) and the daemon (1024/4096).
    assert_eq!(remaining["CPU"], 2048 - 512 - 1024);
    assert_eq!(remaining["MEMORY"], 8192 - 1024 - 4096);
}

#[tokio::test]
async fn newer_deployment_supersedes_older() {
    let sim = start().await;
    let (daemon, _, v2) = two_revisions(&sim, "super", false).await;
    let v3 = register(&sim.ecs, "super", "good/agent:3").await;
    let first = update(&sim, &daemon, &v2, &["mi-prod-a"], None).await;
    sim.advance(40);
    let second = update(&sim, &daemon, &v3, &["mi-prod-a"], None).await;
    let d = deployment(&sim.ecs, &first).await;
    assert_eq!(d.status, Some(S::Stopped));
    assert!(d.status_reason().unwrap().contains("Superseded"));
    {
        use aws_sdk_ecs::client::Waiters;
        sim.ecs
            .wait_until_daemon_deployment_stopped()
            .daemon_deployment_arns(&first)
            .wait(std::time::Duration::from_secs(60))
            .await
            .expect("the stopped waiter sees STOPPED");
    }
    assert!(d.stopped_at.is_some());
    assert_eq!(run_until_done(&sim, &second, 900).await.last(), Some(&S::Successful));
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(detail.current_revisions().len(), 1);
    assert_eq!(detail.current_revisions()[0].total_running_count, 6);
    let tasks = sim.ecs.list_tasks().cluster("prod").daemon_name("super").send().await.unwrap();
    let described = sim
        .ecs
        .describe_tasks()
        .cluster("prod")
        .set_tasks(Some(tasks.task_arns().to_vec()))
        .send()
        .await
        .unwrap();
    assert!(described.tasks().iter().all(|t| t.task_definition_arn() == Some(v3.as_str())));
    assert_eq!(instance_count(&sim, "prod", ContainerInstanceStatus::Active).await, 12);
}

#[tokio::test]
async fn critical_daemon_stop_replaces_the_instance() {
    let sim = start().await;
    let td = register(&sim.ecs, "crit", "agent:1").await;
    let (daemon, dep) = create(&sim.ecs, "default", "crit", &td, &["mi-general"]).await;
    wait_successful(&sim.ecs, &dep).await;
    let victim = sim
        .ecs
        .list_container_instances()
        .filter("attribute:ecs.capacity-provider == mi-general")
        .send()
        .await
        .unwrap()
        .container_instance_arns()[0]
        .clone();
    let (status, _) = sim
        .control(
            "POST",
            "/_sim/tasks/stop",
            json!({ "cluster": "default", "containerInstance": victim, "daemonName": "crit" }),
        )
        .await;
    assert_eq!(status, 200);
    let ci = sim.ecs.describe_container_instances().container_instances(&victim).send().await.unwrap();
    assert_eq!(ci.container_instances()[0].status(), Some("DRAINING"));
    assert_eq!(instance_count(&sim, "default", ContainerInstanceStatus::Registering).await, 1);
    sim.advance(60);
    let ci = sim.ecs.describe_container_instances().container_instances(&victim).send().await.unwrap();
    assert_eq!(ci.failures()[0].reason(), Some("MISSING"), "the repaired instance is gone");
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(detail.current_revisions()[0].total_running_count, 4);
    assert_eq!(instance_count(&sim, "default", ContainerInstanceStatus::Active).await, 5);
}

#[tokio::test]
async fn non_critical_daemon_stop_leaves_instance_without_daemon() {
    let sim = start().await;
    let td = register(&sim.ecs, "soft", "agent:1").await;
    let out = sim
        .ecs
        .create_daemon()
        .daemon_name("soft")
        .daemon_task_definition_arn(&td)
        .capacity_provider_arns(cp("mi-general"))
        .critical(false)
        .send()
        .await
        .unwrap();
    wait_successful(&sim.ecs, out.deployment_arn.as_deref().unwrap()).await;
    let tasks = sim.ecs.list_tasks().daemon_name("soft").send().await.unwrap();
    let (status, _) =
        sim.control("POST", "/_sim/tasks/stop", json!({ "taskArn": tasks.task_arns()[0] })).await;
    assert_eq!(status, 200);
    sim.advance(60);
    let detail =
        sim.ecs.describe_daemon().daemon_arn(out.daemon_arn.unwrap()).send().await.unwrap().daemon.unwrap();
    let rev = &detail.current_revisions()[0];
    assert_eq!((rev.total_running_count, rev.total_without_daemon_count), (3, 1));
    assert_eq!(instance_count(&sim, "default", ContainerInstanceStatus::Active).await, 5);
    assert_eq!(instance_count(&sim, "default", ContainerInstanceStatus::Draining).await, 0);
}

#[tokio::test]
async fn scaling_out_starts_daemons_on_new_instances() {
    let sim = start().await;
    let td = register(&sim.ecs, "scale", "agent:1").await;
    let (daemon, dep) = create(&sim.ecs, "default", "scale", &td, &["mi-general"]).await;
    wait_successful(&sim.ecs, &dep).await;
    let (status, _) =
        sim.control("POST", "/_sim/providers/default/mi-general/scale", json!({ "desired": 6 })).await;
    assert_eq!(status, 200);
    sim.advance(45);
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(detail.current_revisions()[0].total_running_count, 6);
    sim.control("POST", "/_sim/providers/default/mi-general/scale", json!({ "desired": 2 })).await;
    sim.advance(30);
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(detail.current_revisions()[0].total_running_count, 2);
    let (status, _) =
        sim.control("POST", "/_sim/providers/default/nope/scale", json!({ "desired": 2 })).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn update_can_move_a_daemon_between_providers() {
    let sim = start().await;
    let v1 = register(&sim.ecs, "move", "agent:1").await;
    let (daemon, dep) = create(&sim.ecs, "prod", "move", &v1, &["mi-prod-a"]).await;
    wait_successful(&sim.ecs, &dep).await;
    let dep = update(&sim, &daemon, &v1, &["mi-prod-b"], None).await;
    assert_eq!(run_until_done(&sim, &dep, 900).await.last(), Some(&S::Successful));
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    let rev = &detail.current_revisions()[0];
    assert_eq!(rev.total_running_count, 6);
    assert_eq!(rev.capacity_providers().len(), 1);
    assert_eq!(rev.capacity_providers()[0].arn(), Some(cp("mi-prod-b").as_str()));
}

#[tokio::test]
async fn rollback_that_also_fails_ends_rollback_failed() {
    let sim = start().await;
    let (daemon, _, v2) = two_revisions(&sim, "doomed", true).await;
    // Every image fails from now on, so restoring the source revision fails too.
    sim.control("POST", "/_sim/images/fail", json!({ "pattern": "*" })).await;
    let dep = update(&sim, &daemon, &v2, &["mi-prod-a"], None).await;
    let seen = run_until_done(&sim, &dep, 1800).await;
    assert_eq!(seen.last(), Some(&S::RollbackFailed), "{seen:?}");
    assert!(seen.contains(&S::RollbackInProgress));
    let d = deployment(&sim.ecs, &dep).await;
    assert!(d.status_reason().unwrap().contains("Rollback failed"));
    assert!(d.finished_at.is_some());
    // Fixing the images lets the blocked replacements come up.
    sim.control("DELETE", "/_sim/images/fail", json!({})).await;
    sim.advance(120);
    let detail = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    let total: i32 = detail.current_revisions().iter().map(|r| r.total_running_count).sum();
    assert!(total >= 4, "{detail:?}");
}
