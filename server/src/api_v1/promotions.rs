//! `/api/v1` pipelines and promotions: a pipeline is written as a JSON or TOML document
//! (checked by the editor's rules), a promotion is started, read and steered. The checks are
//! the services' (`services/promotions`), as for the pages.

use app::api::PortalError;
use axum::{
    body::Bytes,
    extract::{rejection::QueryRejection, Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    dto::{
        common::ErrorBody,
        promotions::{
            Pipeline, PipelineDocument, PipelinePage, Promotion, PromotionPage, PromotionSummary,
            StartPromotion, SteerPromotion,
        },
    },
    error::ApiError,
    extract::{ApiJson, ApiUser},
    paging::{keyset, PageParams},
};
use crate::state::AppState;

#[utoipa::path(get, path = "/pipelines", tag = "promotions", params(PageParams),
    responses((status = 200, description = "Pipelines by name.", body = PipelinePage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 422, description = "`limit` is invalid.", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: ApiUser,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<PipelinePage>, ApiError> {
    let Query(page) = page?;
    let rows: Vec<Pipeline> = state
        .services
        .promotions
        .pipeline_views()
        .await
        .map_err(PortalError::from)?
        .into_iter()
        .map(Pipeline::from)
        .collect();
    let (items, next) = keyset(rows, |p| p.name.clone(), &page)?;
    Ok(Json(PipelinePage { items, next }))
}

/// Reads a pipeline document: TOML when the content type says so, JSON otherwise.
fn document(headers: &HeaderMap, body: &[u8]) -> Result<PipelineDocument, ApiError> {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", "The body is not UTF-8."))?;
    if kind.starts_with("application/toml") || kind.starts_with("text/toml") {
        toml::from_str(text).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("The TOML document does not describe a pipeline: {}", e.message()),
            )
        })
    } else if kind.starts_with("application/json") {
        serde_json::from_str(text).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("The JSON document does not describe a pipeline: {e}"),
            )
        })
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send application/json or application/toml.",
        ))
    }
}

