//! `GET /iac/export`: a revision, a daemon or a selection of daemons as CloudFormation,
//! Terraform or AWS CLI JSON (`app::services::iac`). A plain axum route (a read, so GET), which
//! checks the session itself like the history export (`export.rs`): anonymous → 401, bad query
//! → 422, unknown environment, cluster, daemon or revision → 404, each with the JSON error body
//! of server functions.
//!
//! Query: `format` (`cloudformation-yaml`, `cloudformation-json`, `terraform`, `cli-json`),
//! optional `environment`, then `family` + `revision`, or `cluster` + `daemon` (repeatable).
//! The text comes inline (a browser shows it to copy), or as a file with `download=1`.

use app::{api::PortalError, auth::CurrentUser, services::iac};
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};

use crate::state::AppState;

fn error(e: PortalError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(e)).into_response()
}

pub async fn export(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if user.is_none() {
        return error(PortalError::Unauthenticated);
    }
    let request = match iac::ExportRequest::from_pairs(&pairs) {
        Ok(r) => r,
        Err(e) => return error(PortalError::Invalid(e)),
    };
    let out = match iac::export_in(&state.services, &request).await {
        Ok(out) => out,
        Err(e) => return error(e),
    };
    let disposition = if request.download { "attachment" } else { "inline" };
    // Inline, text/plain so a browser shows YAML and HCL instead of offering to save them.
    let content_type = if request.download { out.content_type } else { "text/plain; charset=utf-8" };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"{}\"", out.filename)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        out.body,
    )
        .into_response()
}
