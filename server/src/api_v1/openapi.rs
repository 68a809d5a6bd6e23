//! The OpenAPI 3.1 document of `/api/v1`, generated: `utoipa` derives each route's operation
//! from its handler's `#[utoipa::path]` and each body's schema from its type (`dto/`), and
//! `utoipa-axum` registers a route and documents it in one place (`mod.rs`). A contract test
//! calls every route and validates the answers against this document.

use std::sync::OnceLock;

use axum::Json;
use serde_json::Value;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use super::dto::common::ErrorCode;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Daemon Portal API",
        version = "1",
        description = "Daemons, their task definitions and deployments, change requests and promotions. \
Authenticate with `Authorization: Bearer dpt_…` (an API token) or a session cookie; every call is \
checked as the UI's would be. Every error is `{\"error\": {\"code\", \"message\", \"fields\"?}}` with a \
stable code. Lists are keyset-paginated: pass a page's `next` as `after`. Every POST takes an \
`Idempotency-Key`: a retry with the same key and body answers the first result."
    ),
    servers((url = "/api/v1")),
    modifiers(&Bearer),
    security(("bearer" = [])),
    components(schemas(ErrorCode)),
    tags(
        (name = "identity"), (name = "task definitions"), (name = "daemons"), (name = "clusters"),
        (name = "change requests"), (name = "history"), (name = "delivery"), (name = "promotions"), (name = "meta")
    )
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("dpt_…").build(),
            ),
        );
    }
}

/// The whole document, built once.
pub fn document() -> Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(super::build().1).expect("the OpenAPI document serializes"))
        .clone()
}

#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "This document (OpenAPI 3.1). Public: it describes the API and holds no data.")))]
pub async fn serve() -> Json<Value> {
    Json(document())
}
