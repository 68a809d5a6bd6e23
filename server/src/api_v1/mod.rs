//! `/api/v1`: the JSON automation API (CI pipelines registering revisions and requesting
//! deploys). Authentication by API token (`Authorization: Bearer dpt_…`) or session cookie,
//! resolved by the auth middleware before these handlers run; every handler checks the
//! caller itself. Bodies are this API's own types (`dto/`); the OpenAPI document is generated
//! from them and from the handlers' `#[utoipa::path]` (`openapi.rs`), and `build` registers
//! each route and its documentation in one step, so they cannot drift apart.

mod changes;
mod clusters;
mod daemons;
mod delivery;
pub mod dto;
mod error;
mod exports;
mod extract;
mod history;
mod idempotency;
mod me;
mod openapi;
mod paging;
mod promotions;
mod task_definitions;

use axum::{
    extract::{DefaultBodyLimit, Request},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Router,
};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use error::ApiError;
pub use openapi::document;

use crate::state::AppState;

/// Largest request body accepted (bigger ones get 413 `payload_too_large`).
pub const MAX_BODY: usize = 64 * 1024;

/// Every route with its documentation.
fn build() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(openapi::serve))
        .routes(routes!(me::me))
        .routes(routes!(task_definitions::families, task_definitions::register))
        .routes(routes!(task_definitions::revisions))
        .routes(routes!(task_definitions::get, task_definitions::delete))
        .routes(routes!(daemons::list))
        .routes(routes!(daemons::get))
        .routes(routes!(daemons::deployments))
        .routes(routes!(clusters::list))
        .routes(routes!(clusters::get))
        .routes(routes!(clusters::capacity_providers))
        .routes(routes!(clusters::instances))
        .routes(routes!(changes::list, changes::create))
        .routes(routes!(changes::get, changes::edit))
        .routes(routes!(changes::approve))
        .routes(routes!(changes::reject))
        .routes(routes!(changes::cancel))
        .routes(routes!(changes::override_freeze))
        .routes(routes!(history::history))
        .routes(routes!(delivery::metrics))
        .routes(routes!(exports::export))
        .routes(routes!(promotions::list))
        .routes(routes!(promotions::put))
        .routes(routes!(promotions::promotions, promotions::start))
        .routes(routes!(promotions::get))
        .routes(routes!(promotions::steer))
        .split_for_parts()
}

/// (method, path relative to `/api/v1`) of every documented route.
pub fn routes() -> Vec<(Method, String)> {
    let doc = document();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                out.push((Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), path.clone()));
            }
        }
    }
    out
}

/// The `/api/v1` router, to be nested at `/api/v1`.
pub fn router(state: AppState) -> Router<AppState> {
    build()
        .0
        .fallback(|| async { ApiError::not_found("No such endpoint; see /api/v1/openapi.json.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This endpoint does not take that method.",
            )
        })
        .layer(axum::middleware::from_fn_with_state(state, idempotency::layer))
        .layer(axum::middleware::from_fn(refuse_large_bodies))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// Refuses a declared body over [`MAX_BODY`] before reading any of it (the body limit catches
/// chunked bodies that grow past it while being read).
async fn refuse_large_bodies(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return extract::too_large().into_response();
    }
    next.run(req).await
}
