//! CloudWatch DescribeAlarms through the real `aws-sdk-cloudwatch` client (Smithy RPC v2
//! CBOR): the seeded alarms, states set through the control API, filters, pages, one world
//! per (account, region), and errors the SDK parses.

mod common;
use aws_config::sts::AssumeRoleProvider;
use aws_sdk_cloudwatch::config::retry::RetryConfig;
use aws_sdk_cloudwatch::config::{Credentials, StalledStreamProtectionConfig};
use aws_sdk_cloudwatch::error::ProvideErrorMetadata;
use aws_sdk_cloudwatch::operation::describe_alarms::{DescribeAlarmsError, DescribeAlarmsOutput};
use aws_sdk_cloudwatch::operation::RequestId;
use aws_sdk_cloudwatch::types::{AlarmType, StateValue};
use aws_sdk_cloudwatch::Client;
use common::*;
use serde_json::json;

const STAGING_KEY: &str = "AKIAEXAMPLESTAGING01";

/// A client as the portal would build one: settings shared with the other SDKs, and the
/// emulator's URL as the endpoint. Retries are off so that refusals come back at once.
async fn cloudwatch(sim: &Sim, key: &str, region: &str) -> Client {
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .credentials_provider(Credentials::new(key, "secret", None, None, "test"))
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    let conf = aws_sdk_cloudwatch::config::Builder::from(&shared).endpoint_url(sim.handle.endpoint()).build();
    Client::from_conf(conf)
}

fn names(out: &DescribeAlarmsOutput) -> Vec<&str> {
    out.metric_alarms().iter().filter_map(|a| a.alarm_name()).collect()
}

/// When the emulator recorded the alarm's last state change (epoch ms).
fn changed_at(sim: &Sim, name: &str) -> i64 {
    sim.state().with_state(|st| st.alarms[name].updated_at)
}

