//! Requests per second of read operations against any ECS endpoint (ecs-sim
//! or moto's server), with the same `aws-sdk-ecs` client for both.
//!
//! cargo run --release -p ecs-sim --example bench_ops -- http://127.0.0.1:4599 [seconds] [concurrency] [operation]

use aws_sdk_ecs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_ecs::Client;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const OPS: [&str; 4] =
    ["ListClusters", "DescribeClusters", "DescribeCapacityProviders", "ListContainerInstances"];

async fn one(client: &Client, op: &str) -> bool {
    match op {
        "ListClusters" => client.list_clusters().send().await.is_ok(),
        "DescribeClusters" => client.describe_clusters().clusters("default").send().await.is_ok(),
        "DescribeCapacityProviders" => client
            .describe_capacity_providers()
            .capacity_providers("mi-general")
            .capacity_providers("mi-canary")
            .send()
            .await
            .is_ok(),
        "ListContainerInstances" => client.list_container_instances().cluster("default").send().await.is_ok(),
        _ => false,
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let endpoint = args.get(1).cloned().unwrap_or_else(|| "http://127.0.0.1:4599".into());
    let seconds: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let concurrency: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(8);
    let only = args.get(4).cloned();
    let conf = aws_sdk_ecs::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "bench"))
        .endpoint_url(&endpoint)
        .retry_config(aws_sdk_ecs::config::retry::RetryConfig::disabled())
        .build();
    let client = Client::from_conf(conf);
    for op in OPS {
        if only.as_deref().is_some_and(|o| o != op) {
            continue;
        }
        // Warm up connections and check the op works at all.
        if !one(&client, op).await {
            println!("{{\"op\":\"{op}\",\"error\":\"request failed\"}}");
            continue;
        }
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let start = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..concurrency {
            let (client, ok, failed) = (client.clone(), ok.clone(), failed.clone());
            workers.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    if one(&client, op).await {
                        ok.fetch_add(1, Ordering::Relaxed);
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                lat
            }));
        }
        let mut lat = Vec::new();
        for w in workers {
            lat.extend(w.await.unwrap_or_default());
        }
        let elapsed = start.elapsed().as_secs_f64();
        lat.sort_by(|a, b| a.total_cmp(b));
        let pct = |p: f64| {
            lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0.0)
        };
        println!(
            "{{\"op\":\"{op}\",\"requests\":{},\"errors\":{},\"rps\":{:.1},\"p50_ms\":{:.2},\"p99_ms\":{:.2}}}",
            ok.load(Ordering::Relaxed),
            failed.load(Ordering::Relaxed),
            ok.load(Ordering::Relaxed) as f64 / elapsed,
            pct(0.5),
            pct(0.99)
        );
    }
}
