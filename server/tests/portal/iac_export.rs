//! `GET /iac/export`: a rich revision and two daemons made through the portal against the
//! embedded emulator, exported in every format over HTTP, parsed back (JSON, YAML, HCL) and
//! compared field by field with what ECS describes (read as raw awsJson, not through the
//! portal); the CLI JSON sent back to ECS as the CLI would gives the same definition and daemon.

use hcl::{
    eval::{Context, Evaluate},
    Block, Body, Expression,
};
use serde_json::{json, Map, Value};

use crate::helpers::{Engine, TestApp};

const EXEC_ROLE: &str = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
const TASK_ROLE: &str = "arn:aws:iam::123456789012:role/agent-task";
const TRICKY_JSON: &str = "{\"logs\": {\"x\": \"${HOME} %{y}\"}}";
const TRICKY_TEXT: &str = "yes\nno: 'quoted' # not a comment";

/// An ECS call as the AWS CLI sends it: the JSON body verbatim, SigV4-shaped (ecs-sim takes any
/// key; this one maps to the default account).
async fn ecs(app: &TestApp, op: &str, body: &Value) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/", app.sim()))
        .header("x-amz-target", format!("AmazonEC2ContainerServiceV20141113.{op}"))
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn ecs_ok(app: &TestApp, op: &str, body: Value) -> Value {
    let (status, v) = ecs(app, op, &body).await;
    assert_eq!(status, 200, "{op}: {v}");
    v
}

/// Drops nulls and empty lists, which mean "not set" on the wire.
fn clean(v: Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, clean(v)))
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(clean).collect()),
        other => other,
    }
}

/// PascalCase keys (CloudFormation) → the API's camelCase; log driver options keep theirs.
fn camel(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let key = c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap();
                    (key, camel(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(camel).collect()),
        other => other.clone(),
    }
}

/// DescribeDaemonTaskDefinition without what each registration sets anew.
async fn described_definition(app: &TestApp, reference: &str) -> Value {
    let mut v =
        ecs_ok(app, "DescribeDaemonTaskDefinition", json!({ "daemonTaskDefinition": reference })).await;
    let mut td = v["daemonTaskDefinition"].take();
    let o = td.as_object_mut().unwrap();
    for k in
        ["daemonTaskDefinitionArn", "revision", "status", "registeredAt", "registeredBy", "deleteRequestedAt"]
    {
        o.remove(k);
    }
    clean(td)
}

/// A daemon's settings as ECS describes them: DescribeDaemon, its deployment
/// (DescribeDaemonDeployments: configuration, providers), the target revision
/// (DescribeDaemonRevisions: definition, flags) and ListTagsForResource, in CreateDaemon's shape.
async fn described_daemon(app: &TestApp, name: &str) -> Value {
    let arn = format!("arn:aws:ecs:us-east-1:123456789012:daemon/default/{name}");
    let d = ecs_ok(app, "DescribeDaemon", json!({ "daemonArn": arn })).await["daemon"].clone();
    let deps =
        ecs_ok(app, "DescribeDaemonDeployments", json!({ "daemonDeploymentArns": [d["deploymentArn"]] }))
            .await;
    let dep = &deps["daemonDeployments"][0];
    let target = &dep["targetDaemonRevision"];
    let revs = ecs_ok(app, "DescribeDaemonRevisions", json!({ "daemonRevisionArns": [target["arn"]] })).await;
    let rev = &revs["daemonRevisions"][0];
    let tags = ecs_ok(app, "ListTagsForResource", json!({ "resourceArn": arn })).await["tags"].clone();
    let mut providers: Vec<&str> =
        target["capacityProviders"].as_array().unwrap().iter().map(|p| p["arn"].as_str().unwrap()).collect();
    providers.sort();
    let mut tags = tags.as_array().unwrap().clone();
    tags.sort_by_key(|t| t["key"].as_str().unwrap().to_string());
    clean(json!({
        "daemonName": name,
        "clusterArn": d["clusterArn"],
        "daemonTaskDefinitionArn": rev["daemonTaskDefinitionArn"],
        "capacityProviderArns": providers,
        "deploymentConfiguration": dep["deploymentConfiguration"],
        "propagateTags": rev["propagateTags"],
        "enableECSManagedTags": rev["enableECSManagedTags"],
        "enableExecuteCommand": rev["enableExecuteCommand"],
        "critical": rev["critical"],
        "tags": tags,
    }))
}

