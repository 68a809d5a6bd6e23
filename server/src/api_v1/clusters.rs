//! Clusters, capacity providers and instances in `/api/v1` (read only).

use app::domain::names::ResourceName;
use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    changes::EnvironmentParam,
    dto::{
        clusters::{CapacityProvider, CapacityProviderPage, Cluster, ClusterPage, Instance, InstancePage},
        common::ErrorBody,
    },
    error::ApiError,
    extract::ApiUser,
    paging::{keyset, PageParams},
};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ClusterParams {
    /// `ACTIVE`, `INACTIVE`, …
    status: String,
    environment: String,
}

#[utoipa::path(get, path = "/clusters", tag = "clusters", params(ClusterParams, PageParams),
    responses((status = 200, description = "Clusters by name.", body = ClusterPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such environment.", body = ErrorBody),
              (status = 422, description = "`limit` is invalid.", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _caller: ApiUser,
    params: Result<Query<ClusterParams>, QueryRejection>,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<ClusterPage>, ApiError> {
    let (Query(p), Query(page)) = (params?, page?);
    page.limit()?;
    let gw = state.services.gateway_in(&p.environment).await?;
    let rows: Vec<Cluster> = gw
        .list_clusters()
        .await?
        .into_iter()
        .filter(|c| p.status.is_empty() || c.status == p.status)
        .map(Cluster::from)
        .collect();
    let (items, next) = keyset(rows, |c| c.name.clone(), &page)?;
    Ok(Json(ClusterPage { items, next }))
}

async fn detail(
    state: &AppState,
    environment: &str,
    name: &str,
) -> Result<app::api::clusters::ClusterDetail, ApiError> {
    let name = ResourceName::parse("cluster", name).map_err(|_| ApiError::not_found("No such cluster."))?;
    let gw = state.services.gateway_in(environment).await?;
    Ok(gw.cluster_detail(name.as_str()).await?)
}

#[utoipa::path(get, path = "/clusters/{name}", tag = "clusters",
    params(("name" = String, Path, description = "The cluster."), EnvironmentParam),
    responses((status = 200, description = "The cluster.", body = Cluster),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such cluster.", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _caller: ApiUser,
    Path(name): Path<String>,
    params: Result<Query<EnvironmentParam>, QueryRejection>,
) -> Result<Json<Cluster>, ApiError> {
    let Query(p) = params?;
    Ok(Json(detail(&state, &p.environment, &name).await?.summary.into()))
}

#[utoipa::path(get, path = "/clusters/{name}/capacity-providers", tag = "clusters",
    params(("name" = String, Path, description = "The cluster."), EnvironmentParam, PageParams),
    responses((status = 200, description = "Its Managed Instances capacity providers, by name.", body = CapacityProviderPage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such cluster.", body = ErrorBody),
              (status = 422, description = "`limit` is invalid.", body = ErrorBody)))]
pub async fn capacity_providers(
    State(state): State<AppState>,
    _caller: ApiUser,
    Path(name): Path<String>,
    params: Result<Query<EnvironmentParam>, QueryRejection>,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<CapacityProviderPage>, ApiError> {
    let (Query(p), Query(page)) = (params?, page?);
    page.limit()?;
    let d = detail(&state, &p.environment, &name).await?;
    let rows: Vec<CapacityProvider> = d.providers.into_iter().map(CapacityProvider::from).collect();
    let (items, next) = keyset(rows, |c| c.name.clone(), &page)?;
    Ok(Json(CapacityProviderPage { items, next }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct InstanceParams {
    /// Only this capacity provider's instances.
    capacity_provider: String,
    /// `ACTIVE`, `DRAINING`, …
    status: String,
    environment: String,
}

#[utoipa::path(get, path = "/clusters/{name}/instances", tag = "clusters",
    params(("name" = String, Path, description = "The cluster."), InstanceParams, PageParams),
    responses((status = 200, description = "Its Managed Instances with their daemon and application tasks, by id.", body = InstancePage),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 404, description = "No such cluster.", body = ErrorBody),
              (status = 422, description = "`limit` is invalid.", body = ErrorBody)))]
pub async fn instances(
    State(state): State<AppState>,
    _caller: ApiUser,
    Path(name): Path<String>,
    params: Result<Query<InstanceParams>, QueryRejection>,
    page: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<InstancePage>, ApiError> {
    let (Query(p), Query(page)) = (params?, page?);
    page.limit()?;
    let d = detail(&state, &p.environment, &name).await?;
    let rows: Vec<Instance> = d
        .instances
        .into_iter()
        .filter(|i| p.capacity_provider.is_empty() || i.capacity_provider == p.capacity_provider)
        .filter(|i| p.status.is_empty() || i.status == p.status)
        .map(Instance::from)
        .collect();
    let (items, next) = keyset(rows, |i| i.id.clone(), &page)?;
    Ok(Json(InstancePage { items, next }))
}
