//! Unit tests of the state machine, without HTTP.

use super::daemons::RevisionSpec;
use super::*;
use crate::world::WorldFile;

const T0: Ms = 1_700_000_000_000;

fn world() -> State {
    WorldFile::default_world().build(T0).unwrap()
}

fn td(st: &mut State, family: &str, image: &str, memory: u32) -> String {
    st.register_task_definition(TaskDefinition {
        family: family.into(),
        revision: 0,
        status: String::new(),
        registered_at: 0,
        delete_requested_at: None,
        task_role_arn: None,
        execution_role_arn: None,
        container_definitions: vec![],
        volumes: None,
        cpu: None,
        memory: None,
        pid_mode: None,
        ipc_mode: None,
        tags: vec![],
        cpu_units: 128,
        memory_mib: memory,
        images: vec![("c".into(), image.into())],
    })
}

fn spec(td: &str, critical: bool) -> RevisionSpec {
    RevisionSpec {
        task_definition_arn: td.into(),
        propagate_tags: "NONE".into(),
        managed_tags: false,
        exec: false,
        critical,
    }
}

fn run(st: &mut State, secs: i64) {
    for _ in 0..secs {
        let t = st.now + 1000;
        st.advance_to(t);
        st.check_invariants().unwrap();
    }
}

fn status(st: &State, dep: &str) -> DeploymentStatus {
    st.deployments[dep].status
}

#[test]
fn create_launches_in_place_then_succeeds() {
    let mut st = world();
    let v1 = td(&mut st, "a", "img:1", 256);
    let (d, dep) = st.create_daemon(
        "default",
        "a",
        &spec(&v1, true),
        vec!["mi-general".into()],
        DeployConfig::default(),
        vec![],
    );
    assert_eq!(status(&st, &dep), DeploymentStatus::Pending);
    run(&mut st, 1);
    assert_eq!(status(&st, &dep), DeploymentStatus::InProgress);
    let counts = st.daemon_counts(&d, &["mi-general".into()]);
    let c = counts[&st.daemons[&d].target_revision]["mi-general"];
    assert_eq!((c.running, c.without), (0, 4), "pending tasks count as without daemon");
    run(&mut st, 10);
    assert_eq!(status(&st, &dep), DeploymentStatus::Successful);
    let counts = st.daemon_counts(&d, &["mi-general".into()]);
    assert_eq!(counts.values().next().unwrap()["mi-general"].running, 4);
}

#[test]
fn rolling_batches_follow_drain_percent() {
    for (pct, expected) in [(25.0, 2), (50.0, 3), (100.0, 6), (0.0, 1), (10.0, 1)] {
        let mut st = world();
        let v1 = td(&mut st, "r", "img:1", 256);
        let v2 = td(&mut st, "r", "img:2", 256);
        let (d, dep) = st.create_daemon(
            "prod",
            "r",
            &spec(&v1, true),
            vec!["mi-prod-a".into()],
            DeployConfig::default(),
            vec![],
        );
        run(&mut st, 20);
        assert_eq!(status(&st, &dep), DeploymentStatus::Successful);
        let cfg = DeployConfig { drain_percent: pct, ..DeployConfig::default() };
        let dep = st.update_daemon(&d, &spec(&v2, true), vec!["mi-prod-a".into()], cfg).unwrap();
        let mut max_draining = 0;
        for _ in 0..1200 {
            run(&mut st, 1);
            let draining = st.instances.values().filter(|i| i.status == InstanceStatus::Draining).count();
            max_draining = max_draining.max(draining);
            if status(&st, &dep).is_terminal() {
                break;
            }
        }
        assert_eq!(status(&st, &dep), DeploymentStatus::Successful, "pct {pct}");
        assert_eq!(max_draining, expected, "pct {pct}");
    }
}

