//! `GET /api/v1/exports`: a revision, a daemon or several daemons of a cluster as
//! CloudFormation (YAML or JSON), Terraform or AWS CLI JSON (`app::services::iac`, the same
//! as the pages' Export).

use app::{api::PortalError, domain::iac::ExportRequest};
use axum::{
    extract::{rejection::QueryRejection, Query, State},
    http::header,
    response::{IntoResponse, Response},
};

use super::{dto::common::ErrorBody, error::ApiError, extract::ApiUser};
use crate::state::AppState;

#[utoipa::path(get, path = "/exports", tag = "task definitions",
    params(
        ("format" = String, Query, description = "`cloudformation-yaml`, `cloudformation-json`, `terraform` or `cli-json`."),
        ("environment" = Option<String>, Query, description = "An environment's name; absent: the default one."),
        ("family" = Option<String>, Query, description = "With `revision`: export that revision."),
        ("revision" = Option<u32>, Query, description = "The revision."),
        ("cluster" = Option<String>, Query, description = "With `daemon`: export daemons of this cluster with what they run."),
        ("daemon" = Option<Vec<String>>, Query, description = "A daemon; repeat for several."),
    ),
    responses((status = 200, description = "The text, as a file (`Content-Disposition`).",
                content(("text/yaml"), ("application/json"), ("text/plain"))),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such environment, cluster, daemon or revision.", body = ErrorBody),
              (status = 422, description = "The query is invalid (`fields` says which).", body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    _caller: ApiUser,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) = pairs?;
    let request = ExportRequest::from_pairs(&pairs).map_err(PortalError::Invalid)?;
    let out = app::services::iac::export_in(&state.services, &request).await?;
    Ok((
        [
            (header::CONTENT_TYPE, out.content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", out.filename)),
        ],
        out.body,
    )
        .into_response())
}