/// An exported daemon in CreateDaemon's shape, providers sorted (the order carries no meaning).
fn normalized_daemon(mut d: Value, definition_arn: &str) -> Value {
    d["daemonTaskDefinitionArn"] = json!(definition_arn);
    let mut providers: Vec<Value> = d["capacityProviderArns"].as_array().unwrap().clone();
    providers.sort_by_key(|p| p.as_str().unwrap().to_string());
    d["capacityProviderArns"] = Value::Array(providers);
    clean(d)
}

async fn get(
    app: &TestApp,
    http: &reqwest::Client,
    query: &str,
) -> (u16, String, reqwest::header::HeaderMap) {
    let res = http.get(format!("{}/iac/export?{query}", app.address)).send().await.unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, res.text().await.unwrap(), headers)
}

async fn export(app: &TestApp, query: &str) -> String {
    let (status, body, _) = get(app, &app.http, query).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

/// The template's resources of `kind`, by logical ID.
fn resources<'a>(t: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == kind).collect()
}

// --- Terraform, read back as Terraform would: every expression evaluated. ---

fn attrs(body: &Body) -> Map<String, Value> {
    body.attributes()
        .filter_map(|a| Some((a.key().to_string(), a.expr().evaluate(&Context::new()).ok()?)))
        .map(|(k, v)| (k, serde_json::to_value(v).unwrap()))
        .collect()
}

fn blocks<'a>(body: &'a Body, ident: &str) -> Vec<&'a Block> {
    body.blocks().filter(|b| b.identifier() == ident).collect()
}

fn hcl_resources<'a>(body: &'a Body, kind: &str) -> Vec<&'a Block> {
    blocks(body, "resource").into_iter().filter(|b| b.labels()[0].as_str() == kind).collect()
}

/// `aws_ecs_daemon_task_definition` → RegisterDaemonTaskDefinition's shape.
fn hcl_definition(b: &Block) -> Value {
    let a = attrs(b.body());
    let containers: Vec<Value> = blocks(b.body(), "container_definition")
        .iter()
        .map(|c| {
            let ca = attrs(c.body());
            let env: Vec<Value> = blocks(c.body(), "environment")
                .iter()
                .map(|e| {
                    let ea = attrs(e.body());
                    json!({ "name": ea["name"], "value": ea["value"] })
                })
                .collect();
            let logs = blocks(c.body(), "log_configuration").first().map(|l| {
                let la = attrs(l.body());
                json!({ "logDriver": la["log_driver"], "options": la["options"] })
            });
            json!({
                "name": ca["name"], "image": ca["image"], "essential": ca["essential"],
                "cpu": ca["cpu"], "memory": ca["memory"], "environment": env, "logConfiguration": logs,
            })
        })
        .collect();
    clean(json!({
        "family": a["family"],
        "taskRoleArn": a.get("task_role_arn"),
        "executionRoleArn": a.get("execution_role_arn"),
        "cpu": a.get("cpu"),
        "memory": a.get("memory"),
        "containerDefinitions": containers,
    }))
}

