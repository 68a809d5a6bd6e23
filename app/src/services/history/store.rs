//! Writes to `rollouts`. A rollout is inserted when it starts (status `IN_PROGRESS`, or the
//! status ECS reports when it is noticed out of band), gets its deployment ARN once ECS
//! answers, and is finished once its deployment reaches a terminal status. Rows are never
//! deleted: they are the history.

use crate::services::db::Db;

/// A rollout as it starts. `approvers` are usernames; they are stored comma-separated, so
/// a comma inside a name is dropped (usernames cannot contain one anyway).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewRollout {
    /// The change request that caused it; `None` for out-of-band changes.
    pub request_id: Option<String>,
    /// `portal` or `out_of_band`.
    pub source: String,
    /// deploy | update | rollback | delete_daemon | ... (the request's kind).
    pub kind: String,
    pub cluster: String,
    pub daemon: String,
    pub team: String,
    pub requester: String,
    pub approvers: Vec<String>,
    /// `family:revision`, or "" when there was none (a first deploy).
    pub from_revision: String,
    pub to_revision: String,
    /// Human-readable difference between the two definitions (shown in a `<pre>`).
    pub diff: String,
    /// `None` until ECS has answered with a deployment.
    pub deployment_arn: Option<String>,
    /// ECS deployment status: IN_PROGRESS, SUCCESSFUL, ROLLBACK_SUCCESSFUL, ...
    pub status: String,
    pub reason: String,
    /// Epoch milliseconds.
    pub started_at: i64,
    /// Where it ran (the environment's name); `None` is claimed for the default environment at
    /// the next start.
    pub environment: Option<String>,
}

pub const SOURCE_PORTAL: &str = "portal";
pub const SOURCE_OUT_OF_BAND: &str = "out_of_band";

/// The stored form of a list of approvers.
pub fn join_approvers(approvers: &[String]) -> String {
    approvers.iter().map(|a| a.replace(',', "")).filter(|a| !a.is_empty()).collect::<Vec<_>>().join(",")
}

/// Inserts a rollout; returns its id.
pub async fn insert_rollout(db: &Db, r: &NewRollout) -> Result<String, sqlx::Error> {
    let id = crate::services::ids::new_id();
    sqlx::query(
        "INSERT INTO rollouts (request_id, source, kind, cluster, daemon, team, requester, \
         approvers, from_revision, to_revision, diff, deployment_arn, status, reason, started_at, id, environment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(&r.request_id)
    .bind(&r.source)
    .bind(&r.kind)
    .bind(&r.cluster)
    .bind(&r.daemon)
    .bind(&r.team)
    .bind(&r.requester)
    .bind(join_approvers(&r.approvers))
    .bind(&r.from_revision)
    .bind(&r.to_revision)
    .bind(&r.diff)
    .bind(&r.deployment_arn)
    .bind(&r.status)
    .bind(&r.reason)
    .bind(r.started_at)
    .bind(&id)
    .bind(&r.environment)
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// Records the terminal status, the reason (rollback or stop reason; "" when none) and when
/// it ended.
pub async fn finish_rollout(
    db: &Db,
    id: &str,
    status: &str,
    reason: &str,
    ended_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rollouts SET status = $1, reason = $2, ended_at = $3 WHERE id = $4")
        .bind(status)
        .bind(reason)
        .bind(ended_at)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Records the ECS deployment the rollout became.
pub async fn set_deployment(db: &Db, id: &str, deployment_arn: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE rollouts SET deployment_arn = $1 WHERE id = $2")
        .bind(deployment_arn)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}
