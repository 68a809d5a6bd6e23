//! `GET /api/v1/delivery-metrics`: the Delivery metrics page's figures
//! (`app::services::delivery`), for any signed-in caller, as on the page.

use app::{api::PortalError, domain::delivery::DeliveryQuery};
use axum::{
    extract::{rejection::QueryRejection, Query, State},
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    dto::{common::ErrorBody, delivery::Delivery},
    error::ApiError,
    extract::ApiUser,
};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// A team; absent: every team.
    team: String,
    /// A cluster; absent: every cluster.
    cluster: String,
    /// An environment; absent: every environment.
    environment: String,
    /// Days: 7, 30 (default) or 90.
    period: Option<String>,
}

#[utoipa::path(get, path = "/delivery-metrics", tag = "delivery", params(DeliveryParams),
    responses((status = 200, description = "Deployment frequency, lead time, change failure rate and time to restore, with a series per day or week.", body = Delivery),
              (status = 400, description = "Unreadable query.", body = ErrorBody),
              (status = 401, description = "Not signed in.", body = ErrorBody),
              (status = 422, description = "A filter is invalid (`fields` says which).", body = ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    _caller: ApiUser,
    params: Result<Query<DeliveryParams>, QueryRejection>,
) -> Result<Json<Delivery>, ApiError> {
    let Query(p) = params?;
    let period = match p.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => DeliveryQuery::default().period,
        Some(s) => s.parse().map_err(|_| PortalError::invalid("period", "7, 30 or 90 days."))?,
    };
    let query = DeliveryQuery {
        team: p.team,
        cluster: p.cluster,
        environment: (!p.environment.is_empty()).then_some(p.environment),
        period,
    };
    let m = app::services::delivery::delivery_metrics(&state.services.db, &query)
        .await
        .map_err(PortalError::from)?;
    Ok(Json(m.into()))
}
