//! The resource guard and the fleet agree (issue 11, "The guard and the fleet agree").
//!
//! - Through the portal, on SQLite and PostgreSQL: reproduction 3 (a second 1 vCPU agent on
//!   `default`) is refused before any ECS call, naming mi-canary's instance and what it lacks,
//!   while the same agent on mi-general alone is accepted and rolls out.
//! - A property test over random fleets: the guard's rule (`app::domain::capacity`) accepts a
//!   deployment exactly when the emulator's state machine runs it without a launch failure for
//!   lack of CPU or memory (`ecs-sim/src/state/capacity.rs`).
use app::domain::capacity::{check_provider, daemons_after, group_instances, InstanceGroup, Size};
use ecs_sim::{
    ops::dispatch,
    state::{DaemonStatus, InstanceStatus, State},
    world::{ClusterSpec, ProviderSpec},
    WorldFile,
};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{Engine, TestApp};

fn deploy_form<'a>(name: &'a str, providers: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    const KEYS: [&str; 2] = ["form[capacity_providers][0]", "form[capacity_providers][1]"];
    let mut f = vec![
        ("form[cluster]", "default"),
        ("form[daemon_name]", name),
        ("form[family]", "agent"),
        ("form[drain_percent]", "25"),
        ("form[bake_time]", "0"),
        ("form[critical]", "on"),
        ("form[propagate_tags]", "NONE"),
    ];
    f.extend(KEYS.iter().copied().zip(providers.iter().copied()));
    f
}

/// Advances the emulator until the daemon's deployment ends; returns its status.
async fn settle(app: &TestApp, name: &str) -> String {
    for _ in 0..300 {
        let (status, d) = app.call("get-daemon", &[("cluster", "default"), ("name", name)]).await;
        assert_eq!(status, 200, "{d}");
        let s = d["deployment"]["status"].as_str().unwrap_or("").to_string();
        if !["", "PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_IN_PROGRESS"].contains(&s.as_str()) {
            return s;
        }
        app.advance(5.0).await;
    }
    panic!("deployment of {name} did not end");
}

/// The EC2 instance id of mi-canary's only instance, read from ECS.
async fn canary_ec2_id(app: &TestApp) -> String {
    let ecs = &app.state.services.gateway.ecs.client;
    let arns = ecs
        .list_container_instances()
        .cluster("default")
        .filter("attribute:ecs.capacity-provider == mi-canary")
        .send()
        .await
        .unwrap()
        .container_instance_arns
        .unwrap_or_default();
    assert_eq!(arns.len(), 1);
    let out =
        ecs.describe_container_instances().cluster("default").container_instances(&arns[0]).send().await;
    out.unwrap().container_instances.unwrap()[0].ec2_instance_id.clone().unwrap()
}

async fn second_agent_is_refused_naming_the_canary(engine: Engine) {
    let app = TestApp::on(engine).manual_clock().await;
    app.register("agent", "example/agent:1", "1", "0.5").await;
    let (status, body) =
        app.call("deploy-daemon", &deploy_form("agent-1", &["mi-general", "mi-canary"])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(settle(&app, "agent-1").await, "SUCCESSFUL");

    // The form's data: mi-canary's instance with what `web` reserves on it.
    let (status, options) = app.call("deploy-options", &[("cluster", "default")]).await;
    assert_eq!(status, 200, "{options}");
    let canary = options["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"]["name"] == "mi-canary")
        .expect("mi-canary offered")
        .clone();
    let groups: Vec<InstanceGroup> = serde_json::from_value(canary["instances"].clone()).unwrap();
    let ec2 = canary_ec2_id(&app).await;
    assert_eq!(
        groups,
        vec![InstanceGroup {
            registered: Size::new(2048, 8192),
            apps: Size::new(512, 1024),
            count: 1,
            examples: vec![ec2.clone()]
        }]
    );

    // Reproduction 3: 1024 (agent-1) + 1024 (agent-2) + 512 (web) > 2048 on mi-canary.
    let (status, body) =
        app.call("deploy-daemon", &deploy_form("agent-2", &["mi-general", "mi-canary"])).await;
    assert_eq!(status, 422, "{body}");
    let msg = body["Invalid"]["capacity_providers"].as_str().unwrap();
    assert!(msg.contains("mi-canary") && msg.contains(&ec2) && msg.contains("512 CPU units short"), "{msg}");
    assert!(!msg.contains("mi-general"), "mi-general has room: {msg}");
    let (_, rows) = app.call("list-daemons", &[("cluster", "default")]).await;
    let names: Vec<&str> = rows.as_array().unwrap().iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, vec!["agent-1"], "nothing was sent to ECS");

    // Where it fits, the guard lets it through and the fleet runs it.
    let (status, body) = app.call("deploy-daemon", &deploy_form("agent-2", &["mi-general"])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(settle(&app, "agent-2").await, "SUCCESSFUL");
}