/// `aws_ecs_daemon` → CreateDaemon's shape; the definition ARN is what its reference names.
fn hcl_daemon(b: &Block, definition_arn: &str) -> Value {
    let a = attrs(b.body());
    let config = blocks(b.body(), "deployment_configuration")[0];
    let ca = attrs(config.body());
    let alarms = blocks(config.body(), "alarms").first().map(|al| {
        let aa = attrs(al.body());
        json!({ "alarmNames": aa["alarm_names"], "enable": aa["enable"] })
    });
    let mut tags: Vec<Value> = a
        .get("tags")
        .and_then(Value::as_object)
        .map(|t| t.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect())
        .unwrap_or_default();
    tags.sort_by_key(|t| t["key"].as_str().unwrap().to_string());
    // Critical is no argument of aws_ecs_daemon: the export says so in a comment.
    normalized_daemon(
        json!({
            "daemonName": a["name"],
            "clusterArn": a["cluster_arn"],
            "capacityProviderArns": a["capacity_provider_arns"],
            "deploymentConfiguration": {
                // A float however HCL wrote it (`25` reads back as an integer).
                "drainPercent": ca["drain_percent"].as_f64(),
                "bakeTimeInMinutes": ca["bake_time_in_minutes"],
                "alarms": alarms,
            },
            "propagateTags": a["propagate_tags"],
            "enableECSManagedTags": a["enable_ecs_managed_tags"],
            "enableExecuteCommand": a["enable_execute_command"],
            "tags": tags,
        }),
        definition_arn,
    )
}

