//! The HTTP status of a server function's error, set in one place. Leptos answers every server
//! function error with 500 and a `serverfnerror` header; this layer reads the error back (it is
//! the JSON of `app::api::PortalError`) and answers with `PortalError::status()` instead: 422
//! for invalid input, 404, 409, 429 for throttling, and so on. A plain form post (no
//! JavaScript) is answered with a redirect back to the form, which this leaves alone.

use app::api::PortalError;
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::Response,
};

/// Server function errors are small; a larger body is not one of ours and passes unchanged.
const MAX_ERROR_BODY: usize = 256 * 1024;

pub async fn status_from_error(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<PortalError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
