use crate::helpers::{Engine, TestApp};

#[tokio::test]
async fn healthz_answers_ok_with_version() {
    let app = TestApp::on(Engine::Sqlite).await;
    let res = app.http.get(format!("{}/healthz", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn readyz_is_ready_when_database_and_ecs_answer() {
    let app = TestApp::on(Engine::Sqlite).await;
    let res = app.http.get(format!("{}/readyz", app.address)).send().await.unwrap();
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"]["status"], "ok");
    assert_eq!(body["checks"]["ecs"]["status"], "ok");
}

#[tokio::test]
async fn readyz_names_a_dead_database() {
    let app = TestApp::on(Engine::Sqlite).await;
    app.state.services.db.close().await;
    let res = app.http.get(format!("{}/readyz", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["failing"], serde_json::json!(["database"]));
    assert_eq!(body["checks"]["database"]["status"], "failing");
    assert_eq!(body["checks"]["ecs"]["status"], "ok");
    // Anyone may ask, so the answer says what fails, not why (that is in the log).
    let error = body["checks"]["database"]["error"].as_str().unwrap();
    assert_eq!(error, "not reachable; see the portal's log");
    assert!(!body.to_string().to_lowercase().contains("pool"), "{body}");
}

#[tokio::test]
async fn readyz_is_cached_for_a_few_seconds() {
    let app = TestApp::on(Engine::Sqlite).await;
    let before = app.state.readiness.checks_run();
    let probes: Vec<_> = (0..20)
        .map(|_| {
            let url = format!("{}/readyz", app.address);
            tokio::spawn(async move { reqwest::get(url).await.unwrap().status().as_u16() })
        })
        .collect();
    for p in probes {
        assert_eq!(p.await.unwrap(), 200);
    }
    assert_eq!(app.state.readiness.checks_run() - before, 1, "one check for 20 probes");
    // A failure shows once the cached answer has aged out, not before.
    app.state.services.db.close().await;
    let res = reqwest::get(format!("{}/readyz", app.address)).await.unwrap();
    assert_eq!(res.status(), 200, "still the cached answer");
    tokio::time::sleep(server::health::READY_TTL + std::time::Duration::from_millis(100)).await;
    let res = reqwest::get(format!("{}/readyz", app.address)).await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(app.state.readiness.checks_run() - before, 2);
}

#[tokio::test]
async fn readyz_names_a_dead_ecs_endpoint() {
    // Point the portal at an ECS endpoint where nothing listens.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    std::env::set_var("AWS_ENDPOINT_URL_ECS", format!("http://127.0.0.1:{port}"));
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDTEST");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret");
    std::env::set_var("AWS_REGION", "us-east-1");
    // No demo accounts in aws mode: no sign-in, and /readyz needs none.
    let app = TestApp::on(Engine::Sqlite)
        .settings(|c| c.ecs_mode = server::config::EcsMode::Aws)
        .signed_out()
        .await;
    let res = reqwest::get(format!("{}/readyz", app.address)).await.unwrap();
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["failing"], serde_json::json!(["ecs"]));
    assert_eq!(body["checks"]["database"]["status"], "ok");
    assert!(!body.to_string().contains(&port.to_string()), "the endpoint is not named: {body}");
}

#[tokio::test]
async fn home_page_renders_the_console_shell() {
    let app = TestApp::on(Engine::Sqlite).await;
    let res = app.http.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for needle in ["Daemon Portal", "Daemon task definitions", "Daemons", "Clusters", "Approvals", "History"]
    {
        assert!(html.contains(needle), "home page lacks {needle}");
    }
}

#[tokio::test]
async fn unknown_page_is_404() {
    let app = TestApp::on(Engine::Sqlite).await;
    let res = app.http.get(format!("{}/no-such-page", app.address)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}
