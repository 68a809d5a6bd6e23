//! The `/api/v1` contract: every documented route is called, and every answer, errors
//! included, is validated against the generated OpenAPI document with a JSON Schema validator
//! (its status must be documented for the operation, its body must fit the schema). The calls
//! are what a CI job does: register the revision it just built, deploy it, get the prod update
//! approved, and watch the daemon until it runs the new revision. Then the other routes, and
//! idempotency keys.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::{
    api_v1::token_for,
    helpers::{Engine, TestApp},
};

/// Calls the API and checks each answer against the document.
struct Contract {
    base: String,
    doc: Value,
    /// (method, path template) of every call made.
    covered: BTreeSet<(String, String)>,
}

impl Contract {
    fn new(app: &TestApp) -> Self {
        Self {
            base: format!("{}/api/v1", app.address),
            doc: server::api_v1::document(),
            covered: BTreeSet::new(),
        }
    }

    /// The documented path that `path` (query stripped) is an instance of; literal segments win.
    fn template(&self, path: &str) -> String {
        let path = path.split('?').next().unwrap();
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(usize, String)> = None;
        for t in self.doc["paths"].as_object().unwrap().keys() {
            let ts: Vec<&str> = t.trim_start_matches('/').split('/').collect();
            if ts.len() != segs.len() {
                continue;
            }
            let fits = ts.iter().zip(&segs).all(|(t, s)| t.starts_with('{') || t == s);
            let literal = ts.iter().filter(|t| !t.starts_with('{')).count();
            if fits && best.as_ref().is_none_or(|(n, _)| literal > *n) {
                best = Some((literal, t.clone()));
            }
        }
        best.unwrap_or_else(|| panic!("{path} is not a documented path")).1
    }

    async fn send(
        &mut self,
        http: &reqwest::Client,
        method: &str,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (u16, Value) {
        let mut req = http.request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(b) = &body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        // Exports answer text, everything else JSON: the check below tells them apart (a text
        // answer where the document promises JSON does not fit the schema).
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        let template = self.template(path);
        self.check(method, &template, status, &value);
        self.covered.insert((method.to_lowercase(), template));
        (status, value)
    }

    fn check(&self, method: &str, template: &str, status: u16, body: &Value) {
        let op = &self.doc["paths"][template][method.to_lowercase()];
        let response = &op["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {template} answered {status}, which is not documented: {body}"
        );
        let Some(schema) = response["content"]["application/json"]["schema"].as_object() else {
            return;
        };
        let mut root = schema.clone();
        root.insert("components".into(), self.doc["components"].clone());
        let validator = jsonschema::draft202012::new(&Value::Object(root))
            .unwrap_or_else(|e| panic!("{method} {template} {status}: schema does not compile: {e}"));
        let errors: Vec<String> =
            validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path)).collect();
        assert!(
            errors.is_empty(),
            "{method} {template} {status} does not fit the document:\n{}\n{body:#}",
            errors.join("\n")
        );
    }

    fn assert_all_covered(&self) {
        let mut missing = Vec::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for method in ["get", "put", "post", "delete", "patch"] {
                if item.get(method).is_some() && !self.covered.contains(&(method.to_string(), path.clone())) {
                    missing.push(format!("{method} {path}"));
                }
            }
        }
        assert!(missing.is_empty(), "routes the contract test never called: {missing:?}");
    }
}

fn definition(image: &str) -> Value {
    json!({
        "family": "ci-agent",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{
            "name": "agent", "image": image, "essential": true, "cpu": 256, "memory": 512,
            "environment": [{"name": "MODE", "value": "ci"}]
        }]
    })
}

/// Advances the emulator until `GET /daemons/{cluster}/{name}` runs `revision` everywhere
/// with no deployment moving.
async fn until_running(
    c: &mut Contract,
    app: &TestApp,
    http: &reqwest::Client,
    cluster: &str,
    name: &str,
    revision: &str,
) -> Value {
    for _ in 0..200 {
        let (status, d) = c.send(http, "GET", &format!("/daemons/{cluster}/{name}"), None, None).await;
        if status == 200
            && d["current_revisions"]
                .as_array()
                .is_some_and(|r| r.len() == 1 && r[0]["definition"] == revision)
            && d["deployment"]["active"] == false
            && d["instances"].as_i64() == d["instances_running"].as_i64()
        {
            return d;
        }
        app.advance(5.0).await;
        tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    }
    panic!("{cluster}/{name} never ran {revision} everywhere");
}

