//! Shared test harness: an emulator on 127.0.0.1:0 with a manual clock and a
//! real `aws-sdk-ecs` client pointed at it. The client's sleep advances the
//! simulated clock instead of waiting, so SDK waiters and retries run
//! instantly and deterministically.
#![allow(dead_code)]

use aws_sdk_ecs::config::{
    AsyncSleep, BehaviorVersion, Credentials, Region, SharedAsyncSleep, Sleep, StalledStreamProtectionConfig,
};
use aws_sdk_ecs::Client;
use ecs_sim::{SimHandle, SimOptions, SimState, WorldSpec};
use serde_json::Value;
use std::time::Duration;

pub const ACCOUNT_PREFIX: &str = "arn:aws:ecs:us-east-1:123456789012:";

#[derive(Clone)]
struct SimSleep(SimState);

impl std::fmt::Debug for SimSleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SimSleep")
    }
}

impl AsyncSleep for SimSleep {
    fn sleep(&self, d: Duration) -> Sleep {
        let sim = self.0.clone();
        Sleep::new(async move {
            sim.advance(d.as_secs_f64());
            tokio::task::yield_now().await;
        })
    }
}

pub struct Sim {
    pub handle: SimHandle,
    pub ecs: Client,
}

pub async fn start() -> Sim {
    start_with(WorldSpec::Default, None).await
}

pub async fn start_with(world: WorldSpec, state_file: Option<std::path::PathBuf>) -> Sim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let opts = SimOptions { world, manual_clock: true, state_file, ..SimOptions::default() };
    let handle = ecs_sim::serve(listener, opts).await.unwrap();
    let ecs = client(handle.endpoint(), handle.state().clone());
    Sim { handle, ecs }
}

pub fn client(endpoint: &str, sim: SimState) -> Client {
    let conf = aws_sdk_ecs::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "test"))
        .endpoint_url(endpoint)
        .sleep_impl(SharedAsyncSleep::new(SimSleep(sim)))
        // Its grace-period timer would go through SimSleep and move the
        // simulated clock on every request.
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .build();
    Client::from_conf(conf)
}

impl Sim {
    pub fn state(&self) -> &SimState {
        self.handle.state()
    }

    /// Advances simulated time one second at a time (like the real ticker),
    /// checking the emulator's invariants after every step.
    pub fn advance(&self, seconds: u32) {
        for _ in 0..seconds {
            self.state().advance(1.0);
            self.invariants();
        }
    }

    pub fn invariants(&self) {
        if let Err(e) = self.state().with_state(|st| st.check_invariants()) {
            panic!("invariant broken: {e}");
        }
    }

    /// A control API call over HTTP.
    pub async fn control(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        raw_http(
            self.handle.endpoint(),
            method,
            path,
            &[("content-type", "application/json")],
            &body.to_string(),
        )
        .await
    }
}

/// A minimal HTTP/1.1 client (tests only need one request per connection).
pub async fn raw_http(
    endpoint: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Value) {
    let (status, _, text) = raw_http_full(endpoint, method, path, headers, body).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub async fn raw_http_full(
    endpoint: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = endpoint.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, head.to_string(), body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

pub fn cp(name: &str) -> String {
    format!("{ACCOUNT_PREFIX}capacity-provider/{name}")
}

pub async fn register(ecs: &Client, family: &str, image: &str) -> String {
    register_sized(ecs, family, image, 256, 512).await
}

pub async fn register_sized(ecs: &Client, family: &str, image: &str, cpu: i32, memory: i32) -> String {
    use aws_sdk_ecs::types::DaemonContainerDefinition;
    ecs.register_daemon_task_definition()
        .family(family)
        .container_definitions(
            DaemonContainerDefinition::builder()
                .name("agent")
                .image(image)
                .cpu(cpu)
                .memory(memory)
                .essential(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .daemon_task_definition_arn
        .unwrap()
}

/// Creates a daemon and returns (daemon ARN, deployment ARN).
pub async fn create(
    ecs: &Client,
    cluster: &str,
    name: &str,
    td: &str,
    providers: &[&str],
) -> (String, String) {
    let mut req = ecs.create_daemon().cluster_arn(cluster).daemon_name(name).daemon_task_definition_arn(td);
    for p in providers {
        req = req.capacity_provider_arns(cp(p));
    }
    let out = req.send().await.unwrap();
    (out.daemon_arn.unwrap(), out.deployment_arn.unwrap())
}

pub async fn deployment(ecs: &Client, arn: &str) -> aws_sdk_ecs::types::DaemonDeployment {
    ecs.describe_daemon_deployments()
        .daemon_deployment_arns(arn)
        .send()
        .await
        .unwrap()
        .daemon_deployments
        .unwrap()
        .remove(0)
}

pub async fn wait_successful(ecs: &Client, dep: &str) {
    use aws_sdk_ecs::client::Waiters;
    ecs.wait_until_daemon_deployment_successful()
        .daemon_deployment_arns(dep)
        .wait(Duration::from_secs(600))
        .await
        .expect("deployment should succeed");
}

pub fn error_code<E, R>(err: &aws_sdk_ecs::error::SdkError<E, R>) -> String
where
    E: aws_sdk_ecs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.as_service_error() {
        Some(e) => e.code().unwrap_or("<no code>").to_string(),
        None => format!("<not a service error: {err}>"),
    }
}
