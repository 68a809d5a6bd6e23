//! The rows of `rollouts` as sqlx reads them (`query_as`). (`audit::AuditRow` maps one to
//! one and derives `FromRow` itself.)

use super::query::RolloutRow;

/// `query::COLUMNS` of one rollout.
#[derive(sqlx::FromRow)]
pub struct RolloutRecord {
    pub id: String,
    pub request_id: Option<String>,
    pub source: String,
    pub kind: String,
    pub cluster: String,
    pub daemon: String,
    pub team: String,
    pub requester: String,
    /// Comma-separated usernames.
    pub approvers: String,
    pub from_revision: String,
    pub to_revision: String,
    pub diff: String,
    pub deployment_arn: Option<String>,
    pub status: String,
    pub reason: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub environment: Option<String>,
    /// 0 or 1 (a CASE in the query: the engines have no common boolean to return).
    pub superseded: i64,
}

impl From<RolloutRecord> for RolloutRow {
    fn from(r: RolloutRecord) -> Self {
        RolloutRow {
            id: r.id,
            request_id: r.request_id,
            source: r.source,
            kind: r.kind,
            environment: r.environment.unwrap_or_default(),
            cluster: r.cluster,
            daemon: r.daemon,
            team: r.team,
            requester: r.requester,
            approvers: r.approvers.split(',').filter(|a| !a.is_empty()).map(str::to_string).collect(),
            from_revision: r.from_revision,
            to_revision: r.to_revision,
            diff: r.diff,
            deployment_arn: r.deployment_arn,
            status: r.status,
            reason: r.reason,
            started_at: r.started_at,
            ended_at: r.ended_at,
            superseded: r.superseded != 0,
        }
    }
}
