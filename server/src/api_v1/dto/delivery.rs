//! Delivery metrics (the four DORA figures) as `/api/v1` answers them. Times are the portal's
//! clock; durations are milliseconds; rates are 0–1; a figure without data is null.

use app::domain::delivery::{BucketFigures, DeliveryMetrics};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// "" = every team.
    pub team: String,
    /// "" = every cluster.
    pub cluster: String,
    /// Null = every environment.
    pub environment: Option<String>,
    /// Days.
    pub period: u32,
    pub from: i64,
    pub to: i64,
    /// `day` or `week`: the series' bucket.
    pub bucket: String,
    /// Successful deploys, updates and rollbacks in the period.
    pub deployments: u32,
    pub deployments_per_day: f64,
    pub deployments_per_week: f64,
    pub lead_time_median_ms: Option<i64>,
    pub lead_time_p90_ms: Option<i64>,
    /// Changes that reached ECS and ended in the period.
    pub changes: u32,
    /// Of those, failed, rolled back or stopped.
    pub failures: u32,
    pub change_failure_rate: Option<f64>,
    pub restored: u32,
    pub not_restored: u32,
    pub time_to_restore_median_ms: Option<i64>,
    /// Requests ECS refused (never reached ECS): not counted above.
    pub refused_by_ecs: u32,
    pub series: Vec<DeliveryBucket>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryBucket {
    pub start: i64,
    /// `YYYY-MM-DD` of its first day.
    pub label: String,
    pub deployments: u32,
    pub lead_time_median_ms: Option<i64>,
    pub changes: u32,
    pub failures: u32,
    pub failure_rate: Option<f64>,
    pub restore_median_ms: Option<i64>,
}

impl From<BucketFigures> for DeliveryBucket {
    fn from(b: BucketFigures) -> Self {
        Self {
            start: b.start,
            label: b.label,
            deployments: b.deployments,
            lead_time_median_ms: b.lead_time_median_ms,
            changes: b.changes,
            failures: b.failures,
            failure_rate: b.failure_rate,
            restore_median_ms: b.restore_median_ms,
        }
    }
}

impl From<DeliveryMetrics> for Delivery {
    fn from(m: DeliveryMetrics) -> Self {
        Self {
            team: m.query.team,
            cluster: m.query.cluster,
            environment: m.query.environment,
            period: m.query.period,
            from: m.from,
            to: m.to,
            bucket: serde_json::to_value(m.bucket)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            deployments: m.deployments,
            deployments_per_day: m.deployments_per_day,
            deployments_per_week: m.deployments_per_week,
            lead_time_median_ms: m.lead_time_median_ms,
            lead_time_p90_ms: m.lead_time_p90_ms,
            changes: m.changes,
            failures: m.failures,
            change_failure_rate: m.change_failure_rate,
            restored: m.restored,
            not_restored: m.not_restored,
            time_to_restore_median_ms: m.time_to_restore_median_ms,
            refused_by_ecs: m.refused_by_ecs,
            series: m.series.into_iter().map(DeliveryBucket::from).collect(),
        }
    }
}
