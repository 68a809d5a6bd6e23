//! The awsJson1_1 wire protocol: auth, dispatch, errors, faults, request log.

mod common;
use common::*;
use serde_json::json;

const TARGET: &str = "AmazonEC2ContainerServiceV20141113.";

const AUTH: &str =
    "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=00";

/// A hand-made awsJson1_1 request (signed-looking unless `signed` is false).
async fn call(sim: &Sim, op: Option<&str>, signed: bool, body: &str) -> (u16, String, serde_json::Value) {
    let target = op.map(|o| format!("{TARGET}{o}"));
    let mut h: Vec<(&str, &str)> = vec![("content-type", "application/x-amz-json-1.1")];
    if signed {
        h.push(("authorization", AUTH));
    }
    if let Some(t) = &target {
        h.push(("x-amz-target", t));
    }
    let (status, head, text) = raw_http_full(sim.handle.endpoint(), "POST", "/", &h, body).await;
    (status, head, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

#[tokio::test]
async fn unsigned_requests_are_refused() {
    let sim = start().await;
    let (status, head, v) = call(&sim, Some("ListClusters"), false, "{}").await;
    assert_eq!(status, 400);
    assert!(
        head.to_ascii_lowercase().contains("x-amzn-errortype: missingauthenticationtokenexception"),
        "{head}"
    );
    assert_eq!(v["__type"], "MissingAuthenticationTokenException");
    assert!(v["message"].as_str().unwrap().contains("Signature Version 4"));
}

#[tokio::test]
async fn unknown_operation_and_bad_json_are_clear_400s() {
    let sim = start().await;
    let (status, _, v) = call(&sim, Some("FlyToTheMoon"), true, "{}").await;
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "UnknownOperationException");

    let (status, _, v) = call(&sim, Some("ListDaemons"), true, "{not json").await;
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "SerializationException");

    // Wrong member type.
    let (status, _, v) = call(&sim, Some("ListDaemons"), true, r#"{"maxResults":"ten"}"#).await;
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "SerializationException");

    // Missing target header.
    let (status, _, v) = call(&sim, None, true, "{}").await;
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "UnknownOperationException");

    // An empty body reads as {}.
    let (status, _, v) = call(&sim, Some("ListDaemons"), true, "").await;
    assert_eq!(status, 200);
    assert!(v["daemonSummariesList"].is_array());
}

#[tokio::test]
async fn responses_never_contain_null() {
    let sim = start().await;
    let td = register(&sim.ecs, "no-empty", "img:1").await;
    let (_, dep) = create(&sim.ecs, "default", "no-empty", &td, &["mi-canary"]).await;
    sim.advance(60);
    let (status, _, v) = call(
        &sim,
        Some("DescribeDaemonDeployments"),
        true,
        &json!({ "daemonDeploymentArns": [dep] }).to_string(),
    )
    .await;
    assert_eq!(status, 200);
    let body = v.to_string();
    assert!(!body.contains(":null"), "{body}");
    assert!(body.contains("\"bakeTimeInMinutes\":0"), "integers stay integers: {body}");
}

#[tokio::test]
async fn injected_faults_and_request_log() {
    let sim = start().await;
    sim.control("DELETE", "/_sim/requests", json!({})).await;
    sim.ecs.list_clusters().send().await.unwrap();

    let (status, _) = sim.control("POST", "/_sim/faults", json!({ "throttleRate": 1.0 })).await;
    assert_eq!(status, 200);
    let err = sim.ecs.list_clusters().send().await.unwrap_err();
    assert_eq!(error_code(&err), "ThrottlingException");

    sim.control("POST", "/_sim/faults", json!({ "serverErrorRate": 1.0 })).await;
    let err = sim.ecs.list_clusters().send().await.unwrap_err();
    assert_eq!(error_code(&err), "ServerException");

    sim.control("POST", "/_sim/faults", json!({})).await;
    sim.ecs.list_clusters().send().await.unwrap();

    let (_, log) = sim.control("GET", "/_sim/requests", json!({})).await;
    let reqs = log["requests"].as_array().unwrap();
    let statuses: Vec<u64> = reqs.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert!(reqs.iter().all(|r| r["operation"] == "ListClusters"));
    assert_eq!(statuses.first(), Some(&200));
    assert_eq!(statuses.last(), Some(&200));
    assert!(statuses.contains(&400) && statuses.contains(&500), "{statuses:?}");
    assert!(reqs.iter().any(|r| r["errorType"] == "ThrottlingException"));

    let (bad, _) = sim.control("POST", "/_sim/faults", json!({ "throttleRate": 2.0 })).await;
    assert_eq!(bad, 400);
}

