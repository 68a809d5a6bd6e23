//! CloudWatch's wire protocol as `aws-sdk-cloudwatch` 1.140 speaks it: Smithy RPC v2 CBOR
//! with awsQuery-compatible errors (checked against that crate's generated serializers,
//! `protocol_serde/shape_describe_alarms*.rs`, `cbor_errors.rs` and
//! `aws_query_compatible_errors.rs`).
//!
//! - Request: `POST /service/GraniteServiceVersion20100801/operation/DescribeAlarms`, headers
//!   `smithy-protocol: rpc-v2-cbor`, `content-type: application/cbor`, `accept:
//!   application/cbor`, `x-amzn-query-mode: true`, SigV4 with signing name `monitoring`; the
//!   body is the input structure as a CBOR map (the SDK writes it indefinite-length).
//! - Response: 200, the same `smithy-protocol` header, `content-type: application/cbor`, the
//!   output structure as a CBOR map; timestamps are tag 1 (epoch seconds).
//! - Error: 4xx/5xx, a CBOR map `{"__type": shape id, "message"}`, and, because CloudWatch is
//!   `@awsQueryCompatible`, `x-amzn-query-error: CODE;Sender|Receiver`. The SDK takes the error
//!   code from that header when present (so callers see the awsQuery codes they always saw:
//!   `InvalidNextToken`, `InvalidParameterCombination`, `ValidationError`, `Throttling`, …),
//!   else from `__type` after its `#`.

use super::ops::{self, AlarmsError, DescribeAlarmsInput, DescribeAlarmsOutput, MetricAlarm};
use crate::protocol::Injected;
use crate::state::Ms;
use crate::{Scope, SimState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ciborium::Value;

/// The service shape's name, the `{serviceName}` of the path.
pub const SERVICE: &str = "GraniteServiceVersion20100801";
/// Its namespace: the spec asks servers to accept `namespace.Name` in the path too, and
/// modeled errors are named by absolute shape id.
pub const NAMESPACE: &str = "com.amazonaws.cloudwatch";
pub const OPERATIONS: &[&str] = &["DescribeAlarms"];
pub const PROTOCOL: &str = "rpc-v2-cbor";

/// `POST /service/{service}/operation/{operation}`.
pub(crate) async fn handle(
    State(sim): State<SimState>,
    Path((service, operation)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = header(&headers, "authorization");
    // Unsigned requests reach no world, as on the ECS endpoint.
    let scope = auth.starts_with("AWS4-HMAC-SHA256").then(|| sim.scope_of(auth));
    let result = match &scope {
        None => Err(WireError::missing_authentication()),
        Some(scope) => answer(&sim, scope, &service, &operation, &headers, &body).await,
    };
    let (mut response, error_code) = match result {
        Ok(bytes) => (cbor_response(StatusCode::OK, bytes), None),
        Err(e) => {
            let code = e.code().to_string();
            (e.into_response(), Some(code))
        }
    };
    let status = response.status().as_u16();
    sim.log_request(operation, scope.as_ref(), sim.caller_of(auth), status, error_code);
    if let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    response
}

async fn answer(
    sim: &SimState,
    scope: &Scope,
    service: &str,
    operation: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<u8>, WireError> {
    // The spec makes a target header a malformed request, so an awsJson request sent to this
    // path by mistake is refused rather than half understood.
    if headers.contains_key("x-amz-target") || headers.contains_key("x-amzn-target") {
        return Err(WireError::serialization("rpcv2Cbor requests must not carry X-Amz-Target."));
    }
    if header(headers, "smithy-protocol") != PROTOCOL {
        return Err(WireError::serialization(format!(
            "Missing or unsupported Smithy-Protocol header '{}'; expected {PROTOCOL}.",
            header(headers, "smithy-protocol")
        )));
    }
    let known_service = service == SERVICE || service == format!("{NAMESPACE}.{SERVICE}");
    if !known_service || !OPERATIONS.contains(&operation) {
        return Err(WireError::unknown_operation(service, operation));
    }
    let faults = sim.faults();
    faults.delay().await;
    if let Some(f) = faults.draw() {
        return Err(WireError::injected(f));
    }
    let input = decode(body)?;
    let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sim.with_world(scope, |st| ops::describe_alarms(st, &input))
    }));
    let output =
        answered.map_err(|_| WireError::internal(format!("Internal error while handling {operation}")))??;
    encode(&describe_alarms_output(&output))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// An empty body reads as an empty input structure, as on the ECS endpoint; anything that
/// is not one CBOR map of the input's members (with the right types) is malformed.
fn decode(body: &[u8]) -> Result<DescribeAlarmsInput, WireError> {
    if body.is_empty() {
        return Ok(DescribeAlarmsInput::default());
    }
    let mut rest = body;
    let input = ciborium::from_reader(&mut rest)
        .map_err(|e| WireError::serialization(format!("Could not parse the CBOR request body: {e}")))?;
    if !rest.is_empty() {
        return Err(WireError::serialization(format!(
            "Could not parse the CBOR request body: {} bytes after the input structure",
            rest.len()
        )));
    }
    Ok(input)
}

fn encode(value: &Value) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).map_err(|e| WireError::internal(e.to_string()))?;
    Ok(out)
}

