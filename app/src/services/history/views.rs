//! The History page's views of rollout rows.

use crate::{
    api::history::{HistoryPage, RolloutView},
    domain::history::{HistoryFilter, PageAt},
};

use super::{History, HistoryError, RolloutFilter, RolloutPage, RolloutRow};

/// The storage filter of validated History filters.
pub fn rollout_filter(f: &HistoryFilter) -> RolloutFilter {
    RolloutFilter {
        environment: f.environment.clone(),
        cluster: f.cluster.clone(),
        daemon: f.daemon.clone(),
        team: f.team.clone(),
        person: f.person.clone(),
        status: f.status.clone(),
        from: f.from_ms,
        to: f.to_ms,
    }
}

pub fn rollout_view(r: RolloutRow) -> RolloutView {
    RolloutView {
        id: r.id,
        // The page's view keeps "" and 0 for "none" (its documented shape).
        request_id: r.request_id.unwrap_or_default(),
        source: r.source,
        kind: r.kind,
        environment: r.environment,
        environment_prefix: String::new(),
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
        ended_at: r.ended_at.unwrap_or_default(),
        superseded: r.superseded,
    }
}

impl History {
    /// One page of rollout rows as stored (/api/v1 shapes its own JSON from them).
    pub async fn rollouts(
        &self,
        filter: &RolloutFilter,
        at: PageAt,
        limit: i64,
    ) -> Result<RolloutPage, HistoryError> {
        Ok(super::list_rollouts(&self.db, filter, at, limit).await?)
    }

    pub async fn list_history(
        &self,
        filter: &HistoryFilter,
        at: PageAt,
        limit: i64,
    ) -> Result<HistoryPage, HistoryError> {
        let page = super::list_rollouts(&self.db, &rollout_filter(filter), at, limit).await?;
        Ok(HistoryPage {
            rows: page.rows.into_iter().map(rollout_view).collect(),
            older: page.older.map(|c| c.encode()),
            newer: page.newer.map(|c| c.encode()),
        })
    }
}
