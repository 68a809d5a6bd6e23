//! A 10,000-instance, 50-daemon world: DescribeDaemon / ListContainerInstances
//! latency over HTTP and in-process, and the CPU time of a full rolling update.
//!
//! cargo run --release -p ecs-sim --example large_world [instances] [daemons]

use aws_sdk_ecs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_ecs::types::{DaemonContainerDefinition, DaemonDeploymentConfiguration, DaemonDeploymentStatus};
use aws_sdk_ecs::Client;
use ecs_sim::{SimOptions, WorldFile, WorldSpec};
use std::time::Instant;

const PROVIDERS: u32 = 20;

/// Process CPU time (user + system), seconds, from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the comm field.
    (ticks(11) + ticks(12)) / 100.0
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
}

fn cp(i: u32) -> String {
    format!("arn:aws:ecs:us-east-1:123456789012:capacity-provider/mi-big-{i:03}")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let instances: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let daemons: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let world = std::env::temp_dir().join(format!("ecs-sim-large-{}.json", std::process::id()));
    std::fs::write(&world, serde_json::to_string(&WorldFile::large(instances, PROVIDERS)).unwrap()).unwrap();

    let t = Instant::now();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let opts =
        SimOptions { world: WorldSpec::File(world.clone()), manual_clock: true, ..SimOptions::default() };
    let sim = ecs_sim::serve(listener, opts).await.unwrap();
    println!(
        "world: {instances} instances in {PROVIDERS} providers, built in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_file(&world);

    let conf = aws_sdk_ecs::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "bench"))
        .endpoint_url(sim.endpoint())
        .build();
    let ecs = Client::from_conf(conf);

    // Daemon 0 runs fleet-wide; the others on 2 providers each.
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    let mut deployments = Vec::new();
    for d in 0..daemons {
        for rev in 1..=2 {
            ecs.register_daemon_task_definition()
                .family(format!("d{d}"))
                .container_definitions(
                    DaemonContainerDefinition::builder()
                        .name("agent")
                        .image(format!("agent-{d}:{rev}"))
                        .cpu(64)
                        .memory(128)
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
        }
        let providers: Vec<String> = if d == 0 {
            (0..PROVIDERS).map(cp).collect()
        } else {
            vec![cp(d % PROVIDERS), cp((d * 7 + 3) % PROVIDERS)]
        };
        let out = ecs
            .create_daemon()
            .cluster_arn("big")
            .daemon_name(format!("daemon-{d}"))
            .daemon_task_definition_arn(format!("d{d}:1"))
            .set_capacity_provider_arns(Some(providers))
            .send()
            .await
            .unwrap();
        deployments.push(out.deployment_arn.unwrap());
    }
    sim.state().advance(30.0);
    let tasks = sim.state().with_state(|st| st.tasks.len());
    println!(
        "created {daemons} daemons ({tasks} tasks) in {:.2}s wall, {:.2}s CPU",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - cpu0
    );
    let fleet = "arn:aws:ecs:us-east-1:123456789012:daemon/big/daemon-0".to_string();

    // DescribeDaemon of the fleet-wide daemon.
    let mut http = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let d = ecs.describe_daemon().daemon_arn(&fleet).send().await.unwrap();
        http.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(d.daemon.unwrap().current_revisions()[0].total_running_count, instances as i32);
    }
    let body = format!("{{\"daemonArn\":\"{fleet}\"}}");
    let mut inproc = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        sim.state().call("DescribeDaemon", body.as_bytes()).unwrap();
        inproc.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "DescribeDaemon (fleet-wide, {instances} instances): HTTP p50 {:.2} ms p99 {:.2} ms; in-process p50 {:.3} ms p99 {:.3} ms",
        pct(&mut http, 0.5),
        pct(&mut http, 0.99),
        pct(&mut inproc, 0.5),
        pct(&mut inproc, 0.99)
    );

    // ListContainerInstances: walk every page of 100.
    let mut http = Vec::new();
    let mut token = None;
    let mut seen = 0;
    loop {
        let t = Instant::now();
        let page = ecs
            .list_container_instances()
            .cluster("big")
            .max_results(100)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        http.push(t.elapsed().as_secs_f64() * 1000.0);
        seen += page.container_instance_arns().len();
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    println!(
        "ListContainerInstances ({seen} instances, {} pages of 100): HTTP p50 {:.2} ms p99 {:.2} ms max {:.2} ms",
        http.len(),
        pct(&mut http, 0.5),
        pct(&mut http, 0.99),
        pct(&mut http, 1.0)
    );

    // DescribeDaemonDeployments of the fleet-wide deployment.
    let mut http = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        ecs.describe_daemon_deployments().daemon_deployment_arns(&deployments[0]).send().await.unwrap();
        http.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "DescribeDaemonDeployments (fleet-wide): HTTP p50 {:.2} ms p99 {:.2} ms",
        pct(&mut http, 0.5),
        pct(&mut http, 0.99)
    );

    // A full rolling update of the fleet-wide daemon, 25% at a time.
    let dep = ecs
        .update_daemon()
        .daemon_arn(&fleet)
        .daemon_task_definition_arn("d0:2")
        .set_capacity_provider_arns(Some((0..PROVIDERS).map(cp).collect()))
        .deployment_configuration(DaemonDeploymentConfiguration::builder().drain_percent(25.0).build())
        .send()
        .await
        .unwrap()
        .deployment_arn
        .unwrap();
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let sim_start = sim.state().now();
    let mut polls = 0;
    loop {
        sim.state().advance(1.0);
        polls += 1;
        if polls % 10 == 0 {
            let d = ecs.describe_daemon_deployments().daemon_deployment_arns(&dep).send().await.unwrap();
            let s = d.daemon_deployments()[0].status().cloned();
            if s == Some(DaemonDeploymentStatus::Successful) {
                break;
            }
            assert!(polls < 5000, "update did not finish: {s:?}");
        }
    }
    let tasks = sim.state().with_state(|st| st.tasks.len());
    println!(
        "rolling update of {instances} instances (25% batches): {:.0} simulated s, {:.2}s wall, {:.2}s CPU; {tasks} tasks tracked after",
        sim.state().now() - sim_start,
        t0.elapsed().as_secs_f64(),
        cpu_seconds() - cpu0
    );
    let ok = sim.state().with_state(|st| st.check_invariants());
    println!("invariants after the update: {ok:?}");
    sim.shutdown().await;
}