fn map(members: Vec<(&str, Value)>) -> Value {
    Value::Map(members.into_iter().map(|(k, v)| (Value::Text(k.to_string()), v)).collect())
}

/// Tag 1 around whole seconds as an integer, else a double (ciborium writes the shortest
/// float that keeps the value; for epoch times only a double does).
fn timestamp(ms: Ms) -> Value {
    let seconds =
        if ms % 1000 == 0 { Value::Integer((ms / 1000).into()) } else { Value::Float(epoch_seconds(ms)) };
    Value::Tag(1, Box::new(seconds))
}

/// `ms` as epoch seconds that read back as the same millisecond. The SDK truncates the
/// double's fraction to nanoseconds and then to milliseconds (`DateTime::from_secs_f64`), so
/// the double nearest to, say, `…800.123` (a little below it) would read as `…800.122`; the
/// next double up is still well within the millisecond.
fn epoch_seconds(ms: Ms) -> f64 {
    let reads_back = |x: f64| {
        let nanos = ((x - x.floor()) * 1_000_000_000_f64) as i64;
        x.floor() as i64 * 1000 + nanos / 1_000_000 == ms
    };
    let mut x = ms as f64 / 1000.0;
    for _ in 0..4 {
        if reads_back(x) {
            break;
        }
        x = x.next_up();
    }
    x
}

fn describe_alarms_output(out: &DescribeAlarmsOutput) -> Value {
    let members = [
        ("MetricAlarms", Some(Value::Array(out.metric_alarms.iter().map(metric_alarm).collect()))),
        ("CompositeAlarms", Some(Value::Array(Vec::new()))),
        ("LogAlarms", out.log_alarms_asked.then(|| Value::Array(Vec::new()))),
        ("NextToken", out.next_token.clone().map(Value::Text)),
    ];
    // Unset members are left out: the protocol never writes null.
    map(members.into_iter().filter_map(|(k, v)| Some((k, v?))).collect())
}

fn metric_alarm(a: &MetricAlarm) -> Value {
    map(vec![
        ("AlarmName", Value::Text(a.alarm_name.clone())),
        ("AlarmArn", Value::Text(a.alarm_arn.clone())),
        ("ActionsEnabled", Value::Bool(a.actions_enabled)),
        ("StateValue", Value::Text(a.state_value.clone())),
        ("StateReason", Value::Text(a.state_reason.clone())),
        ("StateUpdatedTimestamp", timestamp(a.state_updated_timestamp)),
        ("StateTransitionedTimestamp", timestamp(a.state_updated_timestamp)),
    ])
}

fn cbor_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    let headers = resp.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/cbor"));
    headers.insert("smithy-protocol", HeaderValue::from_static(PROTOCOL));
    resp
}

/// An error as this protocol carries it.
#[derive(Debug, Clone, PartialEq)]
struct WireError {
    status: StatusCode,
    /// `__type`: the absolute shape id of a modeled error, else the bare name.
    type_id: String,
    /// The awsQuery code for `x-amzn-query-error`, which the SDK prefers to `__type`.
    query_code: Option<&'static str>,
    message: String,
}

impl WireError {
    fn new(status: StatusCode, type_id: String, query_code: Option<&'static str>, message: String) -> Self {
        Self { status, type_id, query_code, message }
    }

    fn modeled(
        status: StatusCode,
        shape: &str,
        query_code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::new(status, format!("{NAMESPACE}#{shape}"), Some(query_code), message.into())
    }

    fn missing_authentication() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException".into(),
            Some("MissingAuthenticationToken"),
            "Missing Authentication Token: requests must be signed with AWS Signature Version 4 (any credentials are accepted by ecs-sim).".into(),
        )
    }

    fn serialization(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "SerializationException".into(), None, message.into())
    }

    fn unknown_operation(service: &str, operation: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "UnknownOperationException".into(),
            None,
            format!(
                "Unknown operation {service}/{operation}; ecs-sim answers {SERVICE}/{} only.",
                OPERATIONS.join(", ")
            ),
        )
    }

    fn internal(message: impl Into<String>) -> Self {
        Self::modeled(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServiceFault",
            "InternalServiceError",
            message,
        )
    }

    fn injected(f: Injected) -> Self {
        match f {
            Injected::Throttle => Self::new(
                StatusCode::BAD_REQUEST,
                "ThrottlingException".into(),
                Some("Throttling"),
                "Rate exceeded".into(),
            ),
            Injected::ServerError => Self::internal("Injected server error (ecs-sim fault injection)"),
        }
    }

    /// The code the SDK reports, for the request log.
    fn code(&self) -> &str {
        match self.query_code {
            Some(c) => c,
            None => self.type_id.rsplit('#').next().unwrap_or(&self.type_id),
        }
    }
}

