//! Daemon task definitions through the server functions' HTTP endpoints, against the embedded
//! ecs-sim (real aws-sdk-ecs calls).

use aws_sdk_ecs::types::DaemonTaskDefinitionStatusFilter;
use serde_json::{json, Value};

use crate::helpers::{Engine, TestApp};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Form fields as the browser posts them.
type Form = Vec<(String, String)>;

fn body(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// The form the guide fills in, as the browser posts it.
fn cwagent(family: &str, image: &str) -> Vec<(String, String)> {
    [
        ("form[family]", family),
        ("form[execution_role]", ROLE),
        ("form[task_role]", ""),
        ("form[task_cpu]", ""),
        ("form[task_memory]", ""),
        ("form[region]", "us-east-1"),
        ("form[mode]", "form"),
        ("form[containers][0][name]", "cwagent"),
        ("form[containers][0][image]", image),
        ("form[containers][0][essential]", "on"),
        ("form[containers][0][cpu]", "1"),
        ("form[containers][0][memory]", "0.5"),
        ("form[containers][0][env][0][key]", "CW_CONFIG_CONTENT"),
        ("form[containers][0][env][0][value]", "{\"logs\":{}}"),
        ("form[containers][0][env][1][key]", ""),
        ("form[containers][0][env][1][value]", ""),
        ("form[containers][0][auto_logs]", "on"),
        ("form[containers][0][log_group]", "/ecs/cloudwatch-agent-daemon"),
        ("form[submit]", "create"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn with(mut form: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    match form.iter_mut().find(|(k, _)| k == key) {
        Some(pair) => pair.1 = value.to_string(),
        None => form.push((key.to_string(), value.to_string())),
    }
    form
}

async fn post(app: &TestApp, endpoint: &str, body: String) -> (u16, Value) {
    let res = app
        .http
        .post(format!("{}/api/{endpoint}", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
        .send()
        .await
        .expect("request reaches the portal");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body, got {status}: {text}"));
    (status, value)
}

async fn create(app: &TestApp, form: &[(String, String)]) -> (u16, Value) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(app, "create-task-definition", body(&pairs)).await
}

/// Every revision ECS holds, whatever its status.
async fn registered(app: &TestApp) -> Vec<String> {
    app.state
        .services
        .gateway
        .ecs
        .client
        .list_daemon_task_definitions()
        .status(DaemonTaskDefinitionStatusFilter::All)
        .send()
        .await
        .unwrap()
        .daemon_task_definitions()
        .iter()
        .filter_map(|s| s.arn().map(str::to_string))
        .collect()
}

async fn set_faults(app: &TestApp, faults: Value) {
    let sim = app.state.services.gateway.ecs.sim_endpoint.clone().expect("embedded emulator");
    let res = app.http.post(format!("{sim}/_sim/faults")).json(&faults).send().await.unwrap();
    assert!(res.status().is_success(), "faults accepted");
}

#[tokio::test]
async fn the_guide_definition_registers_as_revision_1_then_2() {
    let app = TestApp::on(Engine::Sqlite).await;
    let (status, arn) =
        create(&app, &cwagent("cloudwatch-agent-daemon", "amazon/cloudwatch-agent:latest")).await;
    assert!(status < 400, "{status} {arn}");
    let arn = arn.as_str().expect("the ARN");
    assert!(arn.ends_with(":daemon-task-definition/cloudwatch-agent-daemon:1"), "{arn}");

    let (status, arn2) =
        create(&app, &cwagent("cloudwatch-agent-daemon", "amazon/cloudwatch-agent:1.300")).await;
    assert!(status < 400, "{status} {arn2}");
    assert!(arn2.as_str().unwrap().ends_with("cloudwatch-agent-daemon:2"));

    // What ECS stored is what was typed: 1 vCPU = 1024 units, 0.5 GB = 512 MiB, awslogs.
    let td = app
        .state
        .services
        .gateway
        .ecs
        .client
        .describe_daemon_task_definition()
        .daemon_task_definition("cloudwatch-agent-daemon:1")
        .send()
        .await
        .unwrap();
    let td = td.daemon_task_definition().unwrap();
    assert_eq!(td.execution_role_arn(), Some(ROLE));
    let c = &td.container_definitions()[0];
    assert_eq!(
        (c.name(), c.image(), c.cpu(), c.memory()),
        (Some("cwagent"), "amazon/cloudwatch-agent:latest", 1024, Some(512))
    );
    assert_eq!(c.essential(), Some(true));
    assert_eq!(c.environment().len(), 1, "the blank row is dropped");
    let logs = c.log_configuration().unwrap();
    assert_eq!(logs.log_driver().as_str(), "awslogs");
    let opts = logs.options().unwrap();
    assert_eq!(opts["awslogs-group"], "/ecs/cloudwatch-agent-daemon");
    assert_eq!(opts["awslogs-region"], "us-east-1");
    assert_eq!(opts["awslogs-create-group"], "true");

    // The revision page's data.
    let (status, detail) =
        post(&app, "get-task-definition", body(&[("family", "cloudwatch-agent-daemon"), ("revision", "1")]))
            .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["record"]["status"], "ACTIVE");
    assert_eq!(detail["record"]["spec"]["containers"][0]["image"], "amazon/cloudwatch-agent:latest");
    assert_eq!(detail["daemons"], json!([]));
    let revs: Vec<u64> =
        detail["revisions"].as_array().unwrap().iter().map(|r| r["revision"].as_u64().unwrap()).collect();
    assert_eq!(revs, vec![1, 2]);
    assert!(detail["json"].as_str().unwrap().contains("\"cpu\": 1024"));

    // The list: one family, latest 2, two ACTIVE revisions, not deployed.
    let (status, page) = post(&app, "list-task-definitions", body(&[("filter", ""), ("token", "")])).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["rows"],
        json!([{
            "family": "cloudwatch-agent-daemon",
            "latest_revision": 2,
            "registered_at": page["rows"][0]["registered_at"],
            "active_revisions": 2,
            "deployed": false,
        }])
    );
}

#[tokio::test]
async fn bad_inputs_get_a_4xx_with_field_messages_and_create_nothing() {
    let app = TestApp::on(Engine::Sqlite).await;
    let ok = cwagent("valid-family", "amazon/cloudwatch-agent:latest");
    let long = "a".repeat(256);
    let cases: Vec<(&str, Form, &str)> = vec![
        ("empty family", with(ok.clone(), "form[family]", ""), "family"),
        ("256-character family", with(ok.clone(), "form[family]", &long), "family"),
        ("bad characters", with(ok.clone(), "form[family]", "bad name!"), "family"),
        ("negative CPU", with(ok.clone(), "form[containers][0][cpu]", "-1"), "containers.0.cpu"),
        ("absurd CPU", with(ok.clone(), "form[containers][0][cpu]", "100000"), "containers.0.cpu"),
        ("zero memory", with(ok.clone(), "form[containers][0][memory]", "0"), "containers.0.memory"),
        ("absurd memory", with(ok.clone(), "form[containers][0][memory]", "1e12"), "containers.0.memory"),
        ("text memory", with(ok.clone(), "form[containers][0][memory]", "lots"), "containers.0.memory"),
        ("no image", with(ok.clone(), "form[containers][0][image]", ""), "containers.0.image"),
        (
            "bad env key",
            with(ok.clone(), "form[containers][0][env][1][key]", "1BAD"),
            "containers.0.env.1.key",
        ),
        (
            "role that is neither a name nor an ARN",
            with(ok.clone(), "form[execution_role]", "not a role!"),
            "execution_role",
        ),
        ("task smaller than containers", with(ok.clone(), "form[task_cpu]", "0.5"), "task_cpu"),
        (
            "malformed JSON view",
            with(with(ok.clone(), "form[mode]", "json"), "form[json]", "{ \"family\": \"x\", "),
            "json",
        ),
        (
            "JSON view with an unsupported member",
            with(
                with(ok.clone(), "form[mode]", "json"),
                "form[json]",
                r#"{"family":"x","containerDefinitions":[],"volumes":[]}"#,
            ),
            "json",
        ),
    ];
    for (what, form, field) in cases {
        let (status, err) = create(&app, &form).await;
        assert_eq!(status, 422, "{what}: {err}");
        let message = err["Invalid"][field].as_str().unwrap_or_else(|| panic!("{what}: no {field} in {err}"));
        assert!(!message.is_empty(), "{what}");
    }
    // No containers at all.
    let no_containers: Vec<(String, String)> =
        ok.iter().filter(|(k, _)| !k.starts_with("form[containers]")).cloned().collect();
    let (status, err) = create(&app, &no_containers).await;
    assert_eq!(status, 422);
    assert!(err["Invalid"]["containers"].is_string(), "{err}");

    assert_eq!(registered(&app).await, Vec::<String>::new(), "nothing reached ECS");
    // The portal is still fine.
    let (status, _) = create(&app, &ok).await;
    assert!(status < 400);
}

#[tokio::test]
async fn oversized_and_undecodable_bodies_are_refused_cleanly() {
    let app = TestApp::on(Engine::Sqlite).await;
    // A 1 MB JSON view.
    let huge = format!("{{\"family\": \"{}\"}}", "a".repeat(1024 * 1024));
    let form = with(with(cwagent("big", "busybox"), "form[mode]", "json"), "form[json]", &huge);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app
        .http
        .post(format!("{}/api/create-task-definition", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body(&pairs))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert!((400..500).contains(&status), "{status} {text}");
    let err: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON error body: {text}"));
    assert!(err.is_object(), "{err}");

    // A 1 MB family.
    let form = with(cwagent("x", "busybox"), "form[family]", &"b".repeat(1024 * 1024));
    let (status, err) = create(&app, &form).await;
    assert!((400..500).contains(&status), "{status} {err}");

    // Not a form at all.
    let res = app
        .http
        .post(format!("{}/api/create-task-definition", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("form[containers][x][name]=1&%%%")
        .send()
        .await
        .unwrap();
    assert!((400..500).contains(&res.status().as_u16()), "{}", res.status());

    assert!(registered(&app).await.is_empty());
}

#[tokio::test]
async fn ecs_errors_are_mapped_to_readable_4xx_and_5xx() {
    let app = TestApp::on(Engine::Sqlite).await;
    let form = cwagent("faulty", "amazon/cloudwatch-agent:latest");

    set_faults(&app, json!({ "serverErrorRate": 1.0 })).await;
    let (status, err) = create(&app, &form).await;
    assert_eq!(status, 502, "{err}");
    assert_eq!(err["Ecs"]["code"], "ServerException", "{err}");

    set_faults(&app, json!({ "throttleRate": 1.0 })).await;
    let (status, err) = create(&app, &form).await;
    assert_eq!(status, 429, "{err}");
    assert_eq!(err["Ecs"]["code"], "ThrottlingException");
    assert!(err["Ecs"]["message"].as_str().unwrap().contains("throttling"), "{err}");
    // The list page too.
    let (status, err) = post(&app, "list-task-definitions", body(&[])).await;
    assert_eq!(status, 429, "{err}");

    set_faults(&app, json!({})).await;
    assert!(registered(&app).await.is_empty());
    let (status, _) = create(&app, &form).await;
    assert!(status < 400);
}

#[tokio::test]
async fn unknown_revisions_and_bad_parameters_are_4xx() {
    let app = TestApp::on(Engine::Sqlite).await;
    let (status, err) =
        post(&app, "get-task-definition", body(&[("family", "nope"), ("revision", "1")])).await;
    assert!((400..500).contains(&status), "{status} {err}");
    assert!(err["Ecs"]["message"].as_str().unwrap().contains("nope"), "{err}");

    let (status, err) =
        post(&app, "get-task-definition", body(&[("family", "bad name!"), ("revision", "1")])).await;
    assert_eq!(status, 422, "{err}");
    assert!(err["Invalid"]["family"].is_string());

    let (status, err) = post(&app, "get-task-definition", body(&[("family", "x"), ("revision", "0")])).await;
    assert_eq!(status, 422, "{err}");

    let (status, err) = post(&app, "get-task-definition", body(&[("family", "x"), ("revision", "-3")])).await;
    assert_eq!(status, 400, "{err}");
    assert!(err["BadRequest"].is_string(), "{err}");

    let (status, err) = post(&app, "list-task-definitions", body(&[("filter", "no spaces")])).await;
    assert_eq!(status, 422, "{err}");
    assert!(err["Invalid"]["filter"].is_string());
}

#[tokio::test]
async fn deleting_a_revision_keeps_the_family_and_reports_its_status() {
    let app = TestApp::on(Engine::Sqlite).await;
    for _ in 0..2 {
        let (status, _) = create(&app, &cwagent("to-delete", "busybox:1")).await;
        assert!(status < 400);
    }
    // A change request, executed at once (no approval needed outside a cluster in embedded mode).
    let (status, request) =
        post(&app, "delete-task-definition", body(&[("family", "to-delete"), ("revision", "1")])).await;
    assert!(status < 400, "{status} {request}");
    assert_eq!(request["kind"], "delete_revision", "{request}");
    assert_eq!(request["state"], "succeeded", "{request}");
    assert_eq!(request["from_revision"], "to-delete:1");

    let (_, detail) =
        post(&app, "get-task-definition", body(&[("family", "to-delete"), ("revision", "1")])).await;
    assert_ne!(detail["record"]["status"], "ACTIVE", "{detail}");
    let (_, page) = post(&app, "list-task-definitions", body(&[])).await;
    assert_eq!(page["rows"][0]["active_revisions"], 1, "{page}");
    assert_eq!(page["rows"][0]["latest_revision"], 2);

    // Deleting it again, or a revision that never existed, is the user's mistake.
    let (status, err) =
        post(&app, "delete-task-definition", body(&[("family", "to-delete"), ("revision", "1")])).await;
    assert!((400..500).contains(&status), "{status} {err}");
    let (status, _) =
        post(&app, "delete-task-definition", body(&[("family", "to-delete"), ("revision", "9")])).await;
    assert!((400..500).contains(&status));
}

#[tokio::test]
async fn a_daemon_using_a_revision_marks_it_deployed() {
    let app = TestApp::on(Engine::Sqlite).await;
    let (_, arn) = create(&app, &cwagent("deployed-agent", "amazon/cloudwatch-agent:latest")).await;
    let arn = arn.as_str().unwrap().to_string();
    let (_, _) = create(&app, &cwagent("idle-agent", "amazon/cloudwatch-agent:latest")).await;
    app.state
        .services
        .gateway
        .ecs
        .client
        .create_daemon()
        .cluster_arn("default")
        .daemon_name("cwagent")
        .daemon_task_definition_arn(&arn)
        .capacity_provider_arns("mi-general")
        .send()
        .await
        .expect("daemon created");

    let (status, page) = post(&app, "list-task-definitions", body(&[])).await;
    assert_eq!(status, 200, "{page}");
    let deployed: Vec<(String, bool)> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["family"].as_str().unwrap().to_string(), r["deployed"].as_bool().unwrap()))
        .collect();
    assert_eq!(deployed, vec![("deployed-agent".to_string(), true), ("idle-agent".to_string(), false)]);

    let (_, detail) =
        post(&app, "get-task-definition", body(&[("family", "deployed-agent"), ("revision", "1")])).await;
    assert_eq!(detail["daemons"][0]["daemon_name"], "cwagent", "{detail}");
    assert_eq!(detail["daemons"][0]["cluster"], "default");

    // The filter is a family prefix.
    let (_, page) = post(&app, "list-task-definitions", body(&[("filter", "idle")])).await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
    assert_eq!(page["rows"][0]["family"], "idle-agent");
}

#[tokio::test]
async fn the_family_list_pages_with_the_api_token() {
    let app = TestApp::on(Engine::Sqlite).await;
    for i in 0..27 {
        let (status, _) = create(&app, &cwagent(&format!("family-{i:02}"), "busybox")).await;
        assert!(status < 400);
    }
    let (_, first) = post(&app, "list-task-definitions", body(&[])).await;
    assert_eq!(first["rows"].as_array().unwrap().len(), 25);
    let token = first["next_token"].as_str().expect("a next page").to_string();
    let (_, second) = post(&app, "list-task-definitions", body(&[("token", &token)])).await;
    let rest: Vec<&str> =
        second["rows"].as_array().unwrap().iter().map(|r| r["family"].as_str().unwrap()).collect();
    assert_eq!(rest, vec!["family-25", "family-26"]);
    assert!(second["next_token"].is_null());
}

#[tokio::test]
async fn plain_form_posts_without_javascript_are_redirected() {
    let app = TestApp::on(Engine::Sqlite).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, app.cookie.parse().unwrap());
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let send = |form: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        no_redirects
            .post(format!("{}/api/create-task-definition", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", format!("{}/task-definitions/new", app.address))
            .body(body(&pairs))
            .send()
    };
    // Success: to the new revision's page.
    let res = send(cwagent("plain-post", "busybox")).await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/task-definitions/plain-post/1");
    // A mistake: back to the form, the error in the URL for the page to show.
    let res = send(with(cwagent("x", "busybox"), "form[family]", "bad name!")).await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("/task-definitions/new?") && location.contains("__err="), "{location}");
    let page = app.http.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Fix the 1 highlighted field"), "the form shows the error");
    assert!(page.contains("can contain only letters, digits"), "next to the family field");
}

/// ECS operations the emulator answered since the last call (and clears its log).
async fn ecs_calls(app: &TestApp) -> Vec<String> {
    let sim = app.state.services.gateway.ecs.sim_endpoint.clone().unwrap();
    let log: Value = app.http.get(format!("{sim}/_sim/requests")).send().await.unwrap().json().await.unwrap();
    app.http.delete(format!("{sim}/_sim/requests")).send().await.unwrap();
    let mut ops: Vec<String> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["operation"].as_str().unwrap().to_string())
        .collect();
    ops.sort();
    ops
}

#[tokio::test]
async fn the_list_costs_a_few_ecs_calls_whatever_the_number_of_daemons() {
    // The ECS gateway's cache on, as in production (tests turn it off by default).
    let app = TestApp::on(Engine::Sqlite).ecs_cache_ms(2_000).await;
    let (_, arn) = create(&app, &cwagent("many-daemons", "busybox:1")).await;
    let arn = arn.as_str().unwrap().to_string();
    for i in 0..6 {
        app.state
            .services
            .gateway
            .ecs
            .client
            .create_daemon()
            .cluster_arn("default")
            .daemon_name(format!("d{i}"))
            .daemon_task_definition_arn(&arn)
            .capacity_provider_arns("mi-general")
            .send()
            .await
            .unwrap();
    }
    ecs_calls(&app).await;
    let (status, _) = post(&app, "list-task-definitions", body(&[])).await;
    assert_eq!(status, 200);
    let first = ecs_calls(&app).await;
    // Revisions are described in batches of 20; each daemon once.
    assert_eq!(first.iter().filter(|o| *o == "DescribeDaemonRevisions").count(), 1, "{first:?}");
    // A second view reuses what did not change: no call per daemon.
    let (status, page) = post(&app, "list-task-definitions", body(&[])).await;
    assert_eq!(status, 200);
    assert_eq!(page["rows"][0]["deployed"], true);
    let second = ecs_calls(&app).await;
    assert!(!second.iter().any(|o| o == "DescribeDaemon" || o == "DescribeDaemonRevisions"), "{second:?}");
    assert!(second.len() <= 5, "{second:?}");
}