async fn set_alarm(sim: &Sim, name: &str, state: &str, world: &str) {
    let (status, body) =
        sim.control("POST", &format!("/_sim/alarms/{name}{world}"), json!({ "state": state })).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn describes_the_seeded_alarms_by_name() {
    let sim = start().await;
    let cw = cloudwatch(&sim, "AKID", "us-east-1").await;
    let out = cw.describe_alarms().alarm_names("daemon-errors").alarm_names("app-5xx").send().await.unwrap();
    assert_eq!(names(&out), ["app-5xx", "daemon-errors"], "sorted by name");
    let a = &out.metric_alarms()[1];
    assert_eq!(a.alarm_arn(), Some("arn:aws:cloudwatch:us-east-1:123456789012:alarm:daemon-errors"));
    assert_eq!(a.state_value(), Some(&StateValue::Ok));
    assert_eq!(a.actions_enabled(), Some(true));
    assert!(a.state_reason().is_some_and(|r| !r.is_empty()));
    let at = a.state_updated_timestamp().unwrap();
    assert_eq!(
        at.to_millis().unwrap(),
        changed_at(&sim, "daemon-errors"),
        "the simulated clock, to the millisecond"
    );
    assert_eq!(out.composite_alarms, Some(vec![]), "present and empty");
    assert_eq!(out.next_token(), None);
    assert!(out.request_id().is_some_and(|r| !r.is_empty()));

    let log = sim.state().requests();
    let call = log.iter().find(|r| r.operation == "DescribeAlarms").expect("logged");
    assert_eq!(
        (call.account.as_deref(), call.region.as_deref(), call.status),
        (Some("123456789012"), Some("us-east-1"), 200)
    );
}

#[tokio::test]
async fn an_unknown_name_is_simply_absent() {
    let sim = start().await;
    let cw = cloudwatch(&sim, "AKID", "us-east-1").await;
    let out = cw.describe_alarms().alarm_names("no-such-alarm").send().await.unwrap();
    assert!(out.metric_alarms().is_empty());
    let out = cw.describe_alarms().alarm_names("no-such-alarm").alarm_names("app-5xx").send().await.unwrap();
    assert_eq!(names(&out), ["app-5xx"]);
}

#[tokio::test]
async fn a_state_set_through_the_control_api_is_seen_with_when_it_changed() {
    let sim = start().await;
    let cw = cloudwatch(&sim, "AKID", "us-east-1").await;
    let seeded = changed_at(&sim, "daemon-errors");
    sim.state().advance(90.123);
    set_alarm(&sim, "daemon-errors", "ALARM", "").await;
    let out = cw.describe_alarms().alarm_names("daemon-errors").send().await.unwrap();
    let a = &out.metric_alarms()[0];
    assert_eq!(a.state_value(), Some(&StateValue::Alarm));
    let at = a.state_updated_timestamp().unwrap().to_millis().unwrap();
    assert_eq!(at, seeded + 90_123);
    assert_eq!(a.state_transitioned_timestamp().unwrap().to_millis().unwrap(), at);

    // Setting the same state again is no transition.
    sim.state().advance(30.0);
    set_alarm(&sim, "daemon-errors", "ALARM", "").await;
    let out = cw.describe_alarms().alarm_names("daemon-errors").send().await.unwrap();
    assert_eq!(out.metric_alarms()[0].state_updated_timestamp().unwrap().to_millis().unwrap(), at);

    // StateValue filters.
    let alarm = cw.describe_alarms().state_value(StateValue::Alarm).send().await.unwrap();
    assert_eq!(names(&alarm), ["daemon-errors"]);
    let ok = cw.describe_alarms().state_value(StateValue::Ok).send().await.unwrap();
    assert_eq!(names(&ok), ["app-5xx"]);
    let none = cw.describe_alarms().state_value(StateValue::InsufficientData).send().await.unwrap();
    assert!(none.metric_alarms().is_empty());
}

#[tokio::test]
async fn prefix_and_alarm_types() {
    let sim = start().await;
    set_alarm(&sim, "daemon-cpu", "INSUFFICIENT_DATA", "").await;
    let cw = cloudwatch(&sim, "AKID", "us-east-1").await;
    let out = cw.describe_alarms().alarm_name_prefix("daemon-").send().await.unwrap();
    assert_eq!(names(&out), ["daemon-cpu", "daemon-errors"]);
    assert_eq!(out.metric_alarms()[0].state_value(), Some(&StateValue::InsufficientData));
    let out =
        cw.describe_alarms().alarm_name_prefix("daemon-").state_value(StateValue::Ok).send().await.unwrap();
    assert_eq!(names(&out), ["daemon-errors"]);

    // Composite alarms only: there are none, and metric alarms are not asked for.
    let out = cw.describe_alarms().alarm_types(AlarmType::CompositeAlarm).send().await.unwrap();
    assert_eq!((out.metric_alarms, out.composite_alarms), (Some(vec![]), Some(vec![])));
    let out = cw
        .describe_alarms()
        .alarm_types(AlarmType::CompositeAlarm)
        .alarm_types(AlarmType::MetricAlarm)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&out), ["app-5xx", "daemon-cpu", "daemon-errors"]);
}

#[tokio::test]
async fn pages_with_max_records() {
    let sim = start().await;
    for i in 0..8 {
        set_alarm(&sim, &format!("svc-{i:02}"), if i % 2 == 0 { "OK" } else { "ALARM" }, "").await;
    }
    let cw = cloudwatch(&sim, "AKID", "us-east-1").await;
    let first = cw.describe_alarms().max_records(3).send().await.unwrap();
    assert_eq!(names(&first), ["app-5xx", "daemon-errors", "svc-00"]);
    let token = first.next_token().expect("more to come").to_string();
    let second = cw.describe_alarms().max_records(3).next_token(&token).send().await.unwrap();
    assert_eq!(names(&second), ["svc-01", "svc-02", "svc-03"]);
    // The same token gives the same page.
    let again = cw.describe_alarms().max_records(3).next_token(&token).send().await.unwrap();
    assert_eq!(names(&again), names(&second));

    // The SDK's own paginator walks every page; filters hold across pages.
    let pages: Vec<DescribeAlarmsOutput> = cw
        .describe_alarms()
        .alarm_name_prefix("svc-")
        .state_value(StateValue::Alarm)
        .into_paginator()
        .page_size(2)
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let seen: Vec<&str> = pages.iter().flat_map(names).collect();
    assert_eq!(seen, ["svc-01", "svc-03", "svc-05", "svc-07"]);
    assert_eq!(pages.len(), 2, "a full last page carries no token");
}