impl From<AlarmsError> for WireError {
    fn from(e: AlarmsError) -> Self {
        let message = e.message().to_string();
        let (shape, code) = match e {
            AlarmsError::InvalidNextToken(_) => ("InvalidNextToken", "InvalidNextToken"),
            AlarmsError::InvalidParameterCombination(_) => {
                ("InvalidParameterCombinationException", "InvalidParameterCombination")
            }
            AlarmsError::Validation(_) => ("ValidationException", "ValidationError"),
        };
        Self::modeled(StatusCode::BAD_REQUEST, shape, code, message)
    }
}

impl IntoResponse for WireError {
    fn into_response(self) -> Response {
        let body =
            map(vec![("__type", Value::Text(self.type_id.clone())), ("message", Value::Text(self.message))]);
        let bytes = encode(&body).unwrap_or_default();
        let mut resp = cbor_response(self.status, bytes);
        if let Some(code) = self.query_code {
            let fault = if self.status.is_server_error() { "Receiver" } else { "Sender" };
            if let Ok(v) = HeaderValue::from_str(&format!("{code};{fault}")) {
                resp.headers_mut().insert("x-amzn-query-error", v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(v: &Value) -> Value {
        ciborium::from_reader(encode(v).unwrap().as_slice()).unwrap()
    }

    #[test]
    fn timestamps_are_tag_1_and_keep_milliseconds() {
        assert_eq!(
            round_trip(&timestamp(1_796_590_800_000)),
            Value::Tag(1, Box::new(Value::Integer(1_796_590_800.into())))
        );
        let bytes = encode(&timestamp(1_796_590_800_250)).unwrap();
        // Tag 1 (0xc1), then a double (0xfb): a float32 would lose the milliseconds.
        assert_eq!(&bytes[..2], &[0xc1, 0xfb]);
        assert_eq!(
            round_trip(&timestamp(1_796_590_800_250)),
            Value::Tag(1, Box::new(Value::Float(1_796_590_800.25)))
        );
    }

    #[test]
    fn every_millisecond_reads_back_as_itself() {
        let start = 1_796_590_800_000;
        for ms in (start..start + 3_000).chain([1, 999, 1_001, -1_500]) {
            let x = epoch_seconds(ms);
            // The SDK's reading (aws-smithy-types DateTime::from_secs_f64, then milliseconds).
            let nanos = ((x - x.floor()) * 1_000_000_000_f64) as i64;
            assert_eq!(x.floor() as i64 * 1000 + nanos / 1_000_000, ms, "{ms}");
            assert!((x * 1000.0 - ms as f64).abs() < 0.001, "{ms}");
        }
    }

    #[test]
    fn decodes_indefinite_length_maps_and_refuses_the_rest() {
        // {_ "MaxRecords": 5, "AlarmNames": [_ "a"], "Other": null }, as the SDK writes it.
        let mut body = vec![0xbf, 0x6a];
        body.extend(b"MaxRecords");
        body.push(0x05);
        body.push(0x6a);
        body.extend(b"AlarmNames");
        body.extend([0x9f, 0x61, b'a', 0xff]);
        body.push(0x65);
        body.extend(b"Other");
        body.extend([0xf6, 0xff]);
        let input = decode(&body).unwrap();
        assert_eq!(input.max_records, Some(5));
        assert_eq!(input.alarm_names, Some(vec!["a".to_string()]));
        assert_eq!(decode(&[]).unwrap(), DescribeAlarmsInput::default());

        let mut trailing = body.clone();
        trailing.push(0x00);
        for bad in [&b"{\"MaxRecords\": 5}"[..], &[0x05], &trailing, &[0xa1, 0x6a]] {
            let e = decode(bad).unwrap_err();
            assert_eq!(e.code(), "SerializationException", "{bad:?}");
        }
        // MaxRecords as a string.
        let e = decode(&encode(&map(vec![("MaxRecords", Value::Text("5".into()))])).unwrap()).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn modeled_errors_carry_their_query_code() {
        let e = WireError::from(AlarmsError::InvalidNextToken("bad".into()));
        assert_eq!(
            (e.type_id.as_str(), e.code()),
            ("com.amazonaws.cloudwatch#InvalidNextToken", "InvalidNextToken")
        );
        let resp = e.into_response();
        assert_eq!(resp.headers()["x-amzn-query-error"], "InvalidNextToken;Sender");
        assert_eq!(resp.headers()["smithy-protocol"], "rpc-v2-cbor");
        let e = WireError::injected(Injected::ServerError);
        assert_eq!((e.status.as_u16(), e.code()), (500, "InternalServiceError"));
        assert_eq!(e.into_response().headers()["x-amzn-query-error"], "InternalServiceError;Receiver");
        assert_eq!(
            WireError::unknown_operation(SERVICE, "PutMetricData").code(),
            "UnknownOperationException"
        );
    }
}