// ---- The property: guard verdict == emulator outcome -------------------------------------

const T0: i64 = 1_700_000_000_000;
const CLUSTER: &str = "lab";

/// (instances, vCPU, MiB, app services as (CPU units, MiB))
type ProviderShape = (u32, u32, u32, Vec<(u32, u32)>);

#[derive(Clone, Debug)]
struct Fleet {
    providers: Vec<ProviderShape>,
    /// Daemons already running: (CPU units, MiB, provider indexes)
    existing: Vec<(u32, u32, Vec<usize>)>,
}

#[derive(Clone, Debug)]
enum Change {
    Create { cpu: u32, memory: u32, providers: Vec<usize> },
    Update { daemon: usize, cpu: u32, memory: u32, drain: f64 },
}

fn fleet() -> impl Strategy<Value = Fleet> {
    let service = (
        prop::sample::select(vec![128u32, 256, 512, 1024]),
        prop::sample::select(vec![256u32, 512, 1024, 2048]),
    );
    let provider = (
        1..=3u32,
        1..=4u32,
        prop::sample::select(vec![2048u32, 4096, 8192]),
        prop::collection::vec(service, 0..=3),
    );
    let providers = prop::collection::vec(provider, 1..=2);
    providers.prop_flat_map(|providers| {
        let n = providers.len();
        let daemon = (
            prop::sample::select(vec![128u32, 256, 512]),
            prop::sample::select(vec![128u32, 256, 512]),
            prop::collection::vec(0..n, 1..=n),
        );
        prop::collection::vec(daemon, 0..=2)
            .prop_map(move |existing| Fleet { providers: providers.clone(), existing })
    })
}

fn change() -> impl Strategy<Value = Change> {
    let cpu = prop::sample::select(vec![256u32, 512, 1024, 1536, 2048, 3072]);
    let memory = prop::sample::select(vec![256u32, 1024, 2048, 4096, 6144]);
    prop_oneof![
        (cpu.clone(), memory.clone(), prop::collection::vec(0..2usize, 1..=2))
            .prop_map(|(cpu, memory, providers)| Change::Create { cpu, memory, providers }),
        (0..2usize, cpu, memory, prop::sample::select(vec![25.0, 50.0, 100.0]))
            .prop_map(|(daemon, cpu, memory, drain)| Change::Update { daemon, cpu, memory, drain }),
    ]
}

fn provider_name(i: usize) -> String {
    format!("mi-lab-{i}")
}

fn call(st: &mut State, op: &str, body: Value) {
    if let Err(e) = dispatch(st, op, body.to_string().as_bytes()) {
        panic!("{op}: {e}");
    }
}

fn register(st: &mut State, family: &str, cpu: u32, memory: u32) {
    call(
        st,
        "RegisterDaemonTaskDefinition",
        json!({
            "family": family, "cpu": cpu.to_string(), "memory": memory.to_string(),
            "containerDefinitions": [{ "name": "c", "image": "repo/agent:1", "cpu": cpu, "memory": memory }],
        }),
    );
}

/// Runs the clock until no deployment is moving (or a launch failed for lack of resources).
fn run(st: &mut State, stop_on_misfit: bool) {
    for _ in 0..720 {
        if stop_on_misfit && st.resource_misfits > 0 {
            return;
        }
        if st.deployments.values().all(|d| d.status.is_terminal()) {
            return;
        }
        let t = st.now + 10_000;
        st.advance_to(t);
    }
}

fn build(f: &Fleet) -> State {
    let world = WorldFile {
        clusters: vec![ClusterSpec {
            name: CLUSTER.into(),
            tags: vec![],
            capacity_providers: f
                .providers
                .iter()
                .enumerate()
                .map(|(i, (instances, vcpu, memory_mib, services))| ProviderSpec {
                    name: provider_name(i),
                    instances: *instances,
                    vcpu: *vcpu,
                    memory_mib: *memory_mib,
                    services: services
                        .iter()
                        .enumerate()
                        .map(|(j, (cpu, memory))| ecs_sim::state::AppService {
                            name: format!("svc{j}"),
                            image: "app:1".into(),
                            cpu: *cpu,
                            memory: *memory,
                        })
                        .collect(),
                })
                .collect(),
        }],
        alarms: vec![],
    };
    let mut st = world.build(T0).unwrap();
    for (i, (cpu, memory, providers)) in f.existing.iter().enumerate() {
        let family = format!("old{i}");
        register(&mut st, &family, *cpu, *memory);
        let mut cps: Vec<String> = providers.iter().map(|p| provider_name(*p)).collect();
        cps.sort();
        cps.dedup();
        call(
            &mut st,
            "CreateDaemon",
            json!({ "daemonName": format!("d{i}"), "clusterArn": CLUSTER, "daemonTaskDefinitionArn": family, "capacityProviderArns": cps }),
        );
        run(&mut st, false);
    }
    st
}

