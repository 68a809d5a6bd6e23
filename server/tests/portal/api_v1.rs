//! `/api/v1`: every endpoint as anonymous, viewer, deployer, approver and admin (through API
//! tokens), the error body, the OpenAPI document against the router, and bad bodies.

use crate::helpers::{Engine, TestApp};
use serde_json::Value;

/// An API token for `user` with all of their roles.
pub(crate) async fn token_for(app: &TestApp, user: &str) -> reqwest::Client {
    let http = app.as_user(user).await;
    let (_, page) = app.call_with(&http, "list-api-tokens", &[]).await;
    let options: Vec<String> =
        page["scope_options"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let keys: Vec<String> = (0..options.len()).map(|i| format!("form[scope][{i}]")).collect();
    let mut form = vec![("form[name]", "matrix"), ("form[expires_days]", "1")];
    form.extend(keys.iter().map(String::as_str).zip(options.iter().map(String::as_str)));
    let (status, body) = app.call_with(&http, "create-api-token", &form).await;
    assert_eq!(status, 200, "{user}: {body}");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {}", body["secret"].as_str().unwrap()).parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

pub(crate) async fn send(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let mut req = http.request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn assert_error(status: u16, body: &Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn every_endpoint_by_role() {
    let app = TestApp::on(Engine::Sqlite).await;
    let base = format!("{}/api/v1", app.address);
    let mut callers = vec![("anonymous", reqwest::Client::new())];
    for user in ["carol", "alice", "bob", "admin"] {
        callers.push((user, token_for(&app, user).await));
    }
    for (who, http) in &callers {
        // /me: 401 for anonymous, the caller's own view otherwise.
        let (status, body) = send(http, "GET", &format!("{base}/me"), None).await;
        if *who == "anonymous" {
            assert_error(status, &body, 401, "unauthenticated");
        } else {
            assert_eq!(status, 200, "{who}: {body}");
            assert_eq!(body["username"], *who);
            assert_eq!(body["is_admin"], *who == "admin");
            let expected = match *who {
                "carol" => serde_json::json!([{"team": "platform", "role": "viewer"}]),
                "alice" => serde_json::json!([{"team": "platform", "role": "deployer"}]),
                "bob" => serde_json::json!([{"team": "platform", "role": "approver"}]),
                _ => serde_json::json!([]),
            };
            assert_eq!(body["teams"], expected, "{who}");
        }
        // History: every signed-in caller may read it.
        let (status, body) = send(http, "GET", &format!("{base}/history"), None).await;
        if *who == "anonymous" {
            assert_error(status, &body, 401, "unauthenticated");
        } else {
            assert_eq!(status, 200, "{who}: {body}");
            assert!(body["items"].is_array());
        }
        // The document is public.
        let (status, body) = send(http, "GET", &format!("{base}/openapi.json"), None).await;
        assert_eq!(status, 200, "{who}");
        assert_eq!(body["openapi"], "3.1.0");
    }
}

#[tokio::test]
async fn errors_are_json_with_a_stable_code() {
    let app = TestApp::on(Engine::Sqlite).await;
    let base = format!("{}/api/v1", app.address);
    let (status, body) = send(&app.http, "GET", &format!("{base}/nope"), None).await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = send(&app.http, "DELETE", &format!("{base}/me"), None).await;
    assert_error(status, &body, 405, "method_not_allowed");

    // A 1 MB body is refused before it is read.
    let big = format!("{{\"comment\": \"{}\"}}", "x".repeat(1024 * 1024));
    let token = token_for(&app, "admin").await;
    let (status, body) = send(&token, "POST", &format!("{base}/me"), Some(&big)).await;
    assert_error(status, &body, 413, "payload_too_large");

    // With a cookie, a cross-site POST is refused in the same format.
    let res =
        app.http.post(format!("{base}/me")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "cross_origin");
}

async fn history_reads(engine: Engine) {
    let app = TestApp::on(engine).await;
    for (i, cluster) in ["prod", "prod", "default"].iter().enumerate() {
        let r = server::history::NewRollout {
            request_id: Some(format!("req-{i}")),
            source: "portal".into(),
            kind: "update".into(),
            cluster: cluster.to_string(),
            daemon: "cwagent".into(),
            team: "platform".into(),
            requester: "alice".into(),
            approvers: vec!["bob".into()],
            from_revision: "cwagent:1".into(),
            to_revision: "cwagent:2".into(),
            diff: String::new(),
            deployment_arn: None,
            status: "SUCCESSFUL".into(),
            reason: String::new(),
            started_at: 1_700_000_000_000 + i as i64,
            environment: Some("default".into()),
        };
        server::history::insert_rollout(&app.state.services.db, &r).await.unwrap();
    }
    let base = format!("{}/api/v1/history", app.address);
    let (status, body) = send(&reqwest::Client::new(), "GET", &base, None).await;
    assert_error(status, &body, 401, "unauthenticated");

    let carol = token_for(&app, "carol").await;
    let (status, body) = send(&carol, "GET", &format!("{base}?cluster=prod&limit=1"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["items"][0]["request_id"], "req-1", "newest first");
    assert_eq!(body["items"][0]["approvers"], serde_json::json!(["bob"]));
    let older = body["next"].as_str().expect("a next page").to_string();
    let (_, body) = send(&carol, "GET", &format!("{base}?cluster=prod&limit=1&older={older}"), None).await;
    assert_eq!(body["items"][0]["request_id"], "req-0");
    assert!(body["next"].is_null());

    let (status, body) =
        send(&carol, "GET", &format!("{base}?status=nope&limit=0&from=2026-13-01"), None).await;
    assert_error(status, &body, 422, "invalid");
    for field in ["status", "limit", "from"] {
        assert!(body["error"]["fields"][field].is_string(), "{field}: {body}");
    }
}

/// Sends a raw body with the given content type.
async fn post_raw(http: &reqwest::Client, url: &str, content_type: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = http.post(url).body(body.to_string());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

/// The change-request endpoints as anonymous, viewer (carol), deployer (alice), approver
/// (bob) and admin, through API tokens; the policy on `prod` needs one approval from team
/// `platform`, not the requester's own.
async fn change_requests_by_role(engine: Engine) {
    let app = TestApp::on(engine).manual_clock().without_drift().await;
    app.register("cw-agent", "amazon/cloudwatch-agent:latest", "1", "0.5").await;
    let anonymous = reqwest::Client::new();
    let carol = token_for(&app, "carol").await;
    let alice = token_for(&app, "alice").await;
    let bob = token_for(&app, "bob").await;
    let admin = token_for(&app, "admin").await;
    let base = format!("{}/api/v1/change-requests", app.address);
    let deploy = serde_json::json!({
        "kind": "deploy",
        "cluster": "prod",
        "daemon": "cwagent",
        "family": "cw-agent",
        "capacity_providers": ["mi-prod-a", "mi-prod-b"],
        "tags": {"team": "platform"}
    })
    .to_string();

    // Create: deployers only.
    let (status, body) = send(&anonymous, "POST", &base, Some(&deploy)).await;
    assert_error(status, &body, 401, "unauthenticated");
    for (who, http) in [("carol", &carol), ("bob", &bob)] {
        let (status, body) = send(http, "POST", &base, Some(&deploy)).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")), "{who}: {body}");
    }
    let (status, created) = send(&alice, "POST", &base, Some(&deploy)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["state"], "pending");
    assert_eq!(created["requester"], "alice");
    assert_eq!(created["kind"], "deploy");
    let id = created["id"].as_str().unwrap().to_string();

    // Bad bodies, each with its code.
    let (status, body) = post_raw(&alice, &base, Some("application/json"), "{\"kind\": \"deploy\",").await;
    assert_error(status, &body, 400, "malformed_json");
    let (status, body) =
        post_raw(&alice, &base, Some("application/json"), "{\"kind\": \"deploy\", \"nope\": 1}").await;
    assert_error(status, &body, 422, "invalid_body");
    let (status, body) = post_raw(&alice, &base, Some("application/json"), "{\"kind\": \"launch\"}").await;
    assert_error(status, &body, 422, "invalid_body");
    let (status, body) = post_raw(&alice, &base, None, &deploy).await;
    assert_error(status, &body, 415, "unsupported_media_type");
    let bad = r#"{"kind": "deploy", "cluster": "prod", "daemon": "no spaces <b>", "family": "cw-agent", "bake_time_minutes": 5000}"#;
    let (status, body) = post_raw(&alice, &base, Some("application/json"), bad).await;
    assert_error(status, &body, 422, "invalid");
    assert!(body["error"]["fields"]["daemon_name"].is_string(), "{body}");
    assert!(body["error"]["fields"]["bake_time"].is_string(), "{body}");
    let (status, body) = post_raw(
        &alice,
        &base,
        Some("application/json"),
        r#"{"kind": "delete_daemon", "cluster": "prod", "daemon": "a b"}"#,
    )
    .await;
    assert_error(status, &body, 422, "invalid");
    assert!(body["error"]["fields"]["daemon"].as_str().is_some_and(|m| m.contains("` `")), "{body}");
    let (status, body) = post_raw(
        &alice,
        &base,
        Some("application/json"),
        r#"{"kind": "delete_revision", "family": "", "revision": 0}"#,
    )
    .await;
    assert_error(status, &body, 422, "invalid");
    assert!(body["error"]["fields"]["family"].is_string(), "{body}");
    assert!(body["error"]["fields"]["revision"].is_string(), "{body}");
    let (status, body) = post_raw(
        &alice,
        &base,
        Some("application/json"),
        r#"{"kind": "deploy", "cluster": "prod", "daemon": "d", "family": "f", "capacity_providers": ["mi"], "drain_percent": 0, "tags": {"aws:x": "1"}}"#,
    )
    .await;
    assert_error(status, &body, 422, "invalid");
    assert!(body["error"]["fields"]["drain_percent"].is_string(), "{body}");
    assert!(body["error"]["fields"]["tags"].as_str().is_some_and(|m| m.contains("reserved")), "{body}");
    let big = format!("{{\"kind\": \"deploy\", \"cluster\": \"{}\"}}", "x".repeat(1024 * 1024));
    let (status, body) = post_raw(&alice, &base, Some("application/json"), &big).await;
    assert_error(status, &body, 413, "payload_too_large");

    // List: everyone signed in; the inbox decides what they see.
    let (status, body) = send(&anonymous, "GET", &base, None).await;
    assert_error(status, &body, 401, "unauthenticated");
    let (status, page) = send(&bob, "GET", &format!("{base}?inbox=waiting"), None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page), vec![id.clone()], "waiting for bob");
    let (_, page) = send(&alice, "GET", &format!("{base}?inbox=waiting"), None).await;
    assert!(ids(&page).is_empty(), "not waiting for its own requester: {page}");
    let (_, page) = send(&alice, "GET", &format!("{base}?inbox=mine&state=pending&cluster=prod"), None).await;
    assert_eq!(ids(&page), vec![id.clone()]);
    let (_, page) = send(&carol, "GET", &format!("{base}?inbox=all"), None).await;
    assert_eq!(ids(&page), vec![id.clone()]);
    let (status, body) = send(&carol, "GET", &format!("{base}?state=bogus"), None).await;
    assert_error(status, &body, 422, "invalid");
    let (status, body) = send(&carol, "GET", &format!("{base}?inbox=everything"), None).await;
    assert_error(status, &body, 422, "invalid");

    // Read one.
    let one = format!("{base}/{id}");
    let (status, body) = send(&anonymous, "GET", &one, None).await;
    assert_error(status, &body, 401, "unauthenticated");
    let (status, detail) = send(&carol, "GET", &one, None).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["request"]["state"], "pending");
    assert_eq!(detail["policy"]["approvals_required"], 1);
    assert_eq!(detail["ecs_call"]["operation"], "CreateDaemon", "{detail}");
    assert!(detail["events"].as_array().is_some_and(|e| !e.is_empty()));
    // The settings come back in the shape of the deploy body, defaults filled in.
    let spec = &detail["settings"];
    assert_eq!(
        (spec["daemon"].as_str(), spec["family"].as_str()),
        (Some("cwagent"), Some("cw-agent")),
        "{spec}"
    );
    assert_eq!(spec["tags"], serde_json::json!({"team": "platform"}), "{spec}");
    assert_eq!((spec["drain_percent"].as_f64(), spec["bake_time_minutes"].as_u64()), (Some(25.0), Some(0)));
    assert_eq!(spec["critical"], true);
    let (status, body) = send(&carol, "GET", &format!("{base}/does-not-exist"), None).await;
    assert_error(status, &body, 404, "not_found");

    // Approve and reject: the policy decides who may.
    let approve = format!("{one}/approve");
    let (status, body) = send(&anonymous, "POST", &approve, Some("{}")).await;
    assert_error(status, &body, 401, "unauthenticated");
    let (status, body) = send(&alice, "POST", &approve, Some("{}")).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = send(&carol, "POST", &approve, Some("{}")).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = send(&bob, "POST", &format!("{one}/reject"), Some("{}")).await;
    assert_error(status, &body, 422, "invalid");
    assert!(body["error"]["fields"]["comment"].is_string(), "{body}");
    // A review names the version it read: missing is refused, stale is a conflict (nothing
    // recorded), the current one counts.
    let (status, body) = send(&bob, "POST", &approve, Some(r#"{"comment": "ok"}"#)).await;
    assert_error(status, &body, 422, "invalid");
    assert!(body["error"]["fields"]["version"].is_string(), "{body}");
    let (status, body) = send(&bob, "POST", &approve, Some(r#"{"version": 7}"#)).await;
    assert_error(status, &body, 409, "conflict");
    assert!(body["error"]["message"].as_str().unwrap().contains("review version 1"), "{body}");
    let (status, body) =
        send(&bob, "POST", &approve, Some(r#"{"version": 1, "comment": "ok <script>"}"#)).await;
    assert_eq!(status, 200, "{body}");
    assert!(["approved", "executing"].contains(&body["state"].as_str().unwrap()), "{body}");
    let (_, detail) = send(&carol, "GET", &one, None).await;
    assert_eq!(detail["reviews"][0]["reviewer"], "bob");
    assert_eq!(detail["reviews"][0]["comment"], "ok <script>", "stored literally");
    let (status, body) = send(&bob, "POST", &approve, Some(r#"{"version": 1}"#)).await;
    assert_error(status, &body, 409, "conflict");

    // A second request, rejected by an admin with a comment.
    let second = deploy.replace("cwagent", "cwagent2");
    let (_, created) = send(&alice, "POST", &base, Some(&second)).await;
    let id2 = created["id"].as_str().unwrap().to_string();
    let (status, body) = send(
        &admin,
        "POST",
        &format!("{base}/{id2}/reject"),
        Some(r#"{"version": 1, "comment": "not now"}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "rejected");
    let (status, page) = send(&admin, "GET", &format!("{base}?inbox=all&state=rejected"), None).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&page), vec![id2]);

    // The API's own requests are audited like the UI's, from the token's owner.
    let audit = server::auth::audit::recent(&app.state.services.db, 300).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "change.request" && e.actor == "alice" && e.target == id));
    assert!(audit.iter().any(|e| e.action == "change.approve" && e.actor == "bob" && e.target == id));
}

on_both!(history_reads, change_requests_by_role);
