//! The change-request endpoints of `/api/v1`: create, list, read, approve, reject. They call
//! the same `app::backend::ChangesBackend` as the Approvals pages, which checks every policy
//! rule itself (who may request, who may approve, self-approval, freeze windows); these
//! handlers validate the body with the same domain rules as the forms, and map `PortalError`s
//! to the API's error body.

use app::{
    api::changes::{ChangeInput, Inbox, RequestFilter},
    domain::{
        change::ChangeState,
        deletion::{DeleteDaemonDraft, RevisionDraft},
        deployment::DeployDraft,
        names::ResourceName,
        ForField,
    },
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    error::ApiError,
    extract::{ApiJson, ApiUser},
};
use crate::state::AppState;

/// The body of `POST /change-requests`. `deploy` creates a daemon, or updates it when
/// `daemon_arn` is given (`rollback: true` marks an update back to an earlier revision); its
/// fields are the deploy form's typed input, checked by the same rules.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NewChange {
    Deploy(DeployDraft),
    DeleteDaemon(DeleteDaemonDraft),
    DeleteRevision(RevisionDraft),
}

fn invalid(field: &str, message: String) -> ApiError {
    app::api::PortalError::invalid(field, message).into()
}

fn input(body: NewChange) -> Result<ChangeInput, ApiError> {
    Ok(match body {
        NewChange::Deploy(d) => {
            let spec = d.validate()?;
            ChangeInput::Deploy { spec, rollback: d.rollback }
        }
        NewChange::DeleteDaemon(d) => {
            let s = d.validate("daemon")?;
            ChangeInput::DeleteDaemon { cluster: s.cluster.to_string(), daemon: s.daemon.to_string() }
        }
        NewChange::DeleteRevision(d) => {
            let s = d.validate()?;
            ChangeInput::DeleteRevision { family: s.family.to_string(), revision: s.revision }
        }
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateParams {
    environment: String,
}

/// `POST /change-requests?environment=` (deployers): 201 with the request as it stands (a
/// request needing no approval has already started), acting in the environment named (the
/// default one when none is).
pub async fn create(
    State(state): State<AppState>,
    caller: ApiUser,
    params: Result<Query<CreateParams>, QueryRejection>,
    ApiJson(body): ApiJson<NewChange>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.user.require_deployer()?;
    let Query(p) = params?;
    let engine = state.services.changes_in(&p.environment).await?;
    let row = engine.submit_change(&caller.user, &caller.ip, input(body)?).await?;
    Ok((StatusCode::CREATED, Json(json!(row))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    inbox: String,
    state: String,
    cluster: String,
    environment: String,
    after: String,
}

/// `GET /change-requests?inbox=waiting|mine|all&state=&cluster=&environment=&after=`.
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(p) = params?;
    if !matches!(p.inbox.as_str(), "" | "waiting" | "mine" | "all") {
        return Err(invalid("inbox", "One of waiting, mine, all.".into()));
    }
    if !p.state.is_empty() && ChangeState::parse(&p.state).is_none() {
        return Err(invalid("state", format!("Unknown state {}.", p.state)));
    }
    if !p.cluster.is_empty() {
        ResourceName::parse("cluster", &p.cluster).for_field("cluster")?;
    }
    if !p.environment.is_empty() {
        app::domain::environment::parse_environment_name(&p.environment).for_field("environment")?;
    }
    let filter = RequestFilter {
        inbox: Inbox::parse(&p.inbox),
        state: p.state,
        cluster: p.cluster,
        environment: p.environment,
        after: p.after,
    };
    let page = state.services.changes.list_changes(&caller.user, filter).await?;
    Ok(Json(json!(page)))
}

fn check_id(id: &str) -> Result<&str, ApiError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ApiError::not_found("No change request has this id."));
    }
    Ok(id)
}

/// `GET /change-requests/{id}`: state, policy, reviews and timeline.
pub async fn get(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let detail = state.services.changes.get_change(&caller.user, check_id(&id)?).await?;
    Ok(Json(json!(detail)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewBody {
    comment: String,
    /// The `version` of the request the reviewer read (GET /change-requests/{id}); required.
    /// A request edited since answers 409 and nothing is counted.
    version: Option<i64>,
}

async fn review(
    state: AppState,
    caller: ApiUser,
    id: &str,
    approve: bool,
    body: ReviewBody,
) -> Result<Json<Value>, ApiError> {
    let id = check_id(id)?;
    caller.user.require_approver()?;
    let comment = app::domain::change::parse_comment(&body.comment, !approve).for_field("comment")?;
    let version =
        app::domain::policy::parse_review_version(&body.version.map(|v| v.to_string()).unwrap_or_default())
            .for_field("version")?;
    let row = state.services.changes.review(&caller.user, &caller.ip, id, version, approve, &comment).await?;
    Ok(Json(json!(row)))
}

/// `POST /change-requests/{id}/approve` with `{"version": N, "comment": "…"}` (comment optional).
pub async fn approve(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<Value>, ApiError> {
    review(state, caller, &id, true, body).await
}

/// `POST /change-requests/{id}/reject` with `{"version": N, "comment": "…"}` (comment required).
pub async fn reject(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<Value>, ApiError> {
    review(state, caller, &id, false, body).await
}