async fn setup(engine: Engine) -> TestApp {
    let app = TestApp::on(engine).roles(&[EXEC_ROLE, TASK_ROLE]).manual_clock().await;
    let (status, body) = app
        .call(
            "create-task-definition",
            &[
                ("form[family]", "iac-agent"),
                ("form[task_role]", TASK_ROLE),
                ("form[execution_role]", EXEC_ROLE),
                ("form[task_cpu]", "0.5"),
                ("form[task_memory]", "0.5"),
                ("form[region]", "us-east-1"),
                ("form[containers][0][name]", "cwagent"),
                ("form[containers][0][image]", "amazon/cloudwatch-agent:1.300"),
                ("form[containers][0][essential]", "on"),
                ("form[containers][0][cpu]", "0.25"),
                ("form[containers][0][memory]", "0.25"),
                ("form[containers][0][env][0][key]", "CW_CONFIG_CONTENT"),
                ("form[containers][0][env][0][value]", TRICKY_JSON),
                ("form[containers][0][env][1][key]", "MODE"),
                ("form[containers][0][env][1][value]", TRICKY_TEXT),
                ("form[containers][0][auto_logs]", "on"),
                ("form[containers][0][log_group]", "/ecs/iac-agent"),
                ("form[containers][1][name]", "sidecar"),
                ("form[containers][1][image]", "busybox:1"),
                ("form[containers][1][cpu]", "0.125"),
                ("form[containers][1][memory]", "0.125"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let base = [
        ("form[cluster]", "default"),
        ("form[family]", "iac-agent"),
        ("form[revision]", "1"),
        ("form[capacity_providers][0]", "mi-general"),
        ("form[capacity_providers][1]", "mi-canary"),
    ];
    // Every setting off its default.
    let mut rich = base.to_vec();
    rich.extend([
        ("form[daemon_name]", "cwagent"),
        ("form[drain_percent]", "12.5"),
        ("form[bake_time]", "15"),
        ("form[alarms][0]", "daemon-errors"),
        ("form[other_alarms]", "app-5xx"),
        ("form[rollback_on_alarm]", "on"),
        ("form[tags]", "team=platform\ncost-center=42"),
        ("form[propagate_tags]", "DAEMON"),
        ("form[ecs_managed_tags]", "on"),
        ("form[execute_command]", "on"),
    ]);
    let mut plain = base.to_vec();
    plain.extend([
        ("form[daemon_name]", "plain"),
        ("form[drain_percent]", "25"),
        ("form[bake_time]", "0"),
        ("form[critical]", "on"),
        ("form[propagate_tags]", "NONE"),
    ]);
    for form in [rich, plain] {
        let (status, body) = app.call("deploy-daemon", &form).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["request"]["state"], "executing", "{body}");
    }
    app
}

async fn exports_reproduce_the_revision_and_the_daemons(engine: Engine) {
    let app = setup(engine).await;
    let definition = described_definition(&app, "iac-agent:1").await;
    assert_eq!(definition["containerDefinitions"][0]["environment"][0]["value"], TRICKY_JSON, "{definition}");
    let td_arn = "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/iac-agent:1";
    let rich = described_daemon(&app, "cwagent").await;
    let plain = described_daemon(&app, "plain").await;
    assert_eq!(rich["deploymentConfiguration"]["drainPercent"], 12.5, "{rich}");
    assert_eq!(rich["critical"], false, "{rich}");
    assert_eq!(rich["tags"].as_array().unwrap().len(), 2, "{rich}");
    assert_eq!(plain["critical"], true, "{plain}");

    // The revision: CloudFormation in YAML and JSON, the same template, the same definition.
    let rev = "family=iac-agent&revision=1";
    let yaml = export(&app, &format!("format=cloudformation-yaml&{rev}")).await;
    let json_text = export(&app, &format!("format=cloudformation-json&{rev}")).await;
    let from_yaml: Value = serde_norway::from_str(&yaml).unwrap();
    let from_json: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(from_yaml, from_json);
    assert_eq!(from_yaml["AWSTemplateFormatVersion"], "2010-09-09");
    let tds = resources(&from_yaml, "AWS::ECS::DaemonTaskDefinition");
    assert_eq!(tds.len(), 1);
    assert!(resources(&from_yaml, "AWS::ECS::Daemon").is_empty());
    assert_eq!(clean(camel(&tds[0].1["Properties"])), definition);

    // Terraform of the revision.
    let tf = export(&app, &format!("format=terraform&{rev}")).await;
    let body: Body = hcl::parse(&tf).unwrap();
    let blocks = hcl_resources(&body, "aws_ecs_daemon_task_definition");
    assert_eq!(blocks.len(), 1);
    assert_eq!(hcl_definition(blocks[0]), definition);

    // The selection (both daemons, one revision): CloudFormation.
    let sel = "cluster=default&daemon=cwagent&daemon=plain";
    let yaml = export(&app, &format!("format=cloudformation-yaml&{sel}")).await;
    let json_text = export(&app, &format!("format=cloudformation-json&{sel}")).await;
    let from_yaml: Value = serde_norway::from_str(&yaml).unwrap();
    assert_eq!(from_yaml, serde_json::from_str::<Value>(&json_text).unwrap());
    let tds = resources(&from_yaml, "AWS::ECS::DaemonTaskDefinition");
    assert_eq!(tds.len(), 1, "one resource for the revision both daemons run");
    assert_eq!(clean(camel(&tds[0].1["Properties"])), definition);
    let daemons = resources(&from_yaml, "AWS::ECS::Daemon");
    assert_eq!(daemons.len(), 2);
    for ((_, d), want) in daemons.iter().zip([&rich, &plain]) {
        let props = &d["Properties"];
        assert_eq!(props["DaemonTaskDefinitionArn"], json!({ "Ref": tds[0].0 }));
        assert_eq!(&normalized_daemon(camel(props), td_arn), want);
    }

    // The selection in Terraform: the daemons refer to the definition's resource.
    let tf = export(&app, &format!("format=terraform&{sel}")).await;
    assert!(tf.starts_with("# aws_ecs_daemon.cwagent: the daemon is not critical"), "{tf}");
    let body: Body = hcl::parse(&tf).unwrap();
    let tds = hcl_resources(&body, "aws_ecs_daemon_task_definition");
    assert_eq!(tds.len(), 1);
    assert_eq!(hcl_definition(tds[0]), definition);
    let td_name = tds[0].labels()[1].as_str();
    let daemons = hcl_resources(&body, "aws_ecs_daemon");
    assert_eq!(daemons.len(), 2);
    for (d, want) in daemons.iter().zip([&rich, &plain]) {
        let reference =
            d.body().attributes().find(|a| a.key() == "daemon_task_definition_arn").unwrap().expr();
        let Expression::Traversal(t) = reference else { panic!("{reference:?}") };
        assert_eq!(
            hcl::format::to_string(&**t).unwrap(),
            format!("aws_ecs_daemon_task_definition.{td_name}.arn")
        );
        let mut want = want.clone();
        want.as_object_mut().unwrap().remove("critical");
        assert_eq!(hcl_daemon(d, td_arn), want);
    }
    // A single daemon's download: attachment, its name, the format's type.
    let (status, text, headers) =
        get(&app, &app.http, "format=cloudformation-yaml&cluster=default&daemon=plain&download=1").await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"plain.cfn.yaml\"");
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/yaml"));
    let t: Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(resources(&t, "AWS::ECS::Daemon").len(), 1);

    // AWS CLI JSON of the revision, registered as the CLI would: the same definition.
    let cli = export(&app, &format!("format=cli-json&{rev}")).await;
    let input: Value = serde_json::from_str(&cli).unwrap();
    let out = ecs_ok(&app, "RegisterDaemonTaskDefinition", input).await;
    assert!(out["daemonTaskDefinitionArn"].as_str().unwrap().ends_with("iac-agent:2"), "{out}");
    assert_eq!(described_definition(&app, "iac-agent:2").await, definition);

    // AWS CLI JSON of a daemon: its create-daemon input under another name creates the same daemon.
    let cli = export(&app, "format=cli-json&cluster=default&daemon=cwagent").await;
    let doc: Value = serde_json::from_str(&cli).unwrap();
    assert_eq!(described_definition_from(&doc["registerDaemonTaskDefinition"][0]), definition);
    let mut create = doc["createDaemon"][0].clone();
    create["daemonName"] = json!("cwagent-copy");
    ecs_ok(&app, "CreateDaemon", create).await;
    let mut copy = described_daemon(&app, "cwagent-copy").await;
    copy["daemonName"] = json!("cwagent");
    assert_eq!(copy, rich);

    // The Export controls: plain GET forms on the revision, the daemon and the Daemons page,
    // whose row checkboxes join the form.
    for path in ["/task-definitions/iac-agent/1", "/daemons/default/cwagent", "/daemons?cluster=default"] {
        let html = app.page(path).await;
        assert!(html.contains("action=\"/iac/export\""), "{path}");
        assert!(html.contains("CloudFormation (YAML)") && html.contains("AWS CLI JSON"), "{path}");
    }
    let html = app.page("/daemons?cluster=default").await;
    assert!(html.contains("form=\"daemons-export\""), "row checkboxes join the form");
}

/// A register input in DescribeDaemonTaskDefinition's terms (the same member names).
fn described_definition_from(input: &Value) -> Value {
    clean(input.clone())
}

async fn refusals_name_the_problem(engine: Engine) {
    let app = TestApp::on(engine).await;
    app.register("known", "busybox:1", "0.25", "0.25").await;
    let ok = "format=terraform&family=known&revision=1";
    assert_eq!(get(&app, &app.http, ok).await.0, 200);

    // Anonymous: 401 with the JSON error body, not a login page.
    let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let (status, body, _) = get(&app, &anon, ok).await;
    assert_eq!(status, 401, "{body}");
    assert!(serde_json::from_str::<Value>(&body).is_ok(), "{body}");

    // Bad query: 422 naming the field.
    for (query, field) in [
        ("format=pulumi&family=known&revision=1", "format"),
        ("family=known&revision=1", "format"),
        ("format=terraform&family=known", "revision"),
        ("format=terraform", "daemon"),
        ("format=terraform&family=known&revision=1&cluster=default&daemon=x", "target"),
        ("format=terraform&cluster=default&daemon=no%20spaces", "daemon"),
    ] {
        let (status, body, _) = get(&app, &app.http, query).await;
        assert_eq!(status, 422, "{query}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["Invalid"][field].is_string(), "{query}: {v}");
    }

    // Unknown things: 404.
    for query in [
        "format=terraform&family=known&revision=7",
        "format=terraform&family=unknown&revision=1",
        "format=cli-json&cluster=default&daemon=nobody",
        "format=cli-json&cluster=nowhere&daemon=x",
        "format=terraform&family=known&revision=1&environment=nowhere",
    ] {
        let (status, body, _) = get(&app, &app.http, query).await;
        assert_eq!(status, 404, "{query}: {body}");
    }
}

on_both!(exports_reproduce_the_revision_and_the_daemons, refusals_name_the_problem);
