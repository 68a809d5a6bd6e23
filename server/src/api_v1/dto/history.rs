//! Rollout history.

use app::services::history::RolloutRow;
use serde::Serialize;
use utoipa::ToSchema;

/// One rollout: a change the portal made, or one made outside it. Times are the portal's clock.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rollout {
    pub id: String,
    /// "" for changes made outside the portal.
    pub request_id: String,
    /// `portal` or `out_of_band`.
    pub source: String,
    pub kind: String,
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub team: String,
    pub requester: String,
    pub approvers: Vec<String>,
    pub from_revision: String,
    pub to_revision: String,
    pub diff: String,
    pub deployment_arn: String,
    pub status: String,
    pub reason: String,
    pub started_at: i64,
    /// Null while it runs.
    pub ended_at: Option<i64>,
}

impl From<RolloutRow> for Rollout {
    fn from(r: RolloutRow) -> Self {
        Self {
            id: r.id,
            request_id: r.request_id.unwrap_or_default(),
            source: r.source,
            kind: r.kind,
            environment: r.environment,
            cluster: r.cluster,
            daemon: r.daemon,
            team: r.team,
            requester: r.requester,
            approvers: r.approvers,
            from_revision: r.from_revision,
            to_revision: r.to_revision,
            diff: r.diff,
            deployment_arn: r.deployment_arn.unwrap_or_default(),
            status: r.status,
            reason: r.reason,
            started_at: r.started_at,
            ended_at: r.ended_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutPage {
    pub items: Vec<Rollout>,
    /// Pass as `older` for the next (older) page.
    pub next: Option<String>,
    /// Pass as `newer` for the previous (newer) page.
    pub previous: Option<String>,
}
