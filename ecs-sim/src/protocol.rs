//! The AWS endpoint: `POST /` speaking awsJson1_1 (`X-Amz-Target`
//! dispatch, SigV4-shaped auth required, JSON errors with `__type` and the
//! `x-amzn-errortype` header), plus injected faults and the request log.
//! A form-encoded body with `Action=` and no `X-Amz-Target` is STS (`crate::sts`).
//!
//! The world a request acts in comes from its signature's credential scope: the
//! region as written there, the account from the access key id
//! (`state::iam::Iam::account_of`).

use crate::error::ApiError;
use crate::SimState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub const TARGET_PREFIX: &str = "AmazonEC2ContainerServiceV20141113.";

pub async fn handle(State(sim): State<SimState>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    // awsJson1_1 names its operation in X-Amz-Target; STS's awsQuery in the form body.
    if target.is_empty() {
        if let Some(params) = crate::sts::query_params(&headers, &body) {
            return crate::sts::handle(&sim, auth, &params);
        }
    }
    let op = target.strip_prefix(TARGET_PREFIX).unwrap_or(target).to_string();
    let op_label = if op.is_empty() { "<none>".to_string() } else { op.clone() };
    let checked = check_request(auth, target).map(|_| sim.scope_of(auth));
    let scope = checked.as_ref().ok().cloned();
    let result = match checked {
        Err(e) => Err(e),
        Ok(scope) => {
            let faults = sim.faults();
            faults.delay().await;
            if let Some(e) = faults.draw().map(Injected::ecs_error) {
                Err(e)
            } else {
                match sim.call_in(&scope, &op, &body) {
                    Ok(_) if faults.lose_response(&op) => Err(ApiError::server(
                        "Injected: the operation took effect but its response was lost (ecs-sim fault injection)",
                    )),
                    other => other,
                }
            }
        }
    };
    let response = match result {
        Ok(json) => {
            let mut resp = (StatusCode::OK, json).into_response();
            resp.headers_mut().insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
            resp
        }
        Err(e) => e.into_response(),
    };
    let mut response = response;
    let status = response.status().as_u16();
    let error_type =
        response.headers().get("x-amzn-errortype").and_then(|v| v.to_str().ok()).map(str::to_string);
    sim.log_request(op_label, scope.as_ref(), sim.caller_of(auth), status, error_type);
    if let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    response
}

/// The access key id and region of a SigV4 `Authorization` header
/// (`AWS4-HMAC-SHA256 Credential=AKID/20261206/REGION/SERVICE/aws4_request, …`).
/// The signature itself is never checked.
pub fn credential_scope(auth: &str) -> Option<(&str, &str)> {
    let rest = auth.strip_prefix("AWS4-HMAC-SHA256")?;
    let credential = rest.split(',').find_map(|p| p.trim().strip_prefix("Credential="))?;
    let mut parts = credential.split('/');
    let key = parts.next().filter(|k| !k.is_empty())?;
    let _date = parts.next()?;
    let region = parts.next().filter(|r| crate::world::valid_region(r))?;
    Some((key, region))
}

fn check_request(auth: &str, target: &str) -> Result<(), ApiError> {
    if !auth.starts_with("AWS4-HMAC-SHA256") {
        return Err(ApiError::new(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: requests must be signed with AWS Signature Version 4 (any credentials are accepted by ecs-sim).",
        ));
    }
    if !target.starts_with(TARGET_PREFIX) {
        return Err(ApiError::new(
            "UnknownOperationException",
            format!(
                "Missing or unknown X-Amz-Target header '{target}'; expected {TARGET_PREFIX}<Operation>."
            ),
        ));
    }
    Ok(())
}

/// Share of requests answered with injected errors, and added latency.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Refused with ThrottlingException before the operation runs.
    pub throttle_rate: f64,
    /// Refused with ServerException before the operation runs.
    pub server_error_rate: f64,
    /// Of the operations that change state, the share that take effect and are then answered
    /// with ServerException, as when a response is lost on its way back: the caller cannot
    /// tell from the answer whether the change happened.
    pub lost_response_rate: f64,
    pub latency_ms: u64,
}

impl Faults {
    fn lose_response(&self, op: &str) -> bool {
        let changes = ["Create", "Update", "Delete", "Register"].iter().any(|p| op.starts_with(p));
        changes && self.lost_response_rate > 0.0 && rand::random::<f64>() < self.lost_response_rate
    }

    /// The injected latency, before a request is answered.
    pub(crate) async fn delay(&self) {
        if self.latency_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(self.latency_ms)).await;
        }
    }

    /// Whether this request is refused before its operation runs. Each protocol words the
    /// refusal in its own error shape, so the draw is kept apart from the wording.
    pub(crate) fn draw(&self) -> Option<Injected> {
        if self.throttle_rate <= 0.0 && self.server_error_rate <= 0.0 {
            return None;
        }
        let r: f64 = rand::random();
        if r < self.throttle_rate {
            Some(Injected::Throttle)
        } else if r < self.throttle_rate + self.server_error_rate {
            Some(Injected::ServerError)
        } else {
            None
        }
    }
}

/// An injected refusal (see [`Faults`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Injected {
    Throttle,
    ServerError,
}

impl Injected {
    fn ecs_error(self) -> ApiError {
        match self {
            Injected::Throttle => ApiError::new("ThrottlingException", "Rate exceeded"),
            Injected::ServerError => ApiError::server("Injected server error (ecs-sim fault injection)"),
        }
    }
}

/// One logged AWS request.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub operation: String,
    /// The world it went to (none when refused before that was known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The assumed-role session that signed it (`arn:aws:sts::…:assumed-role/ROLE/SESSION`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// Simulated time (epoch seconds) when it was answered.
    pub time: f64,
    /// Wall-clock time (epoch seconds).
    pub wall_time: f64,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
}
