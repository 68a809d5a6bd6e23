//! Property test: random sequences of operations, control actions and time
//! never break the emulator's invariants (one live daemon task per instance
//! per daemon, counts add up, resources never over-committed) and never panic.
//! Drives `ops::dispatch` directly, so it runs in-process and fast.

use ecs_sim::ops::dispatch;
use ecs_sim::state::State;
use ecs_sim::WorldFile;
use proptest::prelude::*;
use serde_json::json;

const NAMES: [&str; 3] = ["alpha", "beta", "gamma"];
const PROVIDERS: [&str; 4] = ["mi-general", "mi-canary", "mi-prod-a", "mi-prod-b"];

#[derive(Debug, Clone)]
enum Op {
    Register {
        family: usize,
        bad_image: bool,
        memory: u32,
    },
    Create {
        name: usize,
        cluster_prod: bool,
        providers: Vec<usize>,
        critical: bool,
        family: usize,
    },
    Update {
        name: usize,
        family: usize,
        providers: Vec<usize>,
        drain: f64,
        bake: u32,
        alarms: bool,
        critical: bool,
    },
    Delete {
        name: usize,
    },
    StopDaemonTask {
        instance: usize,
        name: usize,
    },
    Alarm {
        on: bool,
    },
    Scale {
        provider: usize,
        desired: u32,
    },
    FailImages {
        on: bool,
    },
    Advance {
        seconds: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let providers = proptest::collection::vec(0..4usize, 1..3);
    prop_oneof![
        (0..2usize, any::<bool>(), prop_oneof![Just(256u32), Just(512), Just(40000)])
            .prop_map(|(family, bad_image, memory)| Op::Register { family, bad_image, memory }),
        (0..3usize, any::<bool>(), providers.clone(), any::<bool>(), 0..2usize).prop_map(
            |(name, cluster_prod, providers, critical, family)| Op::Create {
                name,
                cluster_prod,
                providers,
                critical,
                family
            }
        ),
        (
            0..3usize,
            0..2usize,
            providers,
            prop_oneof![Just(0.0), Just(25.0), Just(50.0), Just(100.0)],
            0..3u32,
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(name, family, providers, drain, bake, alarms, critical)| Op::Update {
                name,
                family,
                providers,
                drain,
                bake,
                alarms,
                critical
            }),
        (0..3usize).prop_map(|name| Op::Delete { name }),
        (0..40usize, 0..3usize).prop_map(|(instance, name)| Op::StopDaemonTask { instance, name }),
        any::<bool>().prop_map(|on| Op::Alarm { on }),
        (0..4usize, 0..8u32).prop_map(|(provider, desired)| Op::Scale { provider, desired }),
        any::<bool>().prop_map(|on| Op::FailImages { on }),
        (1..200u32).prop_map(|seconds| Op::Advance { seconds }),
    ]
}

fn cluster_of(provider: usize) -> &'static str {
    if provider >= 2 {
        "prod"
    } else {
        "default"
    }
}