#[test]
fn drain_stops_apps_before_daemons() {
    let mut st = world();
    let v1 = td(&mut st, "o", "img:1", 256);
    st.create_daemon(
        "default",
        "o",
        &spec(&v1, true),
        vec!["mi-canary".into()],
        DeployConfig::default(),
        vec![],
    );
    run(&mut st, 20);
    let id = st.providers["mi-canary"].instances.iter().next().unwrap().clone();
    let apps = st.instances[&id].app_tasks.clone();
    let daemon_task = st.instances[&id].slots[0].task.clone().unwrap();
    st.start_drain(&id, "test", false);
    run(&mut st, 5);
    assert!(apps.iter().all(|t| st.tasks[t].last_status == "STOPPED"));
    assert_eq!(st.tasks[&daemon_task].last_status, "RUNNING", "daemon outlives the apps");
    run(&mut st, 10);
    assert_eq!(st.tasks[&daemon_task].last_status, "STOPPED");
    assert!(!st.instances.contains_key(&id), "deregistered");
}

#[test]
fn new_instance_runs_daemons_before_apps() {
    let mut st = world();
    let v1 = td(&mut st, "n", "img:1", 256);
    st.create_daemon(
        "default",
        "n",
        &spec(&v1, true),
        vec!["mi-canary".into()],
        DeployConfig::default(),
        vec![],
    );
    run(&mut st, 20);
    st.scale_provider("mi-canary", 2);
    let new = st.providers["mi-canary"]
        .instances
        .iter()
        .find(|i| st.instances[*i].status == InstanceStatus::Registering)
        .unwrap()
        .clone();
    run(&mut st, 31);
    assert_eq!(st.instances[&new].status, InstanceStatus::Registering);
    assert!(st.instances[&new].app_tasks.is_empty(), "no apps while the daemon starts");
    run(&mut st, 5);
    assert_eq!(st.instances[&new].status, InstanceStatus::Active);
    assert_eq!(st.instances[&new].app_tasks.len(), 1);
}

#[test]
fn breaker_threshold_and_rollback() {
    let mut st = world();
    let v1 = td(&mut st, "b", "img:1", 256);
    let v2 = td(&mut st, "b", "bad:2", 256);
    let (d, _) = st.create_daemon(
        "prod",
        "b",
        &spec(&v1, true),
        vec!["mi-prod-a".into(), "mi-prod-b".into()],
        DeployConfig::default(),
        vec![],
    );
    run(&mut st, 20);
    st.image_failures.push("bad:*".into());
    let dep = st
        .update_daemon(
            &d,
            &spec(&v2, true),
            vec!["mi-prod-a".into(), "mi-prod-b".into()],
            DeployConfig::default(),
        )
        .unwrap();
    assert_eq!(st.deployments[&dep].threshold, 6, "half of 12 instances");
    for _ in 0..1500 {
        run(&mut st, 1);
        if status(&st, &dep).is_terminal() {
            break;
        }
    }
    let dep = &st.deployments[&dep];
    assert_eq!(dep.status, DeploymentStatus::RollbackSuccessful);
    assert!(dep.failure_count >= 6);
    assert_eq!(dep.rollback.as_ref().unwrap().target.as_deref(), Some(dep.sources[0].as_str()));
    assert_eq!(st.daemons[&d].target_revision, dep.sources[0]);
}

#[test]
fn misfit_reports_resources() {
    let mut st = world();
    let big = td(&mut st, "big", "img:1", 999_999);
    let (d, _) = st.create_daemon(
        "default",
        "big",
        &spec(&big, false),
        vec!["mi-canary".into()],
        DeployConfig::default(),
        vec![],
    );
    run(&mut st, 2);
    let inst = st.providers["mi-canary"].instances.iter().next().unwrap();
    let slot = st.instances[inst].slot(&d).unwrap();
    assert_eq!(slot.state, SlotState::Failed);
    assert!(slot.reason.as_ref().unwrap().starts_with("RESOURCE:MEMORY"));
    assert!(slot.task.is_none(), "no task is placed when it cannot fit");
}

#[test]
fn state_round_trips_through_json() {
    let mut st = world();
    let v1 = td(&mut st, "p", "img:1", 256);
    st.create_daemon(
        "default",
        "p",
        &spec(&v1, true),
        vec!["mi-general".into()],
        DeployConfig::default(),
        vec![],
    );
    run(&mut st, 3);
    let json = serde_json::to_string(&st).unwrap();
    let mut back: State = serde_json::from_str(&json).unwrap();
    back.rebuild_counts();
    assert_eq!(back.counts, st.counts);
    assert_eq!(back.timers.len(), st.timers.len());
    run(&mut back, 30);
    assert!(back.deployments.values().all(|d| d.status == DeploymentStatus::Successful));
}

