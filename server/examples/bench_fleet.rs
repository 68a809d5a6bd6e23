//! Fleet view benchmark for issue 14 (run through `bench/fleet/run.sh`): the `/fleet` page (25
//! families a page) and its `get-fleet` server function with 50 environments × 100 daemon task definition families,
//! every cell filled, from stored inventories (what the page reads; no ECS call while
//! rendering). Server-side time on loopback, p50/p95/p99 over sequential requests. Then one
//! environment's inventory refresh with 200 daemons against the embedded emulator: ECS calls by
//! operation (the emulator's request log) and wall time, cold (revisions and images not yet
//! read) and warm.

#[path = "support/timing.rs"]
mod timing;

use server::{config::Config, startup::Application};
use timing::{sign_in, time_async, time_get};

const ENVIRONMENTS: usize = 50;
const FAMILIES: usize = 100;
/// Requests per measurement. With 50, the p95 is the third-slowest request, and three
/// background stalls in a second of requests decided it; 300 gives a p95 that is one.
const SAMPLES: usize = 300;

#[tokio::main]
async fn main() {
    let mut config = Config::try_parse_from_env_and(["server"]);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.sim_state_file = "memory".into();
    config.inventory_interval_ms = 0;
    config.drift_interval_ms = 0;
    config.sim_manual_clock = true;
    let app = Application::build(config).await.expect("portal builds");
    let base = format!("http://{}", app.address());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let db = state.services.db.pool().clone();

    // 50 environments in 10 accounts and 5 regions, each running all 100 families.
    for e in 0..ENVIRONMENTS {
        let name = format!("bench-{e:02}");
        sqlx::query(
            "INSERT INTO environments (name, account_id, region, source, is_default, position, created_by, created_at) \
             VALUES ($1, $2, $3, 'admin', 0, $4, 'bench', 0)",
        )
        .bind(&name)
        .bind(format!("{:012}", 100_000_000_000u64 + (e % 10) as u64))
        .bind(["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"][e % 5])
        .bind(100 + e as i64)
        .execute(&db)
        .await
        .unwrap();
        let daemons: Vec<serde_json::Value> = (0..FAMILIES)
            .map(|f| {
                let revision = 1 + ((e + f) % 4) as u32;
                serde_json::json!({
                    "cluster": "prod",
                    "name": format!("agent-{f:03}"),
                    "status": "ACTIVE",
                    "revisions": [{ "family": format!("agent-{f:03}"), "revision": revision,
                                    "images": [format!("public.ecr.aws/example/agent-{f:03}:1.{revision}.0")] }],
                    "running": 40,
                    "without_daemon": (f % 7 == 0) as i32,
                    "deployment": "SUCCESSFUL",
                })
            })
            .collect();
        sqlx::query(
            "INSERT INTO environment_inventory (environment, daemons, refreshed_at, attempted_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(&name)
        .bind(serde_json::to_string(&daemons).unwrap())
        .bind(app::services::clock::now_ms())
        .execute(&db)
        .await
        .unwrap();
    }

    let (http, _) = sign_in(&base, "admin").await;
    let page = http.get(format!("{base}/fleet")).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("data-family=\"agent-024\"") && page.contains("Page 1 of 4"),
        "a page of 25 families"
    );
    println!(
        "/fleet, {ENVIRONMENTS} environments × {FAMILIES} families: {:.0} KB of HTML",
        page.len() as f64 / 1000.0
    );
    let page_time = time_get(&http, &format!("{base}/fleet"), SAMPLES).await;
    println!("  GET /fleet (server render, 25 families): {page_time}");
    let last = time_async(SAMPLES, || {
        let http = http.clone();
        let url = format!("{base}/fleet?page=4");
        async move {
            let _ = http.get(url).send().await.unwrap().text().await.unwrap();
        }
    })
    .await;
    println!("  GET /fleet?page=4:                 {last}");
    let fn_time = time_async(SAMPLES, || {
        let http = http.clone();
        let url = format!("{base}/api/get-fleet");
        let origin = base.clone();
        async move {
            let res = http.post(url).header("origin", origin).send().await.unwrap();
            assert!(res.status().is_success());
            let _ = res.bytes().await.unwrap();
        }
    })
    .await;
    println!("  POST /api/get-fleet (JSON):         {fn_time}");
    let search = time_async(SAMPLES, || {
        let http = http.clone();
        let url = format!("{base}/fleet?q=agent-05&group=region");
        async move {
            let _ = http.get(url).send().await.unwrap().text().await.unwrap();
        }
    })
    .await;
    println!("  GET /fleet?q=agent-05&group=region: {search}");

    refresh_with_200_daemons(&state).await;
}

async fn refresh_with_200_daemons(state: &server::state::AppState) {
    use aws_sdk_ecs::types::DaemonContainerDefinition;
    let ecs = &state.services.gateway.ecs.client;
    let sim = state.sim.as_ref().expect("embedded mode").state().clone();
    let providers = ecs.describe_clusters().clusters("default").send().await.unwrap();
    let general = providers.clusters()[0]
        .capacity_providers()
        .iter()
        .find(|p| p.ends_with("mi-general"))
        .cloned()
        .unwrap_or_else(|| "mi-general".into());
    for i in 0..200 {
        let family = format!("refresh-{:03}", i % 20);
        let td = ecs
            .register_daemon_task_definition()
            .family(&family)
            .container_definitions(
                DaemonContainerDefinition::builder()
                    .name("agent")
                    .image(format!("example/{family}:{i}"))
                    .cpu(1)
                    .memory(6)
                    .essential(true)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap()
            .daemon_task_definition_arn
            .unwrap();
        ecs.create_daemon()
            .cluster_arn("default")
            .daemon_name(format!("d-{i:03}"))
            .daemon_task_definition_arn(td)
            .capacity_provider_arns(&general)
            .send()
            .await
            .unwrap();
    }
    sim.advance(3600.0);
    let envs = &state.services.environments;
    let default = envs.get("default").await.unwrap().env;
    for label in ["cold", "warm"] {
        sim.clear_requests();
        let t = std::time::Instant::now();
        envs.refresh_inventory(&default).await.unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let mut by_op: std::collections::BTreeMap<String, usize> = Default::default();
        for r in sim.requests() {
            *by_op.entry(r.operation).or_default() += 1;
        }
        let total: usize = by_op.values().sum();
        println!("inventory refresh, 200 daemons, {label}: {ms:.0} ms, {total} ECS calls: {by_op:?}");
    }
}
