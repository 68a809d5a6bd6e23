//! Delivery metrics (`/delivery`): the page's view model and its server function. Any
//! signed-in user may read them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::delivery::{DeliveryMetrics, DeliveryQuery};

/// The four charts, SVG text drawn on the server (`services::delivery::charts`); "" when a
/// chart could not be drawn (its table still has the numbers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryCharts {
    pub deployments: String,
    pub lead_time: String,
    pub failure_rate: String,
    pub restore: String,
}

/// What the `/delivery` page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub metrics: DeliveryMetrics,
    pub charts: DeliveryCharts,
    /// Teams and clusters that have change requests, for the filters.
    pub teams: Vec<String>,
    pub clusters: Vec<String>,
}

/// The delivery metrics of `query` for the period ending now, with the page's charts.
#[server(prefix = "/api", endpoint = "delivery-metrics")]
pub async fn get_delivery_metrics(
    #[server(default)] query: DeliveryQuery,
) -> Result<DeliveryView, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let metrics = crate::services::delivery::delivery_metrics(&s.db, &query).await?;
    let (teams, clusters) = crate::services::delivery::filter_options(&s.db).await?;
    let charts = crate::services::delivery::charts::for_metrics(&metrics);
    Ok(DeliveryView { metrics, charts, teams, clusters })
}