#[test]
fn two_daemons_on_one_provider() {
    let mut st = world();
    let v1 = td(&mut st, "f", "img:1", 256);
    let (_, d1) = st.create_daemon(
        "prod",
        "beta",
        &spec(&v1, false),
        vec!["mi-prod-a".into()],
        DeployConfig::default(),
        vec![],
    );
    let (_, d2) = st.create_daemon(
        "prod",
        "alpha",
        &spec(&v1, false),
        vec!["mi-prod-a".into()],
        DeployConfig::default(),
        vec![],
    );
    run(&mut st, 30);
    for i in st.providers["mi-prod-a"].instances.iter() {
        let inst = &st.instances[i];
        let names: Vec<_> =
            inst.slots.iter().map(|s| (s.daemon.rsplit('/').next().unwrap().to_string(), s.state)).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
    assert_eq!(status(&st, &d1), DeploymentStatus::Successful);
    assert_eq!(status(&st, &d2), DeploymentStatus::Successful);
}

/// A definition reserving `cpu` units and `memory` MiB.
fn sized(st: &mut State, family: &str, cpu: u32, memory: u32) -> String {
    let arn = td(st, family, "img:1", memory);
    let rev: u32 = arn.rsplit(':').next().unwrap().parse().unwrap();
    st.task_definition_mut(family, rev).unwrap().cpu_units = cpu;
    arn
}

fn canary(st: &State) -> String {
    st.providers["mi-canary"].instances.iter().next().unwrap().clone()
}

#[test]
fn a_second_agent_does_not_fit_next_to_the_canary_app_task() {
    // Issue 11, reproduction 3: mi-canary has 2 vCPU and runs `web` (512 units); one 1 vCPU
    // agent fits (1024 + 512), a second does not (2048 + 512 > 2048).
    let mut st = world();
    let agent = sized(&mut st, "agent", 1024, 512);
    let (_, first) = st.create_daemon(
        "default",
        "a1",
        &spec(&agent, true),
        vec!["mi-canary".into()],
        DeployConfig::default(),
        vec![],
    );
    run(&mut st, 10);
    assert_eq!(status(&st, &first), DeploymentStatus::Successful);
    assert_eq!(st.resource_misfits, 0);
    let (d2, second) = st.create_daemon(
        "default",
        "a2",
        &spec(&agent, true),
        vec!["mi-canary".into()],
        DeployConfig::default(),
        vec![],
    );
    run(&mut st, 2);
    let inst = canary(&st);
    let reason = st.instances[&inst].slot(&d2).unwrap().reason.clone().unwrap();
    assert!(reason.starts_with("RESOURCE:CPU") && reason.contains("has 512 available"), "{reason}");
    assert!(st.resource_misfits > 0);
    run(&mut st, 60);
    assert_ne!(status(&st, &second), DeploymentStatus::Successful);
}

#[test]
fn a_replacement_holds_room_for_the_app_tasks_it_takes_over() {
    // Updating in place of the canary: the replacement starts daemons first, but must keep
    // room for `web` (512 units, 1024 MiB) that it takes over from the drained instance.
    for (cpu, fits) in [(1536, true), (1537, false)] {
        let mut st = world();
        let v1 = sized(&mut st, "agent", 1024, 512);
        let (d, first) = st.create_daemon(
            "default",
            "a",
            &spec(&v1, true),
            vec!["mi-canary".into()],
            DeployConfig::default(),
            vec![],
        );
        run(&mut st, 10);
        assert_eq!(status(&st, &first), DeploymentStatus::Successful);
        let v2 = sized(&mut st, "agent", cpu, 512);
        let dep = st
            .update_daemon(&d, &spec(&v2, true), vec!["mi-canary".into()], DeployConfig::default())
            .unwrap();
        run(&mut st, 120);
        assert_eq!(st.resource_misfits == 0, fits, "cpu {cpu}: {} misfits", st.resource_misfits);
        assert_eq!(status(&st, &dep) == DeploymentStatus::Successful, fits, "cpu {cpu}");
    }
}
