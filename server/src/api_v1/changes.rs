//! The change-request endpoints of `/api/v1`: create, list, read, edit, approve, reject,
//! cancel and override a freeze. They call the same change engine as the Approvals pages,
//! which checks every policy rule itself (who may request, who may approve, self-approval,
//! freeze windows); these handlers validate bodies with the same domain rules as the forms.

use app::{
    api::{
        changes::{ChangeInput, Inbox, RequestFilter},
        PortalError,
    },
    domain::{change::ChangeState, names::ResourceName, ForField},
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    dto::{
        changes::{
            ChangeRequest, ChangeRequestDetails, ChangeRequestPage, EditChange, NewChange, OverrideBody,
            ReviewBody,
        },
        common::ErrorBody,
    },
    error::ApiError,
    extract::{ApiJson, ApiUser},
    paging::parse_limit,
};
use crate::state::AppState;

fn input(body: NewChange) -> Result<ChangeInput, ApiError> {
    Ok(match body {
        NewChange::Deploy(d) => {
            let d = d.into_draft();
            let spec = d.validate()?;
            ChangeInput::Deploy { spec, rollback: d.rollback }
        }
        NewChange::DeleteDaemon(d) => {
            let s = d.into_draft().validate("daemon")?;
            ChangeInput::DeleteDaemon { cluster: s.cluster.to_string(), daemon: s.daemon.to_string() }
        }
        NewChange::DeleteRevision(d) => {
            let s = d.into_draft().validate()?;
            ChangeInput::DeleteRevision { family: s.family.to_string(), revision: s.revision }
        }
    })
}

/// Where a change acts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct EnvironmentParam {
    /// An environment's name; absent: the default one.
    pub environment: String,
}