#[utoipa::path(put, path = "/pipelines/{name}", tag = "promotions",
    params(("name" = String, Path, description = "The pipeline.")),
    request_body(content((PipelineDocument = "application/json"), (PipelineDocument = "application/toml"))),
    responses((status = 200, description = "The pipeline as saved (created or replaced).", body = Pipeline),
              (status = 400, description = "Not UTF-8.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "Deployers only.", body = ErrorBody),
              (status = 415, description = "Neither JSON nor TOML.", body = ErrorBody),
              (status = 422, description = "The document fails the editor's rules (`fields` as `stages.<i>.<field>`).", body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Pipeline>, ApiError> {
    caller.user.require_deployer()?;
    let mut draft = document(&headers, &body)?.into_draft();
    if draft.name.is_empty() {
        draft.name = name.clone();
    }
    if draft.name != name {
        return Err(PortalError::invalid("name", "The document's name differs from the URL's.").into());
    }
    let spec = draft.validate()?;
    let p = &state.services.promotions;
    p.save_pipeline(&caller.user, &caller.ip, &spec, false).await.map_err(PortalError::from)?;
    let saved = p.pipeline(&name).await.map_err(PortalError::from)?;
    Ok(Json(app::services::promotions::views::pipeline_view(saved).into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PromotionParams {
    /// Only this pipeline's promotions.
    pipeline: String,
    /// `running`, `paused`, `succeeded`, `failed`, `aborted`.
    state: String,
}

#[utoipa::path(get, path = "/promotions", tag = "promotions", params(PromotionParams, PageParams),
    responses((status = 200, description = "The latest 500 promotions, newest first.", body = PromotionPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 422, description = "`limit` is invalid.", body = ErrorBody)))]
pub async fn promotions(
    State(state): State<AppState>,
    _caller: ApiUser,
    params: Result<Query<PromotionParams>, QueryRejection>,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<PromotionPage>, ApiError> {
    let (Query(q), Query(page)) = (params?, page?);
    page.limit()?;
    let pipeline = (!q.pipeline.is_empty()).then_some(q.pipeline.as_str());
    let rows: Vec<PromotionSummary> = state
        .services
        .promotions
        .promotion_rows(pipeline, 500)
        .await
        .map_err(PortalError::from)?
        .into_iter()
        .map(PromotionSummary::from)
        .filter(|r| q.state.is_empty() || r.state == q.state)
        .collect();
    // Newest first: the key counts down with the creation time (portal clock), then the id.
    let key = |r: &PromotionSummary| format!("{:016x}/{}", i64::MAX - r.created_at.max(0), r.id);
    let (items, next) = keyset(rows, key, &page)?;
    Ok(Json(PromotionPage { items, next }))
}

#[utoipa::path(post, path = "/promotions", tag = "promotions",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body answer the first result (and start one promotion).")),
    request_body = StartPromotion,
    responses((status = 201, description = "The promotion (its first stage's request already made).", body = Promotion),
              (status = 400, description = "Malformed JSON.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "Deployers only.", body = ErrorBody),
              (status = 404, description = "No such pipeline.", body = ErrorBody),
              (status = 415, description = "Not JSON.", body = ErrorBody),
              (status = 422, description = "The revision is invalid or does not exist.", body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    caller: ApiUser,
    ApiJson(body): ApiJson<StartPromotion>,
) -> Result<(StatusCode, Json<Promotion>), ApiError> {
    caller.user.require_deployer()?;
    let (family, revision) = app::domain::promotion::parse_family_revision(&body.revision)
        .map_err(|m| PortalError::invalid("revision", m))?;
    let p = &state.services.promotions;
    let id = p
        .start(&caller.user, &caller.ip, body.pipeline.trim(), &family, revision)
        .await
        .map_err(PortalError::from)?;
    let view = p.promotion_view(&caller.user, &id).await.map_err(PortalError::from)?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[utoipa::path(get, path = "/promotions/{id}", tag = "promotions",
    params(("id" = String, Path, description = "The promotion.")),
    responses((status = 200, description = "Stages with their gates, and the timeline.", body = Promotion),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such promotion.", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Promotion>, ApiError> {
    let view =
        state.services.promotions.promotion_view(&caller.user, &id).await.map_err(PortalError::from)?;
    Ok(Json(view.into()))
}

#[utoipa::path(post, path = "/promotions/{id}/{action}", tag = "promotions",
    params(("id" = String, Path, description = "The promotion."),
           ("action" = String, Path, description = "`pause`, `resume`, `abort`, `promote` or `roll-back`."),
           ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body answer the first result.")),
    request_body(content = Option<SteerPromotion>, description = "Optional; `roll_back_current` for abort, `stage` for promote."),
    responses((status = 200, description = "The promotion after the action.", body = Promotion),
              (status = 400, description = "Malformed JSON.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 403, description = "The caller may not steer it.", body = ErrorBody),
              (status = 404, description = "No such promotion or action.", body = ErrorBody),
              (status = 409, description = "Not in a state that allows the action.", body = ErrorBody)))]
pub async fn steer(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Promotion>, ApiError> {
    // The body is optional (pause and resume need none).
    let SteerPromotion { roll_back_current, stage } = if body.iter().all(u8::is_ascii_whitespace) {
        SteerPromotion::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("The body is not valid JSON: {e}"),
            )
        })?
    };
    let (p, user, ip) = (&state.services.promotions, &caller.user, &caller.ip);
    let done = match action.as_str() {
        "pause" => p.pause(user, ip, &id).await,
        "resume" => p.resume(user, ip, &id).await,
        "abort" => p.abort(user, ip, &id, roll_back_current).await,
        "promote" => p.promote(user, ip, &id, stage).await,
        "roll-back" => p.roll_back_stages(user, ip, &id).await.map(|_| ()),
        _ => {
            return Err(ApiError::not_found(
                "No such action: use pause, resume, abort, promote or roll-back.",
            ))
        }
    };
    done.map_err(PortalError::from)?;
    let view = p.promotion_view(user, &id).await.map_err(PortalError::from)?;
    Ok(Json(view.into()))
}