async fn until_state(c: &mut Contract, app: &TestApp, http: &reqwest::Client, id: &str, want: &str) -> Value {
    for _ in 0..200 {
        let (_, d) = c.send(http, "GET", &format!("/change-requests/{id}"), None, None).await;
        if d["request"]["state"] == want {
            return d;
        }
        app.advance(5.0).await;
        tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    }
    panic!("request {id} never became {want}");
}

async fn every_route_answers_as_documented(engine: Engine) {
    let app = TestApp::on(engine).manual_clock().worker_every_ms(100).without_drift().await;
    let mut c = Contract::new(&app);
    let anonymous = reqwest::Client::new();
    let alice = token_for(&app, "alice").await;
    let bob = token_for(&app, "bob").await;
    let carol = token_for(&app, "carol").await;
    let admin = token_for(&app, "admin").await;

    // Public and identity.
    assert_eq!(c.send(&anonymous, "GET", "/openapi.json", None, None).await.0, 200);
    assert_eq!(c.send(&anonymous, "GET", "/me", None, None).await.0, 401);
    let (_, me) = c.send(&alice, "GET", "/me", None, None).await;
    assert_eq!(me["auth"], "token");

    // 1. The CI job registers the revision it just built…
    let (status, td) = c
        .send(&alice, "POST", "/task-definitions", Some(definition("example/agent:1.0")), Some("build-41"))
        .await;
    assert_eq!(status, 201, "{td}");
    assert_eq!(td["revision"], 1);
    assert_eq!(td["definition"]["containerDefinitions"][0]["image"], "example/agent:1.0");
    let (status, bad) = c
        .send(
            &alice,
            "POST",
            "/task-definitions",
            Some(json!({"family": "x y", "containerDefinitions": []})),
            None,
        )
        .await;
    assert_eq!((status, bad["error"]["code"].as_str()), (422, Some("invalid")), "{bad}");
    assert_eq!(
        c.send(&carol, "POST", "/task-definitions", Some(definition("example/agent:1.0")), None).await.0,
        403
    );

    // 2. …deploys it on the prod cluster (one approval from platform)…
    let deploy = json!({"kind": "deploy", "cluster": "prod", "daemon": "ci-agent", "family": "ci-agent",
        "capacity_providers": ["mi-prod-a"], "drain_percent": 50, "bake_time_minutes": 0});
    let (status, created) = c.send(&alice, "POST", "/change-requests", Some(deploy), Some("deploy-41")).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["state"], "pending");
    let id = created["id"].as_str().unwrap().to_string();
    let (_, detail) = c.send(&bob, "GET", &format!("/change-requests/{id}"), None, None).await;
    let version = detail["version"].as_i64().unwrap();
    let (status, approved) = c
        .send(
            &bob,
            "POST",
            &format!("/change-requests/{id}/approve"),
            Some(json!({"version": version})),
            None,
        )
        .await;
    assert_eq!(status, 200, "{approved}");
    until_state(&mut c, &app, &alice, &id, "succeeded").await;
    until_running(&mut c, &app, &alice, "prod", "ci-agent", "ci-agent:1").await;

    // 3. …and the next build updates it: register, request the update, approval, watch.
    let (_, td2) = c
        .send(&alice, "POST", "/task-definitions", Some(definition("example/agent:1.1")), Some("build-42"))
        .await;
    assert_eq!(td2["revision"], 2);
    let (_, daemon) = c.send(&alice, "GET", "/daemons/prod/ci-agent", None, None).await;
    let update = json!({"kind": "deploy", "daemon_arn": daemon["arn"], "cluster": "prod", "daemon": "ci-agent",
        "family": "ci-agent", "revision": 2, "capacity_providers": ["mi-prod-a"], "drain_percent": 50});
    let (status, upd) = c.send(&alice, "POST", "/change-requests", Some(update), None).await;
    assert_eq!(status, 201, "{upd}");
    let uid = upd["id"].as_str().unwrap().to_string();
    // The requester edits it before approval (the drain goes to 100 %).
    let edit = json!({"settings": {"daemon_arn": daemon["arn"], "cluster": "prod", "daemon": "ci-agent",
        "family": "ci-agent", "revision": 2, "capacity_providers": ["mi-prod-a"], "drain_percent": 100}});
    let (status, edited) = c.send(&alice, "PUT", &format!("/change-requests/{uid}"), Some(edit), None).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["settings"]["drain_percent"], 100.0);
    assert_eq!(
        c.send(&bob, "PUT", &format!("/change-requests/{uid}"), Some(json!({"settings": {}})), None).await.0,
        403
    );
    let (status, stale) = c
        .send(&bob, "POST", &format!("/change-requests/{uid}/approve"), Some(json!({"version": 1})), None)
        .await;
    assert_eq!((status, stale["error"]["code"].as_str()), (409, Some("conflict")), "{stale}");
    let (status, _) = c
        .send(&bob, "POST", &format!("/change-requests/{uid}/approve"), Some(json!({"version": 2})), None)
        .await;
    assert_eq!(status, 200);
    until_state(&mut c, &app, &alice, &uid, "succeeded").await;
    let d = until_running(&mut c, &app, &alice, "prod", "ci-agent", "ci-agent:2").await;
    assert_eq!(d["settings"]["drain_percent"], 100.0);
    let (_, deployments) =
        c.send(&carol, "GET", "/daemons/prod/ci-agent/deployments?limit=1", None, None).await;
    assert_eq!(deployments["items"][0]["target"], "ci-agent:2", "newest first: {deployments}");
    let next = deployments["next"].as_str().expect("a second page").to_string();
    let (_, older) = c
        .send(&carol, "GET", &format!("/daemons/prod/ci-agent/deployments?limit=1&after={next}"), None, None)
        .await;
    assert_eq!(older["items"][0]["target"], "ci-agent:1", "{older}");

    // Reads: families, revisions, daemons, clusters, instances, history.
    let (_, families) = c.send(&carol, "GET", "/task-definitions?family_prefix=ci-", None, None).await;
    assert_eq!(families["items"][0]["family"], "ci-agent");
    assert_eq!(families["items"][0]["latest_revision"], 2);
    let (_, revisions) = c.send(&carol, "GET", "/task-definitions/ci-agent?limit=1", None, None).await;
    assert_eq!(revisions["items"][0]["revision"], 1);
    let (_, rev2) = c
        .send(
            &carol,
            "GET",
            &format!("/task-definitions/ci-agent?after={}", revisions["next"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(rev2["items"][0]["revision"], 2);
    assert_eq!(c.send(&carol, "GET", "/task-definitions/no-such-family", None, None).await.0, 404);
    let (_, got) = c.send(&carol, "GET", "/task-definitions/ci-agent/2", None, None).await;
    assert_eq!(got["definition"]["containerDefinitions"][0]["environment"][0]["value"], "ci");
    assert_eq!(c.send(&carol, "GET", "/task-definitions/ci-agent/99", None, None).await.0, 404);
    let (_, daemons) = c.send(&carol, "GET", "/daemons?cluster=prod&family=ci-agent", None, None).await;
    assert_eq!(daemons["items"].as_array().unwrap().len(), 1, "{daemons}");
    assert_eq!(daemons["items"][0]["revisions"], json!(["ci-agent:2"]));
    assert_eq!(c.send(&carol, "GET", "/daemons?limit=0", None, None).await.0, 422);
    assert_eq!(c.send(&carol, "GET", "/daemons/prod/nope", None, None).await.0, 404);
    let (_, clusters) = c.send(&carol, "GET", "/clusters?limit=1", None, None).await;
    assert_eq!(clusters["items"].as_array().unwrap().len(), 1);
    assert!(clusters["next"].is_string(), "{clusters}");
    let (_, prod) = c.send(&carol, "GET", "/clusters/prod", None, None).await;
    assert_eq!(prod["name"], "prod");
    let (_, providers) = c.send(&carol, "GET", "/clusters/prod/capacity-providers", None, None).await;
    assert!(providers["items"].as_array().unwrap().iter().any(|p| p["name"] == "mi-prod-a"));
    let (_, instances) = c
        .send(&carol, "GET", "/clusters/prod/instances?capacity_provider=mi-prod-a&limit=2", None, None)
        .await;
    assert!(instances["items"].as_array().unwrap().iter().all(|i| i["capacity_provider"] == "mi-prod-a"));
    assert!(instances["items"][0]["daemon_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["definition"] == "ci-agent:2"));
    assert_eq!(c.send(&carol, "GET", "/clusters/nope", None, None).await.0, 404);
    let (_, history) = c.send(&carol, "GET", "/history?cluster=prod&daemon=ci-agent", None, None).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2, "{history}");
    assert_eq!(c.send(&carol, "GET", "/history?status=nope", None, None).await.0, 422);
    let (_, list) =
        c.send(&alice, "GET", "/change-requests?inbox=mine&state=succeeded&limit=1", None, None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(list["next"].is_string(), "{list}");
    let (_, list2) = c
        .send(
            &alice,
            "GET",
            &format!(
                "/change-requests?inbox=mine&state=succeeded&limit=1&after={}",
                list["next"].as_str().unwrap()
            ),
            None,
            None,
        )
        .await;
    assert_ne!(list2["items"][0]["id"], list["items"][0]["id"]);
    assert_eq!(c.send(&alice, "GET", "/change-requests?inbox=nope", None, None).await.0, 422);

    // Reject, cancel, override a freeze, delete a revision.
    let del = json!({"kind": "delete_daemon", "cluster": "prod", "daemon": "ci-agent"});
    let (_, r) = c.send(&alice, "POST", "/change-requests", Some(del.clone()), None).await;
    let rid = r["id"].as_str().unwrap().to_string();
    let (status, body) = c
        .send(&bob, "POST", &format!("/change-requests/{rid}/reject"), Some(json!({"version": 1})), None)
        .await;
    assert_eq!((status, body["error"]["fields"]["comment"].is_string()), (422, true), "{body}");
    let (status, rejected) = c
        .send(
            &bob,
            "POST",
            &format!("/change-requests/{rid}/reject"),
            Some(json!({"version": 1, "comment": "not now"})),
            None,
        )
        .await;
    assert_eq!((status, rejected["state"].as_str()), (200, Some("rejected")));
    let (_, r) = c.send(&alice, "POST", "/change-requests", Some(del), None).await;
    let cid = r["id"].as_str().unwrap().to_string();
    assert_eq!(c.send(&bob, "POST", &format!("/change-requests/{cid}/cancel"), None, None).await.0, 403);
    let (status, cancelled) =
        c.send(&alice, "POST", &format!("/change-requests/{cid}/cancel"), None, None).await;
    assert_eq!((status, cancelled["request"]["state"].as_str()), (200, Some("cancelled")));
    assert_eq!(c.send(&alice, "POST", &format!("/change-requests/{cid}/cancel"), None, None).await.0, 409);
    assert_eq!(
        c.send(
            &alice,
            "POST",
            &format!("/change-requests/{cid}/override-freeze"),
            Some(json!({"reason": "x"})),
            None
        )
        .await
        .0,
        403
    );
    let (status, _) = c
        .send(
            &admin,
            "POST",
            &format!("/change-requests/{cid}/override-freeze"),
            Some(json!({"reason": "incident 7"})),
            None,
        )
        .await;
    assert_eq!(status, 409, "a cancelled request is not frozen");
    assert_eq!(c.send(&carol, "GET", "/change-requests/nope", None, None).await.0, 404);
    let (status, deletion) =
        c.send(&alice, "DELETE", "/task-definitions/ci-agent/1?environment=", None, None).await;
    assert_eq!(status, 202, "{deletion}");
    assert_eq!(deletion["kind"], "delete_revision");

    // Pipelines and promotions.
    let pipeline = json!({"stages": [{"name": "canary", "cluster": "default", "daemon": "ci-canary",
        "capacity_providers": ["mi-canary"], "soak_seconds": 0}]});
    let (status, saved) = c.send(&alice, "PUT", "/pipelines/ci", Some(pipeline), None).await;
    assert_eq!(status, 200, "{saved}");
    let (status, bad) = c.send(&alice, "PUT", "/pipelines/ci", Some(json!({"stages": [{"name": "", "cluster": "default", "daemon": "d", "capacity_providers": []}]})), None).await;
    assert_eq!(status, 422, "{bad}");
    let (_, pipelines) = c.send(&carol, "GET", "/pipelines", None, None).await;
    assert!(pipelines["items"].as_array().unwrap().iter().any(|p| p["name"] == "ci"));
    let (status, promotion) = c
        .send(
            &alice,
            "POST",
            "/promotions",
            Some(json!({"pipeline": "ci", "revision": "ci-agent:2"})),
            Some("promote-42"),
        )
        .await;
    assert_eq!(status, 201, "{promotion}");
    let pid = promotion["promotion"]["id"].as_str().unwrap().to_string();
    let (_, list) = c.send(&carol, "GET", "/promotions?pipeline=ci", None, None).await;
    assert_eq!(list["items"][0]["id"], pid.as_str());
    let (status, _) = c.send(&carol, "GET", &format!("/promotions/{pid}"), None, None).await;
    assert_eq!(status, 200);
    assert_eq!(c.send(&carol, "GET", "/promotions/nope", None, None).await.0, 404);
    let (status, paused) = c.send(&alice, "POST", &format!("/promotions/{pid}/pause"), None, None).await;
    assert_eq!(status, 200, "{paused}");
    assert_eq!(c.send(&alice, "POST", &format!("/promotions/{pid}/dance"), None, None).await.0, 404);

    // Idempotency: the same key and body answer the first result, once.
    let (status, again) = c
        .send(&alice, "POST", "/task-definitions", Some(definition("example/agent:1.1")), Some("build-42"))
        .await;
    assert_eq!(
        (status, again["revision"].as_i64()),
        (201, Some(2)),
        "replayed, not registered again: {again}"
    );
    let (_, revisions) = c.send(&carol, "GET", "/task-definitions/ci-agent", None, None).await;
    assert_eq!(revisions["items"].as_array().unwrap().len(), 2, "{revisions}");
    let (status, again) = c
        .send(
            &alice,
            "POST",
            "/promotions",
            Some(json!({"pipeline": "ci", "revision": "ci-agent:2"})),
            Some("promote-42"),
        )
        .await;
    assert_eq!((status, again["promotion"]["id"].as_str()), (201, Some(pid.as_str())));
    let (status, reused) = c
        .send(&alice, "POST", "/task-definitions", Some(definition("example/agent:9")), Some("build-42"))
        .await;
    assert_eq!((status, reused["error"]["code"].as_str()), (422, Some("idempotency_key_reused")), "{reused}");
    // Keys are the caller's own: bob's "build-42" is a new call (refused on its own merits).
    let (status, _) = c
        .send(&bob, "POST", "/task-definitions", Some(definition("example/agent:1.1")), Some("build-42"))
        .await;
    assert_eq!(status, 403);

    // Delivery metrics: the create and the update on prod, both successful.
    let (status, delivery) =
        c.send(&carol, "GET", "/delivery-metrics?cluster=prod&period=7", None, None).await;
    assert_eq!(status, 200, "{delivery}");
    assert_eq!(
        (delivery["deployments"].as_u64(), delivery["failures"].as_u64()),
        (Some(2), Some(0)),
        "{delivery}"
    );
    assert!(delivery["lead_time_median_ms"].as_i64().is_some_and(|ms| ms > 0), "{delivery}");
    assert_eq!(c.send(&carol, "GET", "/delivery-metrics?period=14", None, None).await.0, 422);

    // Exports: Terraform as text; the CLI JSON registers as an identical revision.
    let (status, tf) =
        c.send(&carol, "GET", "/exports?format=terraform&cluster=prod&daemon=ci-agent", None, None).await;
    assert_eq!(status, 200);
    assert!(
        tf.as_str().is_some_and(|t| t.contains("aws_ecs_daemon") && t.contains("example/agent:1.1")),
        "{tf}"
    );
    assert_eq!(
        c.send(&carol, "GET", "/exports?format=nope&family=ci-agent&revision=2", None, None).await.0,
        422
    );
    assert_eq!(
        c.send(&carol, "GET", "/exports?format=terraform&family=ci-agent&revision=99", None, None).await.0,
        404
    );
    let (status, cli) =
        c.send(&carol, "GET", "/exports?format=cli-json&family=ci-agent&revision=2", None, None).await;
    assert_eq!(status, 200, "{cli}");
    let (status, td3) = c.send(&alice, "POST", "/task-definitions", Some(cli), None).await;
    assert_eq!(status, 201, "{td3}");
    assert_eq!(td3["revision"], 3);
    assert_eq!(td3["definition"], got["definition"], "the export registers as the same definition");

    c.assert_all_covered();
}

on_both!(every_route_answers_as_documented);

#[tokio::test]
async fn the_document_is_openapi_3_1_and_every_ref_resolves() {
    let app = TestApp::on(Engine::Sqlite).await;
    let doc = server::api_v1::document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap();
        assert!(doc["components"]["schemas"][name].is_object(), "dangling $ref {name}");
    }
    // Every response body type is this API's own (no UI view model leaks in by name).
    for leaked in ["ChangeRequestRow", "DaemonDetail", "PromotionView", "DeployDraft"] {
        assert!(doc["components"]["schemas"][leaked].is_null(), "{leaked} is a UI type");
    }
    let (_, served) = crate::api_v1::send(
        &reqwest::Client::new(),
        "GET",
        &format!("{}/api/v1/openapi.json", app.address),
        None,
    )
    .await;
    assert_eq!(served, doc);
}
