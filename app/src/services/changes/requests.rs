//! The change requests as the Approvals pages and /api/v1 show them. The rules live in
//! `crate::services::changes::engine`; this file shapes what they show.

use crate::{
    api::changes::*,
    auth::CurrentUser,
    domain::{
        change::{review_refusal, ChangeKind, ChangeState},
        deployment::DeployDraft,
    },
    services::changes::error::ChangeError,
};

use super::{
    call::EcsCall,
    store::{self, StoredRequest},
    ChangeEngine,
};
use crate::services::clock::now_ms;

fn may_review(user: &CurrentUser, r: &StoredRequest) -> bool {
    review_refusal(user, &r.row.requester, &r.policy.approver_teams, r.policy.allow_self_approval).is_none()
}

/// The deploy settings a deploy/update/rollback request carries, as input again (the same
/// shape as `/api/v1`'s deploy body), for its edit form.
fn spec_of(r: &StoredRequest) -> Option<DeployDraft> {
    let (family, revision) = r.row.to_revision.rsplit_once(':')?;
    let (settings, tags, daemon_arn) = match EcsCall::from_json(&r.input).ok()? {
        EcsCall::CreateDaemon(c) => (c.settings, c.tags, None),
        EcsCall::UpdateDaemon(u) => (u.settings, vec![], Some(u.daemon_arn)),
        _ => return None,
    };
    let config = settings.deployment_configuration;
    Some(DeployDraft {
        daemon_arn,
        cluster: r.row.cluster.clone(),
        daemon_name: r.row.daemon.clone(),
        family: family.to_string(),
        revision: revision.parse().ok(),
        capacity_providers: r.capacity_providers.clone(),
        drain_percent: Some(config.drain_percent),
        bake_time: Some(config.bake_time_in_minutes.max(0) as u32),
        alarms: config.alarms.as_ref().map(|a| a.alarm_names.clone()).unwrap_or_default(),
        rollback_on_alarm: config.alarms.as_ref().is_some_and(|a| a.enable),
        critical: settings.critical,
        tags: tags.into_iter().map(|t| (t.key, t.value)).collect(),
        propagate_tags: settings.propagate_tags == "DAEMON",
        ecs_managed_tags: settings.enable_ecs_managed_tags,
        execute_command: settings.enable_execute_command,
        rollback: r.row.kind == ChangeKind::Rollback,
    })
}

impl ChangeEngine {
    pub async fn submit_change(
        &self,
        user: &CurrentUser,
        ip: &str,
        input: ChangeInput,
    ) -> Result<ChangeRequestRow, ChangeError> {
        self.submit(user, ip, input).await
    }

    pub async fn list_changes(
        &self,
        user: &CurrentUser,
        filter: RequestFilter,
    ) -> Result<RequestPage, ChangeError> {
        let per_page = REQUESTS_PER_PAGE;
        let requester = (filter.inbox == Inbox::Mine).then_some(user.username.as_str());
        let mut rows = Vec::new();
        let mut next = None;
        let mut page_filter = filter.clone();
        // "Waiting for me" filters after the query; read on until a page is full.
        for _ in 0..20 {
            let batch = store::list(&self.db, &page_filter, requester, per_page as i64 + 1).await?;
            let more = batch.len() > per_page;
            for r in batch.into_iter().take(per_page) {
                page_filter.after = store::cursor_of(&r.row);
                if filter.inbox != Inbox::Waiting || may_review(user, &r) {
                    rows.push(r.row);
                }
                if rows.len() == per_page {
                    break;
                }
            }
            if rows.len() == per_page {
                next = more.then(|| page_filter.after.clone()).or(Some(page_filter.after.clone()));
                break;
            }
            if !more {
                break;
            }
        }
        Ok(RequestPage { rows, next })
    }

    pub async fn get_change(&self, user: &CurrentUser, id: &str) -> Result<ChangeRequestDetail, ChangeError> {
        let r = store::get(&self.db, id).await?.ok_or_else(|| ChangeError::NoSuchRequest(id.to_string()))?;
        let reviews = store::reviews(&self.db, id, r.version).await?;
        let events = store::events(&self.db, id).await?;
        let pending = r.row.state == ChangeState::Pending;
        let refusal = if pending {
            review_refusal(user, &r.row.requester, &r.policy.approver_teams, r.policy.allow_self_approval)
        } else {
            Some(format!("This request is {}.", r.row.state.label().to_lowercase()))
        };
        let frozen_by = if r.row.state == ChangeState::Approved && r.override_reason.is_empty() {
            let cluster = if r.row.cluster.is_empty() { "*" } else { r.row.cluster.as_str() };
            crate::services::policies::freezes::freezes_for(
                &self.db,
                r.environment.as_deref().unwrap_or(&self.environment.name),
                cluster,
                &r.providers_in_scope,
                now_ms(),
            )
            .await?
            .into_iter()
            .map(|f| f.reason)
            .collect()
        } else {
            vec![]
        };
        let approvals_missing = if pending {
            let approvals = store::approvals(&self.db, id, r.version).await?;
            r.policy.shortfall(&r.row.requester, &approvals)
        } else {
            vec![]
        };
        let is_requester = r.row.requester == user.username;
        let ecs_input = serde_json::from_str::<serde_json::Value>(&r.input)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| r.input.clone());
        let environment_prefix = self.gateways.path_in(&r.row.environment, "");
        let promotion = crate::services::promotions::store::promotion_of_request(&self.db, id).await?;
        Ok(ChangeRequestDetail {
            environment_prefix,
            promotion,
            can_cancel: is_requester && matches!(r.row.state, ChangeState::Pending | ChangeState::Approved),
            can_edit: is_requester
                && pending
                && matches!(r.row.kind, ChangeKind::Deploy | ChangeKind::Update | ChangeKind::Rollback),
            can_override_freeze: user.is_admin() && !frozen_by.is_empty(),
            frozen_by,
            review_refusal: refusal,
            spec: spec_of(&r),
            version: r.version as u32,
            policy: r.policy,
            approvals_missing,
            ecs_input,
            diff: r.diff,
            // The page and /api/v1 keep showing "" and 0 for "not yet" (their documented shape).
            deployment_arn: r.deployment_arn.unwrap_or_default(),
            outcome: r.outcome,
            override_reason: r.override_reason,
            executed_at: r.executed_at.unwrap_or_default(),
            finished_at: r.finished_at.unwrap_or_default(),
            reviews,
            events,
            row: r.row,
        })
    }

    pub async fn approval_counts(&self, user: &CurrentUser) -> Result<ApprovalCounts, ChangeError> {
        let pending = store::pending_reviewers(&self.db, 500).await?;
        let waiting = pending
            .iter()
            .filter(|(requester, p)| {
                review_refusal(user, requester, &p.approver_teams, p.allow_self_approval).is_none()
            })
            .count() as u32;
        let mine_open = store::open_count(&self.db, &user.username).await? as u32;
        Ok(ApprovalCounts { waiting, mine_open })
    }

    /// The daemon's newest change requests in this engine's environment, for the daemon page
    /// (`EcsGateway::daemon_detail`).
    pub async fn newest_requests(
        &self,
        cluster: &str,
        name: &str,
    ) -> Result<crate::services::gateway::daemon_live::Requests, ChangeError> {
        let env = &self.environment.name;
        Ok(crate::services::gateway::daemon_live::newest_requests(&self.db, env, cluster, name).await?)
    }

    pub async fn claim_family(&self, user: &CurrentUser, family: &str) -> Result<(), ChangeError> {
        crate::services::changes::ownership::claim_family(&self.db, user, family).await
    }
}
