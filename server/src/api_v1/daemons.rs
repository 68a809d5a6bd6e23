//! Daemons and their deployments in `/api/v1` (read only; changes go through change requests).

use app::{
    api::PortalError,
    domain::{names::ResourceName, ForField},
};
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    changes::EnvironmentParam,
    dto::{
        common::ErrorBody,
        daemons::{Daemon, DaemonPage, DaemonSummary, Deployment, DeploymentPage},
    },
    error::ApiError,
    extract::ApiUser,
    paging::{keyset, PageParams},
};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DaemonParams {
    /// Only this cluster's daemons; absent: every cluster's.
    cluster: String,
    /// `ACTIVE`, `DELETE_IN_PROGRESS`, …
    status: String,
    /// Only daemons running a revision of this family.
    family: String,
    environment: String,
}

#[utoipa::path(get, path = "/daemons", tag = "daemons", params(DaemonParams, PageParams),
    responses((status = 200, description = "Daemons by cluster and name, with their revisions and counts.", body = DaemonPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such environment.", body = ErrorBody),
              (status = 422, description = "A filter is invalid.", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: ApiUser,
    params: Result<Query<DaemonParams>, QueryRejection>,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<DaemonPage>, ApiError> {
    let (Query(p), Query(page)) = (params?, page?);
    page.limit()?;
    if !p.cluster.is_empty() {
        ResourceName::parse("cluster", &p.cluster).for_field("cluster")?;
    }
    if !p.family.is_empty() {
        ResourceName::parse("family", &p.family).for_field("family")?;
    }
    let gw = state.services.gateway_in(&p.environment).await?;
    let clusters = if p.cluster.is_empty() {
        gw.list_clusters().await?.into_iter().map(|c| c.name).collect()
    } else {
        vec![p.cluster.clone()]
    };
    let mut rows = Vec::new();
    for cluster in clusters {
        rows.extend(gw.list_daemons(&cluster).await?);
    }
    let family = format!("{}:", p.family);
    let rows: Vec<DaemonSummary> = rows
        .into_iter()
        .filter(|d| p.status.is_empty() || d.status == p.status)
        .filter(|d| p.family.is_empty() || d.revisions.iter().any(|r| r.starts_with(&family)))
        .map(DaemonSummary::from)
        .collect();
    let (items, next) = keyset(rows, |d| format!("{}/{}", d.cluster, d.name), &page)?;
    Ok(Json(DaemonPage { items, next }))
}

async fn detail(
    state: &AppState,
    environment: &str,
    cluster: &str,
    name: &str,
) -> Result<app::api::daemons::DaemonDetail, ApiError> {
    let not_found = |_| ApiError::not_found("No such daemon.");
    let cluster = ResourceName::parse("cluster", cluster).map_err(not_found)?;
    let name = ResourceName::parse("daemon name", name).map_err(not_found)?;
    let engine = state.services.changes_in(environment).await?;
    let requests =
        engine.newest_requests(cluster.as_str(), name.as_str()).await.map_err(PortalError::from)?;
    let mut d = engine.gateway.daemon_detail(cluster.as_str(), name.as_str(), requests).await?;
    d.count_instances();
    Ok(d)
}

#[utoipa::path(get, path = "/daemons/{cluster}/{name}", tag = "daemons",
    params(("cluster" = String, Path, description = "The cluster."), ("name" = String, Path, description = "The daemon."), EnvironmentParam),
    responses((status = 200, description = "Current revisions with counts, the latest deployment with its progress, and the settings.", body = Daemon),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such daemon.", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _caller: ApiUser,
    Path((cluster, name)): Path<(String, String)>,
    params: Result<Query<EnvironmentParam>, QueryRejection>,
) -> Result<Json<Daemon>, ApiError> {
    let Query(p) = params?;
    Ok(Json(detail(&state, &p.environment, &cluster, &name).await?.into()))
}

#[utoipa::path(get, path = "/daemons/{cluster}/{name}/deployments", tag = "daemons",
    params(("cluster" = String, Path, description = "The cluster."), ("name" = String, Path, description = "The daemon."), EnvironmentParam, PageParams),
    responses((status = 200, description = "The daemon's deployments, newest first.", body = DeploymentPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such daemon.", body = ErrorBody),
              (status = 422, description = "`limit` is invalid.", body = ErrorBody)))]
pub async fn deployments(
    State(state): State<AppState>,
    _caller: ApiUser,
    Path((cluster, name)): Path<(String, String)>,
    params: Result<Query<EnvironmentParam>, QueryRejection>,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<DeploymentPage>, ApiError> {
    let (Query(p), Query(page)) = (params?, page?);
    page.limit()?;
    let d = detail(&state, &p.environment, &cluster, &name).await?;
    let all: Vec<Deployment> =
        d.deployment.into_iter().chain(d.past_deployments).map(Deployment::from).collect();
    // Newest first: the key counts down with the start time (ECS's clock, ms), then the id.
    let key = |x: &Deployment| {
        let ms = x.created_at.map(|s| (s * 1000.0) as i64).unwrap_or(0).clamp(0, i64::MAX / 2);
        format!("{:016x}/{}", i64::MAX / 2 - ms, x.id)
    };
    let (items, next) = keyset(all, key, &page)?;
    Ok(Json(DeploymentPage { items, next }))
}