fn apply(st: &mut State, op: &Op) {
    let call = |st: &mut State, name: &str, body: serde_json::Value| {
        // Errors are fine (invalid combinations are generated on purpose);
        // panics are not, and a ServerException would mean a bug.
        if let Err(e) = dispatch(st, name, body.to_string().as_bytes()) {
            assert_ne!(e.kind, "ServerException", "{name}: {e}");
        }
    };
    match op {
        Op::Register { family, bad_image, memory } => {
            let image = if *bad_image { "repo/bad:1" } else { "repo/good:1" };
            call(
                st,
                "RegisterDaemonTaskDefinition",
                json!({
                    "family": format!("fam{family}"),
                    "memory": memory.to_string(),
                    "containerDefinitions": [{ "name": "c", "image": image, "cpu": 128 }],
                }),
            );
        }
        Op::Create { name, cluster_prod, providers, critical, family } => {
            let cluster = if *cluster_prod { "prod" } else { "default" };
            let cps: Vec<&str> = providers.iter().map(|p| PROVIDERS[*p]).collect();
            call(
                st,
                "CreateDaemon",
                json!({
                    "daemonName": NAMES[*name], "clusterArn": cluster,
                    "daemonTaskDefinitionArn": format!("fam{family}"),
                    "capacityProviderArns": cps, "critical": critical,
                }),
            );
        }
        Op::Update { name, family, providers, drain, bake, alarms, critical } => {
            let cps: Vec<&str> = providers.iter().map(|p| PROVIDERS[*p]).collect();
            for cluster in ["default", "prod"] {
                let mut cfg = json!({ "drainPercent": drain, "bakeTimeInMinutes": bake });
                if *alarms {
                    cfg["alarms"] = json!({ "alarmNames": ["daemon-errors"], "enable": true });
                }
                call(
                    st,
                    "UpdateDaemon",
                    json!({
                        "daemonArn": format!("arn:aws:ecs:us-east-1:123456789012:daemon/{cluster}/{}", NAMES[*name]),
                        "daemonTaskDefinitionArn": format!("fam{family}"),
                        "capacityProviderArns": cps, "deploymentConfiguration": cfg, "critical": critical,
                    }),
                );
            }
        }
        Op::Delete { name } => {
            for cluster in ["default", "prod"] {
                call(
                    st,
                    "DeleteDaemon",
                    json!({
                        "daemonArn": format!("arn:aws:ecs:us-east-1:123456789012:daemon/{cluster}/{}", NAMES[*name]),
                    }),
                );
            }
        }
        Op::StopDaemonTask { instance, name } => {
            let mut ids: Vec<String> = st.instances.keys().cloned().collect();
            ids.sort();
            if ids.is_empty() {
                return;
            }
            let inst = &st.instances[&ids[instance % ids.len()]];
            let daemon =
                format!("arn:aws:ecs:us-east-1:123456789012:daemon/{}/{}", inst.cluster, NAMES[*name]);
            if let Some(t) = inst.slot(&daemon).and_then(|s| s.task.clone()) {
                st.crash_daemon_task(&t, "property test");
            }
        }
        Op::Alarm { on } => st.set_alarm("daemon-errors", if *on { "ALARM" } else { "OK" }),
        Op::Scale { provider, desired } => {
            let _ = cluster_of(*provider);
            st.scale_provider(PROVIDERS[*provider], *desired);
        }
        Op::FailImages { on } => {
            st.image_failures.clear();
            if *on {
                st.image_failures.push("*bad*".into());
            }
        }
        Op::Advance { seconds } => {
            // Step through time so invariants are checked along the way.
            for _ in 0..*seconds / 10 {
                let t = st.now + 10_000;
                st.advance_to(t);
                st.check_invariants().unwrap_or_else(|e| panic!("after advancing: {e}"));
            }
            let t = st.now + (*seconds % 10) as i64 * 1000;
            st.advance_to(t);
        }
    }
    // Reads must never fail with a server error either.
    for read in ["ListDaemons", "ListContainerInstances", "ListTasks", "DescribeClusters"] {
        call(st, read, json!({}));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_invariants(ops in proptest::collection::vec(op(), 1..30)) {
        let mut st = WorldFile::default_world().build(1_700_000_000_000).unwrap();
        call_register(&mut st);
        for op in &ops {
            apply(&mut st, op);
            if let Err(e) = st.check_invariants() {
                panic!("after {op:?}: {e}");
            }
        }
        // Given enough time, every deployment settles and daemons still obey the rules.
        st.image_failures.clear();
        st.set_alarm("daemon-errors", "OK");
        for _ in 0..720 {
            let t = st.now + 10_000;
            st.advance_to(t);
        }
        st.check_invariants().map_err(TestCaseError::fail)?;
        // A deployment to providers without instances waits in PENDING, as on AWS.
        let empty = |d: &ecs_sim::state::Deployment| d.providers.iter().all(|p| st.providers[p].instances.is_empty());
        let stuck: Vec<String> = st.deployments.values().filter(|d| !(d.status.is_terminal() || d.status == ecs_sim::state::DeploymentStatus::Pending && empty(d))).map(|d| format!("{} {:?}", d.arn, d.status)).collect();
        prop_assert!(stuck.is_empty(), "deployments still running after 2h: {stuck:?}");
    }
}

fn call_register(st: &mut State) {
    for family in 0..2 {
        dispatch(
            st,
            "RegisterDaemonTaskDefinition",
            json!({
                "family": format!("fam{family}"),
                "containerDefinitions": [{ "name": "c", "image": "repo/good:1", "cpu": 128, "memory": 256 }],
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap();
    }
}
