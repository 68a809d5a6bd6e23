//! Embedded mode only: the emulator's control API (`/_sim/…`, for demos and end-to-end tests:
//! set an alarm, scale a provider, advance the clock) reachable through the portal's own port,
//! since the emulator itself listens on an ephemeral one.

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::state::AppState;

const MAX_BODY: usize = 64 * 1024;

pub async fn forward(State(state): State<AppState>, req: Request) -> Response {
    let Some(endpoint) = state.ecs.sim_endpoint.clone() else {
        return (StatusCode::NOT_FOUND, "the ECS emulator runs only in embedded mode").into_response();
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
            Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::from(bytes))
                .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
        }
        Err(e) => (StatusCode::BAD_GATEWAY, format!("emulator unreachable: {e}")).into_response(),
    }
}