#[utoipa::path(post, path = "/change-requests", tag = "change requests",
    params(EnvironmentParam, ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body answer the first result.")),
    request_body = NewChange,
    responses((status = 201, description = "The request as it stands (one needing no approval has already started).", body = ChangeRequest),
              (status = 400, description = "Malformed JSON.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "The caller may not deploy here.", body = ErrorBody),
              (status = 409, description = "The daemon has a change in flight.", body = ErrorBody),
              (status = 415, description = "Not JSON.", body = ErrorBody),
              (status = 422, description = "The body fails validation (`fields` says where).", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiUser,
    params: Result<Query<EnvironmentParam>, QueryRejection>,
    ApiJson(body): ApiJson<NewChange>,
) -> Result<(StatusCode, Json<ChangeRequest>), ApiError> {
    caller.user.require_deployer()?;
    let Query(p) = params?;
    let engine = state.services.changes_in(&p.environment).await?;
    let row = engine.submit_change(&caller.user, &caller.ip, input(body)?).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `waiting` (pending requests the caller may approve; the default), `mine` or `all`.
    inbox: String,
    /// A state: pending, approved, executing, succeeded, failed, rolled_back, stopped, rejected, cancelled, expired.
    state: String,
    cluster: String,
    environment: String,
    /// The `next` of the previous page.
    after: String,
    /// 1–200 (default 50).
    limit: Option<String>,
}

#[utoipa::path(get, path = "/change-requests", tag = "change requests", params(ListParams),
    responses((status = 200, description = "One page of requests, newest first.", body = ChangeRequestPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 422, description = "A filter is invalid.", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<ChangeRequestPage>, ApiError> {
    let Query(p) = params?;
    if !matches!(p.inbox.as_str(), "" | "waiting" | "mine" | "all") {
        return Err(PortalError::invalid("inbox", "One of waiting, mine, all.").into());
    }
    if !p.state.is_empty() && ChangeState::parse(&p.state).is_none() {
        return Err(PortalError::invalid("state", format!("Unknown state {}.", p.state)).into());
    }
    if !p.cluster.is_empty() {
        ResourceName::parse("cluster", &p.cluster).for_field("cluster")?;
    }
    if !p.environment.is_empty() {
        app::domain::environment::parse_environment_name(&p.environment).for_field("environment")?;
    }
    let limit = parse_limit(p.limit.as_deref()).map_err(|m| PortalError::invalid("limit", m))?;
    let mut filter = RequestFilter {
        inbox: Inbox::parse(&p.inbox),
        state: p.state,
        cluster: p.cluster,
        environment: p.environment,
        after: p.after,
    };
    // The engine pages by its own size; a smaller limit cuts a page and continues from its
    // last row, a larger one reads further pages.
    let mut items = Vec::new();
    let mut next;
    loop {
        let page = state.services.changes.list_changes(&caller.user, filter.clone()).await?;
        next = page.next;
        items.extend(page.rows);
        if items.len() >= limit || next.is_none() {
            break;
        }
        filter.after = next.clone().unwrap_or_default();
    }
    if items.len() > limit {
        items.truncate(limit);
        next = items.last().map(|r| format!("{}:{}", r.created_at, r.id));
    }
    Ok(Json(ChangeRequestPage { items: items.into_iter().map(ChangeRequest::from).collect(), next }))
}

fn check_id(id: &str) -> Result<&str, ApiError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ApiError::not_found("No change request has this id."));
    }
    Ok(id)
}

async fn details(state: &AppState, caller: &ApiUser, id: &str) -> Result<ChangeRequestDetails, ApiError> {
    Ok(state.services.changes.get_change(&caller.user, id).await?.into())
}

#[utoipa::path(get, path = "/change-requests/{id}", tag = "change requests",
    params(("id" = String, Path, description = "The request's id.")),
    responses((status = 200, description = "State, policy, reviews and timeline.", body = ChangeRequestDetails),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such request.", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ChangeRequestDetails>, ApiError> {
    Ok(Json(details(&state, &caller, check_id(&id)?).await?))
}

#[utoipa::path(put, path = "/change-requests/{id}", tag = "change requests",
    params(("id" = String, Path, description = "The request's id.")),
    request_body = EditChange,
    responses((status = 200, description = "The edited request (a new version; approvals so far are void).", body = ChangeRequestDetails),
              (status = 400, description = "Malformed JSON.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "Only the requester may edit.", body = ErrorBody),
              (status = 404, description = "No such request.", body = ErrorBody),
              (status = 409, description = "No longer pending.", body = ErrorBody),
              (status = 422, description = "The settings fail validation.", body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditChange>,
) -> Result<Json<ChangeRequestDetails>, ApiError> {
    let id = check_id(&id)?;
    caller.user.require_deployer()?;
    let spec = body.settings.into_draft().validate()?;
    state.services.changes.edit(&caller.user, &caller.ip, id, spec).await?;
    Ok(Json(details(&state, &caller, id).await?))
}

async fn review(
    state: AppState,
    caller: ApiUser,
    id: &str,
    approve: bool,
    body: ReviewBody,
) -> Result<Json<ChangeRequest>, ApiError> {
    let id = check_id(id)?;
    caller.user.require_approver()?;
    let comment = app::domain::change::parse_comment(&body.comment, !approve).for_field("comment")?;
    let version =
        app::domain::policy::parse_review_version(&body.version.map(|v| v.to_string()).unwrap_or_default())
            .for_field("version")?;
    let row = state.services.changes.review(&caller.user, &caller.ip, id, version, approve, &comment).await?;
    Ok(Json(row.into()))
}

#[utoipa::path(post, path = "/change-requests/{id}/approve", tag = "change requests",
    params(("id" = String, Path, description = "The request's id."), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body answer the first result.")),
    request_body = ReviewBody,
    responses((status = 200, description = "The request after the review.", body = ChangeRequest),
              (status = 400, description = "Malformed JSON.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "The caller may not approve this request.", body = ErrorBody),
              (status = 404, description = "No such request.", body = ErrorBody),
              (status = 409, description = "Edited since the version read, or no longer pending.", body = ErrorBody),
              (status = 422, description = "`version` missing.", body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<ChangeRequest>, ApiError> {
    review(state, caller, &id, true, body).await
}

#[utoipa::path(post, path = "/change-requests/{id}/reject", tag = "change requests",
    params(("id" = String, Path, description = "The request's id."), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body answer the first result.")),
    request_body = ReviewBody,
    responses((status = 200, description = "The rejected request.", body = ChangeRequest),
              (status = 400, description = "Malformed JSON.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "The caller may not review this request.", body = ErrorBody),
              (status = 404, description = "No such request.", body = ErrorBody),
              (status = 409, description = "Edited since the version read, or no longer pending.", body = ErrorBody),
              (status = 422, description = "A comment is required.", body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<ChangeRequest>, ApiError> {
    review(state, caller, &id, false, body).await
}

#[utoipa::path(post, path = "/change-requests/{id}/cancel", tag = "change requests",
    params(("id" = String, Path, description = "The request's id."), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key answer the first result.")),
    responses((status = 200, description = "The cancelled request.", body = ChangeRequestDetails),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "Only the requester may cancel.", body = ErrorBody),
              (status = 404, description = "No such request.", body = ErrorBody),
              (status = 409, description = "Already executing or ended.", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ChangeRequestDetails>, ApiError> {
    let id = check_id(&id)?;
    caller.user.require_deployer()?;
    state.services.changes.cancel(&caller.user, &caller.ip, id).await?;
    Ok(Json(details(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/change-requests/{id}/override-freeze", tag = "change requests",
    params(("id" = String, Path, description = "The request's id."), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body answer the first result.")),
    request_body = OverrideBody,
    responses((status = 200, description = "The request, now executing despite the freeze.", body = ChangeRequestDetails),
              (status = 400, description = "Malformed JSON.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "Admins only.", body = ErrorBody),
              (status = 404, description = "No such request.", body = ErrorBody),
              (status = 409, description = "Not approved and frozen.", body = ErrorBody),
              (status = 422, description = "A reason is required.", body = ErrorBody)))]
pub async fn override_freeze(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OverrideBody>,
) -> Result<Json<ChangeRequestDetails>, ApiError> {
    let id = check_id(&id)?;
    if !caller.user.is_admin() {
        return Err(PortalError::Forbidden("Only admins may override a freeze window.".into()).into());
    }
    let reason = app::domain::change::parse_override_reason(&body.reason).for_field("reason")?;
    state.services.changes.override_freeze(&caller.user, &caller.ip, id, &reason).await?;
    Ok(Json(details(&state, &caller, id).await?))
}