#[tokio::test]
async fn each_account_and_region_has_its_own_alarms() {
    let sim = start().await;
    let default = cloudwatch(&sim, "AKID", "us-east-1").await;
    let staging = cloudwatch(&sim, STAGING_KEY, "us-east-1").await;
    let staging_eu = cloudwatch(&sim, STAGING_KEY, "eu-west-1").await;
    let default_eu = cloudwatch(&sim, "AKID", "eu-west-1").await;

    set_alarm(&sim, "daemon-errors", "ALARM", "?account=staging&region=eu-west-1").await;
    let out = staging_eu.describe_alarms().send().await.unwrap();
    assert_eq!(names(&out), ["daemon-errors"]);
    let a = &out.metric_alarms()[0];
    assert_eq!(a.alarm_arn(), Some("arn:aws:cloudwatch:eu-west-1:234567890123:alarm:daemon-errors"));
    assert_eq!(a.state_value(), Some(&StateValue::Alarm));

    let out = staging.describe_alarms().send().await.unwrap();
    assert_eq!(names(&out), ["daemon-errors"]);
    assert_eq!(
        out.metric_alarms()[0].alarm_arn(),
        Some("arn:aws:cloudwatch:us-east-1:234567890123:alarm:daemon-errors")
    );
    assert_eq!(
        out.metric_alarms()[0].state_value(),
        Some(&StateValue::Ok),
        "staging's us-east-1 alarm is another"
    );

    let out = default.describe_alarms().alarm_names("daemon-errors").send().await.unwrap();
    assert_eq!(out.metric_alarms()[0].state_value(), Some(&StateValue::Ok));
    assert!(
        default_eu.describe_alarms().send().await.unwrap().metric_alarms().is_empty(),
        "a region with no world"
    );

    let log = sim.state().requests();
    assert!(log.iter().any(|r| r.operation == "DescribeAlarms"
        && r.account.as_deref() == Some("234567890123")
        && r.region.as_deref() == Some("eu-west-1")));
}

/// The portal's path to another account: aws-config's assume-role provider against the
/// emulator's STS, then CloudWatch with the issued credentials.
#[tokio::test]
async fn an_assumed_role_reads_its_accounts_alarms() {
    let sim = start().await;
    let ep = sim.handle.endpoint();
    let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "test"))
        .endpoint_url(ep)
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .load()
        .await;
    let role = AssumeRoleProvider::builder("arn:aws:iam::234567890123:role/DaemonPortal")
        .external_id("daemon-portal-staging")
        .session_name("portal")
        .configure(&base)
        .build()
        .await;
    let conf = aws_sdk_cloudwatch::config::Builder::from(&base).credentials_provider(role).build();
    let out = Client::from_conf(conf).describe_alarms().send().await.unwrap();
    assert_eq!(
        out.metric_alarms()[0].alarm_arn(),
        Some("arn:aws:cloudwatch:eu-west-1:234567890123:alarm:daemon-errors")
    );
    let log = sim.state().requests();
    let call = log.iter().find(|r| r.operation == "DescribeAlarms").unwrap();
    assert_eq!(call.caller.as_deref(), Some("arn:aws:sts::234567890123:assumed-role/DaemonPortal/portal"));
}