/// The guard's verdict on `st`, from what the portal reads: each ACTIVE instance's registered
/// size and application tasks, and each daemon's size and providers.
fn guard_accepts(st: &State, name: &str, new: Size, providers: &[String]) -> bool {
    providers.iter().all(|p| {
        let others: Vec<(String, u32, u32)> = st
            .daemons
            .values()
            .filter(|d| d.status == DaemonStatus::Active && d.providers.contains(p))
            .map(|d| {
                let r = &st.revisions[&d.target_revision];
                (d.name.clone(), r.cpu, r.memory)
            })
            .collect();
        let mut ids: Vec<&String> = st.providers[p].instances.iter().collect();
        ids.sort();
        let groups = group_instances(
            ids.into_iter().map(|i| &st.instances[i]).filter(|i| i.status == InstanceStatus::Active).map(
                |i| {
                    let (c, m) = st.app_resources(i);
                    (i.ec2_id.clone(), Size::new(i.cpu, i.memory), Size::new(c, m))
                },
            ),
        );
        let prov = &st.providers[p];
        check_provider(
            p,
            daemons_after(new, name, &others),
            Size::new(prov.vcpu * 1024, prov.memory),
            &groups,
        )
        .is_ok()
    })
}

/// One case: the guard's verdict, then the emulator's outcome; `None` when the fleet was not
/// steady to begin with. Returns whether the guard accepted.
fn guard_matches_emulator(f: &Fleet, c: &Change) -> Result<Option<bool>, TestCaseError> {
    let mut st = build(f);
    // Only steady fleets: every existing daemon runs everywhere it should.
    if st.resource_misfits != 0 {
        return Ok(None);
    }
    let n = f.providers.len();
    let (name, new, providers, op, body) = match c {
        Change::Create { cpu, memory, providers } => {
            let mut cps: Vec<String> = providers.iter().map(|p| provider_name(p % n)).collect();
            cps.sort();
            cps.dedup();
            register(&mut st, "new", *cpu, *memory);
            let body = json!({ "daemonName": "fresh", "clusterArn": CLUSTER, "daemonTaskDefinitionArn": "new", "capacityProviderArns": cps });
            ("fresh".to_string(), Size::new(*cpu, *memory), cps, "CreateDaemon", body)
        }
        Change::Update { daemon, cpu, memory, drain } => {
            if f.existing.is_empty() {
                return Ok(None);
            }
            let i = daemon % f.existing.len();
            let arn = format!("arn:aws:ecs:us-east-1:123456789012:daemon/{CLUSTER}/d{i}");
            let cps = st.daemons[&arn].providers.clone();
            register(&mut st, &format!("old{i}"), *cpu, *memory);
            let body = json!({
                "daemonArn": arn, "daemonTaskDefinitionArn": format!("old{i}"), "capacityProviderArns": cps,
                "deploymentConfiguration": { "drainPercent": drain, "bakeTimeInMinutes": 0 },
            });
            (format!("d{i}"), Size::new(*cpu, *memory), cps, "UpdateDaemon", body)
        }
    };
    let accepted = guard_accepts(&st, &name, new, &providers);
    call(&mut st, op, body);
    run(&mut st, true);
    let failed = st.resource_misfits > 0;
    prop_assert_eq!(
        accepted,
        !failed,
        "guard accepted: {}, emulator misfits: {}",
        accepted,
        st.resource_misfits
    );
    if accepted {
        let statuses: Vec<_> = st.deployments.values().map(|d| d.status).collect();
        prop_assert!(
            statuses.iter().all(|s| *s == ecs_sim::state::DeploymentStatus::Successful),
            "accepted but {:?}",
            statuses
        );
    }
    Ok(Some(accepted))
}

#[test]
fn the_guard_accepts_exactly_what_the_emulator_can_run() {
    use std::cell::Cell;
    let config = ProptestConfig { cases: 128, max_shrink_iters: 100, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let (accepted, refused) = (Cell::new(0), Cell::new(0));
    runner
        .run(&(fleet(), change()), |(f, c)| {
            match guard_matches_emulator(&f, &c)? {
                Some(true) => accepted.set(accepted.get() + 1),
                Some(false) => refused.set(refused.get() + 1),
                None => {}
            }
            Ok(())
        })
        .unwrap();
    eprintln!("accepted {}, refused {}", accepted.get(), refused.get());
    // Both sides of the equivalence must have been exercised, not just one.
    let (a, r) = (accepted.get(), refused.get());
    assert!(a >= 20 && r >= 20, "accepted {a}, refused {r}: the generator no longer covers both");
}

on_both!(second_agent_is_refused_naming_the_canary);
