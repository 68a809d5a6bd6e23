//! `HistoryBackend`: the History page and the audit log viewer read the database through
//! `crate::history`.

use crate::{
    api::{
        history::{AuditPage, AuditView, HistoryPage, RolloutView},
        PortalError,
    },
    domain::history::{AuditFilter, HistoryFilter, PageAt},
};

use super::{History, RolloutFilter, RolloutRow};
use crate::services::audit::query as audit;

/// The storage filter of validated History filters.
pub fn rollout_filter(f: &HistoryFilter) -> RolloutFilter {
    RolloutFilter {
        cluster: f.cluster.clone(),
        daemon: f.daemon.clone(),
        team: f.team.clone(),
        person: f.person.clone(),
        status: f.status.clone(),
        from: f.from_ms,
        to: f.to_ms,
    }
}

pub fn audit_filter(f: &AuditFilter) -> audit::AuditFilter {
    audit::AuditFilter { actor: f.actor.clone(), action: f.action.clone(), from: f.from_ms, to: f.to_ms }
}

pub fn rollout_view(r: RolloutRow) -> RolloutView {
    RolloutView {
        id: r.id,
        // The page's view keeps "" and 0 for "none" (its documented shape).
        request_id: r.request_id.unwrap_or_default(),
        source: r.source,
        kind: r.kind,
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

pub fn audit_view(r: audit::AuditRow) -> AuditView {
    AuditView {
        id: r.id,
        at: r.at,
        actor: r.actor,
        ip: r.ip,
        action: r.action,
        target: r.target,
        detail: r.detail,
    }
}

impl History {
    pub async fn list_history(
        &self,
        filter: &HistoryFilter,
        at: PageAt,
        limit: i64,
    ) -> Result<HistoryPage, PortalError> {
        let page = super::list_rollouts(&self.db, &rollout_filter(filter), at, limit).await?;
        Ok(HistoryPage {
            rows: page.rows.into_iter().map(rollout_view).collect(),
            older: page.older.map(|c| c.encode()),
            newer: page.newer.map(|c| c.encode()),
        })
    }

    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        at: PageAt,
        limit: i64,
    ) -> Result<AuditPage, PortalError> {
        let page = audit::list_audit(&self.db, &audit_filter(filter), at, limit).await?;
        Ok(AuditPage {
            rows: page.rows.into_iter().map(audit_view).collect(),
            older: page.older.map(|c| c.encode()),
            newer: page.newer.map(|c| c.encode()),
        })
    }
}
