//! `/api/v1`: the JSON automation API (CI pipelines requesting deploys). Plain axum routes;
//! authentication by API token (`Authorization: Bearer dpt_…`) or session cookie, resolved by
//! the auth middleware before these handlers run; every handler checks the caller itself.
//! Errors always come as `{"error": {"code", "message"}}` (see `error.rs`). The OpenAPI
//! document (`openapi.rs`) describes every route registered here; a test holds them together.

mod changes;
mod error;
mod extract;
mod history;
mod me;
mod openapi;
mod promotions;

use axum::{
    extract::{DefaultBodyLimit, Request},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{get, post, MethodRouter},
    Router,
};

pub use error::ApiError;
pub use openapi::document;

use crate::state::AppState;

/// Largest request body accepted (bigger ones get 413 `payload_too_large`).
pub const MAX_BODY: usize = 64 * 1024;

/// The router and the (method, path) of every route on it, so the OpenAPI test can check the
/// document covers them all.
struct Routes {
    router: Router<AppState>,
    listed: Vec<(Method, &'static str)>,
}

impl Routes {
    fn add(mut self, path: &'static str, methods: &[Method], route: MethodRouter<AppState>) -> Self {
        self.listed.extend(methods.iter().map(|m| (m.clone(), path)));
        self.router = self.router.route(path, route);
        self
    }
}

fn build() -> Routes {
    let routes = Routes { router: Router::new(), listed: Vec::new() };
    let routes = routes.add("/me", &[Method::GET], get(me::me));
    let routes = routes.add("/openapi.json", &[Method::GET], get(openapi::serve));
    let routes = routes.add("/history", &[Method::GET], get(history::history));
    let routes = routes.add(
        "/change-requests",
        &[Method::GET, Method::POST],
        get(changes::list).post(changes::create),
    );
    let routes = routes.add("/change-requests/{id}", &[Method::GET], get(changes::get));
    let routes = routes.add("/change-requests/{id}/approve", &[Method::POST], post(changes::approve));
    let routes = routes.add("/change-requests/{id}/reject", &[Method::POST], post(changes::reject));
    let routes = routes.add("/pipelines", &[Method::GET], get(promotions::list));
    let routes = routes.add("/pipelines/{name}", &[Method::PUT], axum::routing::put(promotions::put));
    let routes = routes.add(
        "/promotions",
        &[Method::GET, Method::POST],
        get(promotions::promotions).post(promotions::start),
    );
    let routes = routes.add("/promotions/{id}", &[Method::GET], get(promotions::get));
    routes.add("/promotions/{id}/{action}", &[Method::POST], post(promotions::steer))
}

/// (method, path relative to `/api/v1`) of every route.
pub fn routes() -> Vec<(Method, &'static str)> {
    build().listed
}

/// The `/api/v1` router, to be nested at `/api/v1`.
pub fn router() -> Router<AppState> {
    build()
        .router
        .fallback(|| async { ApiError::not_found("No such endpoint; see /api/v1/openapi.json.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This endpoint does not take that method.",
            )
        })
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