#[tokio::test]
async fn refusals_are_errors_the_sdk_parses() {
    let sim = start().await;
    let cw = cloudwatch(&sim, "AKID", "us-east-1").await;

    let err = cw.describe_alarms().next_token("not-a-token").send().await.unwrap_err();
    let e = err.as_service_error().expect("a service error");
    assert!(matches!(e, DescribeAlarmsError::InvalidNextToken(_)), "{e:?}");
    assert!(e.message().is_some_and(|m| m.contains("not-a-token")));

    let err = cw.describe_alarms().max_records(0).send().await.unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"), "{err:?}");
    assert!(err.message().is_some_and(|m| m.contains("maxRecords")));

    let err = cw.describe_alarms().alarm_names("a").alarm_name_prefix("a").send().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterCombination"));

    // A body that is not CBOR.
    let err = cw
        .describe_alarms()
        .customize()
        .mutate_request(|req| *req.body_mut() = "{\"MaxRecords\": 5}".into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SerializationException"), "{err:?}");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(400));

    // An operation the emulator does not answer.
    let err = cw
        .describe_alarms()
        .customize()
        .mutate_request(|req| {
            let uri = req.uri().replace("/operation/DescribeAlarms", "/operation/PutMetricData");
            req.set_uri(uri).unwrap();
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UnknownOperationException"), "{err:?}");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(404));

    let log = sim.state().requests();
    let refused: Vec<_> =
        log.iter().filter(|r| r.status != 200).map(|r| r.error_type.clone().unwrap()).collect();
    assert_eq!(
        refused,
        [
            "InvalidNextToken",
            "ValidationError",
            "InvalidParameterCombination",
            "SerializationException",
            "UnknownOperationException"
        ]
    );
}

#[tokio::test]
async fn injected_faults_apply_in_cloudwatchs_error_shape() {
    let sim = start().await;
    let cw = cloudwatch(&sim, "AKID", "us-east-1").await;
    sim.control("POST", "/_sim/faults", json!({ "throttleRate": 1.0 })).await;
    let err = cw.describe_alarms().send().await.unwrap_err();
    assert_eq!(err.code(), Some("Throttling"), "{err:?}");
    sim.control("POST", "/_sim/faults", json!({ "serverErrorRate": 1.0 })).await;
    let err = cw.describe_alarms().send().await.unwrap_err();
    assert_eq!(err.code(), Some("InternalServiceError"), "{err:?}");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    sim.control("POST", "/_sim/faults", json!({})).await;
    assert_eq!(names(&cw.describe_alarms().send().await.unwrap()), ["app-5xx", "daemon-errors"]);
}

/// What the SDK does not show: the protocol's headers, and refusals before any operation.
#[tokio::test]
async fn wire_headers_and_unsigned_requests() {
    let sim = start().await;
    let path = "/service/GraniteServiceVersion20100801/operation/DescribeAlarms";
    let auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00";
    let cbor = [("content-type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        cbor.iter().chain(extra).copied().collect()
    };

    let (status, head, _) =
        raw_http_full(sim.handle.endpoint(), "POST", path, &with(&[("authorization", auth)]), "").await;
    let head = head.to_ascii_lowercase();
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: application/cbor"), "{head}");
    assert!(head.contains("smithy-protocol: rpc-v2-cbor"), "{head}");

    let (status, head, _) = raw_http_full(sim.handle.endpoint(), "POST", path, &with(&[]), "").await;
    assert_eq!(status, 403);
    assert!(
        head.to_ascii_lowercase().contains("x-amzn-query-error: missingauthenticationtoken;sender"),
        "{head}"
    );

    // The namespace-qualified service name routes the same.
    let qualified =
        "/service/com.amazonaws.cloudwatch.GraniteServiceVersion20100801/operation/DescribeAlarms";
    let (status, _, _) =
        raw_http_full(sim.handle.endpoint(), "POST", qualified, &with(&[("authorization", auth)]), "").await;
    assert_eq!(status, 200);

    // awsJson's target header is a malformed request here; so is a missing Smithy-Protocol.
    let target =
        with(&[("authorization", auth), ("x-amz-target", "GraniteServiceVersion20100801.DescribeAlarms")]);
    let (status, _, _) = raw_http_full(sim.handle.endpoint(), "POST", path, &target, "").await;
    assert_eq!(status, 400);
    let (status, _, _) = raw_http_full(
        sim.handle.endpoint(),
        "POST",
        path,
        &[("content-type", "application/cbor"), ("authorization", auth)],
        "",
    )
    .await;
    assert_eq!(status, 400);

    // The ECS endpoint is unchanged beside it.
    let clusters = sim.ecs.list_clusters().send().await.unwrap();
    assert_eq!(clusters.cluster_arns().len(), 2);
}
