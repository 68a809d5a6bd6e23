//! Delivery metrics: the four DORA figures of the portal's change requests, per team, cluster,
//! environment and period. The rows come from `change_requests` (`rows`), the figures from the
//! pure `domain::delivery::compute`, the page's SVG charts from `charts`.
//!
//! Only the portal's clock is read: `created_at` and `finished_at` are written by the portal
//! (the request was made; the worker saw it end), and the window ends at the portal's now.

pub mod charts;

use crate::{
    api::PortalError,
    domain::{
        delivery::{compute, window, ChangeRecord, DeliveryMetrics, DeliveryQuery, Outcome},
        FieldErrors,
    },
    services::{clock::now_ms, error::storage_failed, sql_builder::SqlBuilder, Db},
};

/// At most this many ended changes are read for one period (the page stays fast; a team that
/// ends more than this in 90 days sees the newest ones' figures).
const MAX_ROWS: i64 = 50_000;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    /// The detail goes to the log (`storage_failed`), never into a message.
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
}

impl From<DeliveryError> for PortalError {
    fn from(e: DeliveryError) -> Self {
        match e {
            DeliveryError::Invalid(f) => PortalError::Invalid(f),
            DeliveryError::Db(e) => storage_failed(&e),
        }
    }
}

/// The figures of `query` for the period ending now (the portal's clock). For `/api/v1` and
/// the `/delivery` page.
pub async fn delivery_metrics(db: &Db, query: &DeliveryQuery) -> Result<DeliveryMetrics, DeliveryError> {
    delivery_metrics_at(db, query, now_ms()).await
}

/// [`delivery_metrics`] for the period ending at `now` (epoch ms, portal clock).
pub async fn delivery_metrics_at(
    db: &Db,
    query: &DeliveryQuery,
    now: i64,
) -> Result<DeliveryMetrics, DeliveryError> {
    let query = query.validate().map_err(DeliveryError::Invalid)?;
    let w = window(query.period, now);
    let rows = ended_changes(db, &query, w.from, w.to).await?;
    Ok(compute(&query, w, &rows))
}

type Row = (String, String, String, String, String, i64, Option<i64>, Option<String>);

/// Deploy, update and rollback requests matching `query` that ended in `[from, to]`.
async fn ended_changes(
    db: &Db,
    query: &DeliveryQuery,
    from: i64,
    to: i64,
) -> Result<Vec<ChangeRecord>, sqlx::Error> {
    let mut q = SqlBuilder::new(
        "SELECT id, COALESCE(environment, ''), cluster, daemon, state, created_at, finished_at, deployment_arn \
         FROM change_requests WHERE kind IN ('deploy', 'update', 'rollback') \
         AND state IN ('succeeded', 'failed', 'rolled_back', 'stopped') AND finished_at >= ",
    );
    q.push_bind(from).push(" AND finished_at <= ").push_bind(to);
    if !query.team.is_empty() {
        q.push(" AND team = ").push_bind(query.team.clone());
    }
    if !query.cluster.is_empty() {
        q.push(" AND cluster = ").push_bind(query.cluster.clone());
    }
    if let Some(env) = &query.environment {
        q.push(" AND COALESCE(environment, '') = ").push_bind(env.clone());
    }
    q.push(" ORDER BY finished_at DESC, id DESC LIMIT ").push_bind(MAX_ROWS);
    let rows: Vec<Row> = q.fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, environment, cluster, daemon, state, created_at, finished_at, arn)| {
            Some(ChangeRecord {
                id,
                environment,
                cluster,
                daemon,
                outcome: Outcome::from_state(&state)?,
                created_at,
                finished_at: finished_at?,
                reached_ecs: arn.is_some(),
            })
        })
        .collect())
}

/// The teams and clusters that have change requests, for the page's filters.
pub async fn filter_options(db: &Db) -> Result<(Vec<String>, Vec<String>), DeliveryError> {
    let teams: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT team FROM change_requests WHERE team <> '' ORDER BY team LIMIT 500",
    )
    .fetch_all(db.pool())
    .await?;
    let clusters: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT cluster FROM change_requests WHERE cluster <> '' ORDER BY cluster LIMIT 500",
    )
    .fetch_all(db.pool())
    .await?;
    Ok((teams, clusters))
}
