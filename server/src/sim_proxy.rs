//! Embedded mode only: the emulator's control API (`/_sim/…`, for demos and end-to-end tests:
//! set an alarm, scale a provider, advance the clock) reachable through the portal's own port,
//! since the emulator itself listens on an ephemeral one.
//!
//! It can wipe the simulated fleet (`POST /_sim/reset`) and inject faults, so it is closed
//! unless `PORTAL_SIM_CONTROL=on`, and even then only a signed-in administrator may use it:
//! with a session (or SSO), never with an API token, which automation could leak. Environment
//! values are redacted from what it returns (a definition's environment often holds secrets).

use app::auth::{CurrentUser, TokenAuth};
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

use crate::state::AppState;

const MAX_BODY: usize = 64 * 1024;
/// Largest answer read from the emulator (the state of a big simulated fleet).
const MAX_ANSWER: usize = 32 * 1024 * 1024;
/// What a redacted environment value becomes.
pub const REDACTED: &str = "***";

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// Who may use the control API: `Some` is the answer for everyone else.
fn refusal(state: &AppState, req: &Request) -> Option<Response> {
    if !state.auth.sim_control || state.services.gateway.ecs.sim_endpoint.is_none() {
        // As if the route did not exist: nothing to learn about it from outside.
        return Some(refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            "The emulator's control API is off (PORTAL_SIM_CONTROL, embedded mode only).",
        ));
    }
    let Some(user) = req.extensions().get::<CurrentUser>() else {
        return Some(refuse(StatusCode::UNAUTHORIZED, "unauthenticated", "Sign in as an administrator."));
    };
    if req.extensions().get::<TokenAuth>().is_some() {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The emulator's control API takes a signed-in administrator, not an API token.",
        ));
    }
    if !user.is_admin() {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Only administrators may use the emulator's control API.",
        ));
    }
    None
}

pub async fn forward(State(state): State<AppState>, req: Request) -> Response {
    if let Some(refused) = refusal(&state, &req) {
        return refused;
    }
    let Some(endpoint) = state.services.gateway.ecs.sim_endpoint.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let method = req.method().clone();
    let path_and_query = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let body = match to_bytes(req.into_body(), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response(),
    };
    let upstream = state
        .http
        .request(method, format!("{endpoint}{path_and_query}"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    match upstream {
        Ok(res) => {
            let status = StatusCode::from_u16(res.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let bytes = res.bytes().await.unwrap_or_default();
            if bytes.len() > MAX_ANSWER {
                return refuse(StatusCode::BAD_GATEWAY, "bad_gateway", "The emulator's answer is too large.");
            }
            // Every answer is redacted, not only `/_sim/state`'s: whatever the emulator adds
            // to its answers later, an environment value does not leave through here.
            let bytes = match serde_json::from_slice::<Value>(&bytes) {
                Ok(mut v) => {
                    redact_environment(&mut v);
                    serde_json::to_vec(&v).unwrap_or_default().into()
                }
                Err(_) => bytes,
            };
            Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::from(bytes))
                .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
        }
        Err(e) => {
            tracing::warn!(error = %e, "emulator unreachable");
            refuse(StatusCode::BAD_GATEWAY, "bad_gateway", "The emulator did not answer.")
        }
    }
}

/// Replaces every value under an `environment` key (ECS's `[{"name", "value"}]` list, or a
/// plain name → value map) with [`REDACTED`], keeping the names.
pub fn redact_environment(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key.eq_ignore_ascii_case("environment") {
                    redact_values(value);
                } else {
                    redact_environment(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_environment),
        _ => {}
    }
}

fn redact_values(v: &mut Value) {
    match v {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(pair) if pair.contains_key("name") => {
                        if let Some(value) = pair.get_mut("value") {
                            *value = Value::String(REDACTED.into());
                        }
                    }
                    other => *other = Value::String(REDACTED.into()),
                }
            }
        }
        Value::Object(map) => map.values_mut().for_each(|value| *value = Value::String(REDACTED.into())),
        Value::Null => {}
        other => *other = Value::String(REDACTED.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_values_are_redacted_at_any_depth_and_names_kept() {
        let mut v = json!({
            "taskDefinitions": [{
                "family": "agent",
                "containerDefinitions": [{
                    "name": "agent",
                    "environment": [{"name": "API_KEY", "value": "s3cret"}, {"name": "MODE", "value": "x"}],
                }],
            }],
            "overrides": {"Environment": {"TOKEN": "hunter2"}},
            "other": {"value": "kept"},
        });
        redact_environment(&mut v);
        let text = v.to_string();
        for secret in ["s3cret", "hunter2", "\"x\""] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("API_KEY") && text.contains("TOKEN"), "{text}");
        assert_eq!(v["other"]["value"], "kept");
        assert_eq!(v["taskDefinitions"][0]["containerDefinitions"][0]["environment"][1]["value"], REDACTED);
    }
}
