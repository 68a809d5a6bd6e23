//! Daemon task definitions in `/api/v1`: families and revisions (read), register (the body is
//! what `aws ecs register-daemon-task-definition --cli-input-json` takes, checked by the
//! form's rules) and delete (a change request, as on the page).

use app::{
    api::{changes::ChangeInput, task_definitions::parse_family_filter, PortalError},
    domain::{deletion::RevisionDraft, task_definition::TaskDefinitionForm, ForField},
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    changes::EnvironmentParam,
    dto::{
        changes::ChangeRequest,
        common::ErrorBody,
        task_definitions::{Family, FamilyPage, Revision, RevisionPage, TaskDefinition, TaskDefinitionJson},
    },
    error::ApiError,
    extract::{ApiJson, ApiUser},
    paging::{keyset, PageParams},
};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct FamilyParams {
    /// Families whose name starts with this.
    family_prefix: String,
    environment: String,
}

#[utoipa::path(get, path = "/task-definitions", tag = "task definitions", params(FamilyParams, PageParams),
    responses((status = 200, description = "Families with their latest revision, by name.", body = FamilyPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such environment.", body = ErrorBody),
              (status = 422, description = "A filter is invalid.", body = ErrorBody)))]
pub async fn families(
    State(state): State<AppState>,
    _caller: ApiUser,
    params: Result<Query<FamilyParams>, QueryRejection>,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<FamilyPage>, ApiError> {
    let (Query(p), Query(page)) = (params?, page?);
    page.limit()?;
    let prefix = parse_family_filter(&p.family_prefix).for_field("family_prefix")?;
    let gw = state.services.gateway_in(&p.environment).await?;
    // Every family (ECS pages by 100); the keyset runs over the names.
    let mut latest = Vec::new();
    let mut token = None;
    loop {
        let (rows, next) = gw.list_task_definition_families(prefix.clone(), token, 100).await?;
        latest.extend(rows);
        match next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let revisions = gw.list_task_definition_revisions(None, prefix, None, false).await?;
    let used: Option<std::collections::HashSet<String>> = gw.task_definition_usage().await.ok().map(|u| {
        u.keys()
            .filter_map(|arn| app::api::task_definitions::family_and_revision(arn).map(|(f, _)| f))
            .collect()
    });
    let families: Vec<Family> = latest
        .into_iter()
        .map(|r| Family {
            active_revisions: revisions
                .iter()
                .filter(|x| x.family == r.family && x.status == "ACTIVE")
                .count() as u32,
            deployed: used.as_ref().map(|u| u.contains(&r.family)),
            family: r.family,
            latest_revision: r.revision,
            registered_at: r.registered_at,
        })
        .collect();
    let (items, next) = keyset(families, |f| f.family.clone(), &page)?;
    Ok(Json(FamilyPage { items, next }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct RevisionParams {
    /// `ACTIVE`, `INACTIVE` or `DELETE_IN_PROGRESS`; absent: all.
    status: String,
    environment: String,
}

fn family_name(family: &str) -> Result<String, ApiError> {
    Ok(app::domain::names::ResourceName::parse("family", family).for_field("family")?.to_string())
}

#[utoipa::path(get, path = "/task-definitions/{family}", tag = "task definitions",
    params(("family" = String, Path, description = "The family."), RevisionParams, PageParams),
    responses((status = 200, description = "The family's revisions, oldest first.", body = RevisionPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such family.", body = ErrorBody),
              (status = 422, description = "A filter is invalid.", body = ErrorBody)))]
pub async fn revisions(
    State(state): State<AppState>,
    _caller: ApiUser,
    Path(family): Path<String>,
    params: Result<Query<RevisionParams>, QueryRejection>,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<RevisionPage>, ApiError> {
    let (Query(p), Query(page)) = (params?, page?);
    let family = family_name(&family).map_err(|_| ApiError::not_found("No such family."))?;
    if !matches!(p.status.as_str(), "" | "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS") {
        return Err(PortalError::invalid("status", "One of ACTIVE, INACTIVE, DELETE_IN_PROGRESS.").into());
    }
    let gw = state.services.gateway_in(&p.environment).await?;
    let all = gw.list_task_definition_revisions(Some(family.clone()), None, None, true).await?;
    if all.is_empty() {
        return Err(ApiError::not_found(format!("No daemon task definition family {family}.")));
    }
    let rows: Vec<Revision> =
        all.into_iter().filter(|r| p.status.is_empty() || r.status == p.status).map(Revision::from).collect();
    // Zero-padded so that the key's order is the revisions' order.
    let (items, next) = keyset(rows, |r| format!("{:010}", r.revision), &page)?;
    Ok(Json(RevisionPage { items, next }))
}

#[utoipa::path(get, path = "/task-definitions/{family}/{revision}", tag = "task definitions",
    params(("family" = String, Path, description = "The family."), ("revision" = u32, Path, description = "The revision."), EnvironmentParam),
    responses((status = 200, description = "The revision in full, with its definition as `register` takes it.", body = TaskDefinition),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such revision.", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _caller: ApiUser,
    Path((family, revision)): Path<(String, String)>,
    params: Result<Query<EnvironmentParam>, QueryRejection>,
) -> Result<Json<TaskDefinition>, ApiError> {
    let Query(p) = params?;
    let (family, revision) = revision_path(&family, &revision)?;
    let gw = state.services.gateway_in(&p.environment).await?;
    match gw.describe_task_definition(&family, revision).await {
        Ok(record) => Ok(Json(record.into())),
        // ECS says "does not exist" as a ClientException.
        Err(app::services::gateway::error::GatewayError::Ecs(e)) if e.is("ClientException") => {
            Err(ApiError::not_found(e.message))
        }
        Err(e) => Err(e.into()),
    }
}

fn revision_path(family: &str, revision: &str) -> Result<(String, u32), ApiError> {
    let revision: u32 = revision.parse().map_err(|_| ApiError::not_found("A revision is a whole number."))?;
    let spec = RevisionDraft { family: family.to_string(), revision }
        .validate()
        .map_err(|_| ApiError::not_found("No such revision."))?;
    Ok((spec.family.to_string(), spec.revision))
}

#[utoipa::path(post, path = "/task-definitions", tag = "task definitions",
    params(EnvironmentParam, ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body answer the first result (and register once).")),
    request_body(content = TaskDefinitionJson, description = "What `aws ecs register-daemon-task-definition --cli-input-json` takes."),
    responses((status = 201, description = "The new revision.", body = TaskDefinition),
              (status = 400, description = "Malformed JSON.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "The caller may not register in this family, or may not use a role it names.", body = ErrorBody),
              (status = 415, description = "Not JSON.", body = ErrorBody),
              (status = 422, description = "The definition fails the form's rules (`fields` says where).", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    caller: ApiUser,
    params: Result<Query<EnvironmentParam>, QueryRejection>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<TaskDefinition>), ApiError> {
    caller.user.require_deployer()?;
    let Query(p) = params?;
    let form = TaskDefinitionForm::from_json_value(&body).map_err(|m| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", format!("The body does not fit: {m}"))
    })?;
    let spec = form.parse()?;
    let gw = state.services.gateway_in(&p.environment).await?;
    let s = &state.services;
    s.changes.claim_family(&caller.user, &spec.family).await?;
    let allowed = s.policies.allowed_roles(&caller.user).await.map_err(PortalError::from)?;
    let arn = gw.register_task_definition(spec, &allowed).await?;
    if let Err(e) = s
        .audit
        .record(
            &caller.user,
            "task_definition.create",
            &arn,
            serde_json::json!({"environment": p.environment, "via": "api"}),
        )
        .await
    {
        tracing::error!(error = %e, "audit log write failed");
    }
    let (family, revision) = app::api::task_definitions::family_and_revision(&arn).ok_or_else(|| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "ECS answered an unreadable ARN.")
    })?;
    Ok((StatusCode::CREATED, Json(gw.describe_task_definition(&family, revision).await?.into())))
}

#[utoipa::path(delete, path = "/task-definitions/{family}/{revision}", tag = "task definitions",
    params(("family" = String, Path, description = "The family."), ("revision" = u32, Path, description = "The revision."), EnvironmentParam),
    responses((status = 202, description = "The deletion's change request (already done when no approval is needed). Daemons running the revision keep running.", body = ChangeRequest),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "The caller may not delete here.", body = ErrorBody),
              (status = 404, description = "No such revision.", body = ErrorBody),
              (status = 409, description = "A daemon targets it, or a change is in flight.", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((family, revision)): Path<(String, String)>,
    params: Result<Query<EnvironmentParam>, QueryRejection>,
) -> Result<(StatusCode, Json<ChangeRequest>), ApiError> {
    caller.user.require_deployer()?;
    let Query(p) = params?;
    let (family, revision) = revision_path(&family, &revision)?;
    let engine = state.services.changes_in(&p.environment).await?;
    let row = engine
        .submit_change(&caller.user, &caller.ip, ChangeInput::DeleteRevision { family, revision })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}
