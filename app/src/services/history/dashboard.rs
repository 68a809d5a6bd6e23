//! What the home dashboard reads from the history: the rollouts running now (with their
//! request's progress), how many failed or rolled back and how many changes were made outside
//! the portal recently, and the newest rollouts.
//!
//! "Recently" is by the portal's clock: a row's id is a UUIDv7 made when the portal recorded
//! it (`ids::first_id_at`). `started_at` is not used for it, since an out-of-band rollout's
//! start comes from ECS's clock.

use super::{
    query::{list_rollouts, PageAt, RolloutFilter, RolloutRow},
    rows::RolloutRecord,
    History, HistoryError,
};
use crate::services::ids::first_id_at;

/// Statuses of a rollout that is still running.
const RUNNING: &str = "('PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_IN_PROGRESS')";
/// Statuses that count as a failure or a rollback (`FAILED`: the portal's, ECS refused the call).
const FAILED: &str =
    "('FAILED', 'STOPPED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED')";

/// At most this many running rollouts are listed.
const MAX_RUNNING: i64 = 20;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RolloutSummary {
    /// Running rollouts, newest first, each with its request's progress (percent of instances
    /// on the target; `None` for a change made outside the portal).
    pub running: Vec<(RolloutRow, Option<i64>)>,
    pub failed_recently: i64,
    pub out_of_band_recently: i64,
    pub newest: Vec<RolloutRow>,
}

#[derive(sqlx::FromRow)]
struct RunningRecord {
    #[sqlx(flatten)]
    rollout: RolloutRecord,
    progress: Option<i64>,
}

impl History {
    /// The dashboard's figures; "recently" means recorded at or after `since` (epoch ms).
    pub async fn summary(&self, since: i64, newest: i64) -> Result<RolloutSummary, HistoryError> {
        let pool = self.db.pool();
        let running: Vec<RunningRecord> = sqlx::query_as(&format!(
            "SELECT {}, c.progress FROM rollouts r LEFT JOIN change_requests c ON c.id = r.request_id \
             WHERE r.ended_at IS NULL AND r.status IN {RUNNING} ORDER BY r.id DESC LIMIT $1",
            super::query::COLUMNS
        ))
        .bind(MAX_RUNNING)
        .fetch_all(pool)
        .await?;
        let since = first_id_at(since);
        let failed_recently: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM rollouts WHERE id >= $1 AND status IN {FAILED}"
        ))
        .bind(&since)
        .fetch_one(pool)
        .await?;
        let out_of_band_recently: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM rollouts WHERE id >= $1 AND source = 'out_of_band'")
                .bind(&since)
                .fetch_one(pool)
                .await?;
        let newest = list_rollouts(&self.db, &RolloutFilter::default(), PageAt::First, newest).await?.rows;
        Ok(RolloutSummary {
            running: running.into_iter().map(|r| (RolloutRow::from(r.rollout), r.progress)).collect(),
            failed_recently,
            out_of_band_recently,
            newest,
        })
    }
}
