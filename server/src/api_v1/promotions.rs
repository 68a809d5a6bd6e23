//! `/api/v1` pipelines and promotions: a pipeline is written as a JSON or TOML document
//! (`domain::pipeline::PipelineDraft`, the same rules as the editor), a promotion is started,
//! read and steered. The checks are the services' (`services/promotions`), as for the pages.

use app::domain::pipeline::PipelineDraft;
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{error::ApiError, extract::ApiJson, extract::ApiUser};
use crate::state::AppState;

/// `GET /pipelines`.
pub async fn list(State(state): State<AppState>, _caller: ApiUser) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(state.services.promotions.pipeline_views().await.map_err(app::api::PortalError::from)?)))
}

/// Reads a pipeline document: TOML when the content type says so, JSON otherwise.
fn document(headers: &HeaderMap, body: &[u8]) -> Result<PipelineDraft, ApiError> {
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

/// `PUT /pipelines/{name}`: creates or replaces the pipeline (its `name` must be the path's).
pub async fn put(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.user.require_deployer()?;
    let mut draft = document(&headers, &body)?;
    if draft.name.is_empty() {
        draft.name = name.clone();
    }
    if draft.name != name {
        return Err(
            app::api::PortalError::invalid("name", "The document's name differs from the URL's.").into()
        );
    }
    let spec = draft.validate()?;
    let p = &state.services.promotions;
    p.save_pipeline(&caller.user, &caller.ip, &spec, false).await.map_err(app::api::PortalError::from)?;
    let saved = p.pipeline(&name).await.map_err(app::api::PortalError::from)?;
    Ok(Json(json!(app::services::promotions::views::pipeline_view(saved))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pipeline: String,
}

/// `GET /promotions?pipeline=`: newest first.
pub async fn promotions(
    State(state): State<AppState>,
    _caller: ApiUser,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = params?;
    let pipeline = (!q.pipeline.is_empty()).then_some(q.pipeline.as_str());
    let rows =
        state.services.promotions.promotion_rows(pipeline, 100).await.map_err(app::api::PortalError::from)?;
    Ok(Json(json!({ "rows": rows })))
}

#[derive(Debug, Deserialize)]
pub struct Start {
    pipeline: String,
    /// `family:revision`.
    revision: String,
}

/// `POST /promotions`: 201 with the promotion (its first stage's request already made).
pub async fn start(
    State(state): State<AppState>,
    caller: ApiUser,
    ApiJson(body): ApiJson<Start>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.user.require_deployer()?;
    let (family, revision) = app::domain::promotion::parse_family_revision(&body.revision)
        .map_err(|m| app::api::PortalError::invalid("revision", m))?;
    let p = &state.services.promotions;
    let id = p
        .start(&caller.user, &caller.ip, body.pipeline.trim(), &family, revision)
        .await
        .map_err(app::api::PortalError::from)?;
    let view = p.promotion_view(&caller.user, &id).await.map_err(app::api::PortalError::from)?;
    Ok((StatusCode::CREATED, Json(json!(view))))
}

/// `GET /promotions/{id}`: stages with their gates, and the timeline.
pub async fn get(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let view = state
        .services
        .promotions
        .promotion_view(&caller.user, &id)
        .await
        .map_err(app::api::PortalError::from)?;
    Ok(Json(json!(view)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Steer {
    /// Abort: also send the stage in progress back to its previous revision.
    roll_back_current: bool,
    /// Promote: the stage's position (0 = first).
    stage: i64,
}

/// `POST /promotions/{id}/{action}` with action pause, resume, abort, promote or roll-back.
pub async fn steer(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    // The body is optional (pause and resume need none).
    let Steer { roll_back_current, stage } = if body.iter().all(u8::is_ascii_whitespace) {
        Steer::default()
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
    done.map_err(app::api::PortalError::from)?;
    let view = p.promotion_view(user, &id).await.map_err(app::api::PortalError::from)?;
    Ok(Json(json!(view)))
}
