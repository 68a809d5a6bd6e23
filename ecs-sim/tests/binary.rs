//! The standalone binary: flags, the ready line, and serving the SDK.

mod common;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_ready_line_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecs-sim"))
        .args(["--addr", "127.0.0.1:0", "--world", "default", "--manual-clock", "--speed", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut endpoint = None;
    for line in lines.by_ref().take(5) {
        let line = line.unwrap();
        if let Some(e) = line.strip_prefix("ecs-sim ready on ") {
            endpoint = Some(e.trim().to_string());
            break;
        }
    }
    let endpoint = endpoint.expect("a ready line");
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    let (status, clock) = common::raw_http(&endpoint, "GET", "/_sim/clock", &[], "").await;
    assert_eq!(status, 200);
    assert_eq!(clock["manual"], true);
    assert_eq!(clock["speed"], 5.0);
    let conf = aws_sdk_ecs::config::Builder::new()
        .behavior_version(aws_sdk_ecs::config::BehaviorVersion::latest())
        .region(aws_sdk_ecs::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ecs::config::Credentials::new("AKID", "secret", None, None, "test"))
        .endpoint_url(&endpoint)
        .build();
    let ecs = aws_sdk_ecs::Client::from_conf(conf);
    assert_eq!(ecs.list_clusters().send().await.unwrap().cluster_arns().len(), 2);
    child.kill().unwrap();
    let _ = child.wait();
}

#[test]
fn binary_reports_a_bad_world_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_ecs-sim"))
        .args(["--addr", "127.0.0.1:0", "--world", "/nonexistent/world.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ecs-sim:"), "{err}");
}