#[tokio::test]
async fn control_api_basics() {
    let sim = start().await;
    let (status, v) = sim.control("GET", "/_sim/alarms", json!({})).await;
    assert_eq!(status, 200);
    let names: Vec<&str> =
        v["alarms"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["app-5xx", "daemon-errors"]);
    assert!(v["alarms"].as_array().unwrap().iter().all(|a| a["state"] == "OK"));

    let (status, _) = sim.control("POST", "/_sim/alarms/app-5xx", json!({ "state": "BROKEN" })).await;
    assert_eq!(status, 400);

    let (_, before) = sim.control("GET", "/_sim/clock", json!({})).await;
    let (status, after) = sim.control("POST", "/_sim/clock/advance", json!({ "seconds": 90 })).await;
    assert_eq!(status, 200);
    let delta = after["now"].as_f64().unwrap() - before["now"].as_f64().unwrap();
    assert!((delta - 90.0).abs() < 0.01, "{delta}");

    let (status, snap) = sim.control("GET", "/_sim/state", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(snap["containerInstances"].as_array().unwrap().len(), 17);

    let (status, _) = sim.control("POST", "/_sim/reset", json!({ "world": "empty" })).await;
    assert_eq!(status, 200);
    let clusters = sim.ecs.list_clusters().send().await.unwrap();
    assert!(clusters.cluster_arns().is_empty());
    let err = sim.ecs.list_daemons().send().await.unwrap_err();
    assert_eq!(error_code(&err), "ClusterNotFoundException");

    let (status, _) = sim.control("POST", "/_sim/reset", json!({ "world": "default" })).await;
    assert_eq!(status, 200);
    assert_eq!(sim.ecs.list_clusters().send().await.unwrap().cluster_arns().len(), 2);
}

#[tokio::test]
async fn state_file_survives_restart() {
    let dir = std::env::temp_dir().join(format!("ecs-sim-test-{}", std::process::id()));
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let sim = start_with(ecs_sim::WorldSpec::Default, Some(file.clone())).await;
    let td = register(&sim.ecs, "persisted", "img:1").await;
    let (daemon, _) = create(&sim.ecs, "default", "persisted", &td, &["mi-general"]).await;
    sim.advance(30);
    sim.handle.shutdown().await;
    assert!(file.exists());

    let sim = start_with(ecs_sim::WorldSpec::Empty, Some(file.clone())).await;
    let d = sim.ecs.describe_daemon().daemon_arn(&daemon).send().await.unwrap().daemon.unwrap();
    assert_eq!(d.current_revisions()[0].total_running_count, 4);
    sim.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn real_time_clock_runs_deployments_by_itself() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let handle =
        ecs_sim::serve(listener, ecs_sim::SimOptions { speed: 200.0, ..Default::default() }).await.unwrap();
    // A client with the ordinary (real) sleep.
    let conf = aws_sdk_ecs::config::Builder::new()
        .behavior_version(aws_sdk_ecs::config::BehaviorVersion::latest())
        .region(aws_sdk_ecs::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ecs::config::Credentials::new("AKID", "secret", None, None, "test"))
        .endpoint_url(handle.endpoint())
        .build();
    let ecs = aws_sdk_ecs::Client::from_conf(conf);
    let td = register(&ecs, "rt", "img:1").await;
    let (_, dep) = create(&ecs, "default", "rt", &td, &["mi-canary"]).await;
    let started = std::time::Instant::now();
    loop {
        let d = deployment(&ecs, &dep).await;
        if d.status == Some(aws_sdk_ecs::types::DaemonDeploymentStatus::Successful) {
            break;
        }
        assert!(started.elapsed().as_secs() < 10, "the ticker should finish it: {:?}", d.status);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, clock) = raw_http(handle.endpoint(), "GET", "/_sim/clock", &[], "").await;
    assert_eq!(clock["manual"], false);
    assert_eq!(clock["speed"], 200.0);
    handle.shutdown().await;
}

#[tokio::test]
async fn control_api_rejects_bad_input() {
    let sim = start().await;
    for (method, path, body) in [
        ("POST", "/_sim/tasks/stop", json!({})),
        (
            "POST",
            "/_sim/tasks/stop",
            json!({ "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/default/nope" }),
        ),
        ("POST", "/_sim/clock/advance", json!({ "seconds": -5 })),
        ("POST", "/_sim/images/fail", json!({})),
        ("POST", "/_sim/providers/default/mi-general/scale", json!({})),
        ("POST", "/_sim/faults", json!({ "latencyMs": 999_999 })),
    ] {
        let (status, v) = sim.control(method, path, body.clone()).await;
        assert_eq!(status, 400, "{path} {body}: {v}");
        assert!(v["error"].is_string());
    }
    let (status, _) = raw_http(sim.handle.endpoint(), "POST", "/_sim/clock/advance", &[], "{oops").await;
    assert_eq!(status, 400);
    let (status, v) = sim.control("POST", "/_sim/images/fail", json!({ "pattern": "a*" })).await;
    assert_eq!(status, 200);
    assert_eq!(v["patterns"], json!(["a*"]));
    let (_, v) = sim.control("POST", "/_sim/images/fail", json!({ "pattern": "a*", "fail": false })).await;
    assert_eq!(v["patterns"], json!([]));
}
