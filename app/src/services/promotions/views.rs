//! What the pipeline and promotion pages show: stored state, plus live values read for the
//! stages under way (instances on the revision from the gateway's cache, the change request's
//! approvals and progress). Alarm states are what the worker last read (the stage's note), so a
//! page view never calls CloudWatch.

use crate::{
    api::promotions::{PipelineView, PromotionEventView, PromotionRow, PromotionView, StageView},
    auth::CurrentUser,
    domain::{
        change::ChangeState,
        promotion::{duration_text, Gate, GateState, PromotionState, StageState},
    },
    services::clock::now_ms,
};

use super::{
    gates,
    store::{self, PipelineRecord, PromotionRecord, StageRecord},
    PromotionError, Promotions,
};

pub fn pipeline_view(r: PipelineRecord) -> PipelineView {
    PipelineView {
        name: r.spec.name,
        description: r.spec.description,
        stages: r.spec.stages,
        created_by: r.created_by,
        updated_at: r.updated_at,
    }
}

fn row(p: &PromotionRecord, stages: &[StageRecord]) -> PromotionRow {
    PromotionRow {
        id: p.id.clone(),
        pipeline: p.pipeline_name.clone(),
        revision: format!("{}:{}", p.family, p.revision),
        state: p.state,
        requested_by: p.requested_by.clone(),
        reason: p.reason.clone(),
        created_at: p.created_at,
        finished_at: p.finished_at,
        stages: stages.iter().map(|s| (s.spec.name.clone(), s.state)).collect(),
    }
}

fn gate(name: &str, state: GateState, detail: impl Into<String>) -> Gate {
    Gate { name: name.to_string(), state, detail: detail.into() }
}

impl Promotions {
    pub async fn pipeline_views(&self) -> Result<Vec<PipelineView>, PromotionError> {
        Ok(self.pipelines().await?.into_iter().map(pipeline_view).collect())
    }

    pub async fn promotion_rows(
        &self,
        pipeline: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PromotionRow>, PromotionError> {
        let mut rows = Vec::new();
        for p in store::promotions(self.db(), pipeline, None, limit).await? {
            let stages = store::stages(self.db(), &p.id).await?;
            rows.push(row(&p, &stages));
        }
        Ok(rows)
    }

    async fn record_of(&self, id: &str) -> Result<PromotionRecord, PromotionError> {
        store::promotion(self.db(), id)
            .await?
            .ok_or_else(|| PromotionError::NotFound(format!("There is no promotion {id}.")))
    }

    pub async fn promotion_view(
        &self,
        user: &CurrentUser,
        id: &str,
    ) -> Result<PromotionView, PromotionError> {
        let p = self.record_of(id).await?;
        let stages = store::stages(self.db(), id).await?;
        let target = format!("{}:{}", p.family, p.revision);
        let mut views = Vec::new();
        let mut can_roll_back = false;
        for (i, s) in stages.iter().enumerate() {
            let previous = i.checked_sub(1).map(|j| &stages[j]);
            let v = self.stage_view(s, previous, &target).await;
            can_roll_back |= !s.previous_revision.is_empty()
                && s.rollback_request_id.is_empty()
                && v.gates.iter().any(|g| g.name == "Deployment SUCCESSFUL" && g.state == GateState::Passed);
            views.push(v);
        }
        let events = store::events(self.db(), id)
            .await?
            .into_iter()
            .map(|e| PromotionEventView {
                at: e.at,
                stage: e
                    .position
                    .and_then(|pos| stages.iter().find(|s| s.position == pos))
                    .map(|s| s.spec.name.clone())
                    .unwrap_or_default(),
                actor: e.actor,
                kind: e.kind,
                detail: e.detail,
            })
            .collect();
        let ended = matches!(p.state, PromotionState::Failed | PromotionState::Aborted);
        Ok(PromotionView {
            row: row(&p, &stages),
            version: p.version,
            current_stage: p.current_stage,
            stages: views,
            events,
            can_roll_back: ended && can_roll_back,
            may_steer: user.can_deploy(None) || user.require_approver().is_ok(),
            may_promote: user.require_approver().is_ok(),
        })
    }

    async fn stage_view(&self, s: &StageRecord, previous: Option<&StageRecord>, target: &str) -> StageView {
        let engine = self.engine_for(&s.spec.environment).await.ok();
        let request = match (&engine, s.request_id.is_empty()) {
            (Some(e), false) => e.request_row(&s.request_id).await.ok(),
            _ => None,
        };
        let started = request.is_some();
        let count = match (&engine, started) {
            (Some(e), true) => match gates::daemon(e, &s.spec, false).await {
                Ok(Some(d)) => gates::count_instances(&d, &s.spec, target),
                _ => gates::InstanceCount::default(),
            },
            _ => gates::InstanceCount::default(),
        };
        let mut list = Vec::new();
        if let Some(prev) = previous {
            let state = match prev.state {
                StageState::Succeeded => GateState::Passed,
                StageState::Failed | StageState::Aborted => GateState::Failed,
                _ => GateState::Open,
            };
            list.push(gate(
                "Previous stage succeeded",
                state,
                format!("{}: {}", prev.spec.name, prev.state.label()),
            ));
        }
        if s.spec.manual_promote {
            let (state, detail) = match (s.state, s.promoted_by.as_str()) {
                (_, by) if !by.is_empty() => (GateState::Passed, format!("by {by}")),
                (StageState::PromoteNeeded, _) => (GateState::Waiting, "an approver promotes it".to_string()),
                _ => (GateState::Open, String::new()),
            };
            list.push(gate("Manual promote", state, detail));
        }
        let window = match s.state {
            StageState::Waiting if s.waiting_until > 0 || !s.gate_note.is_empty() => {
                gate("Delivery window", GateState::Waiting, s.gate_note.clone())
            }
            _ if s.started_at.is_some() => gate("Delivery window", GateState::Passed, "open"),
            _ => gate("Delivery window", GateState::Open, ""),
        };
        list.push(window);
        let (approvals, deployment) = match &request {
            None => {
                (gate("Approvals", GateState::Open, ""), gate("Deployment SUCCESSFUL", GateState::Open, ""))
            }
            Some(r) => {
                let counted = format!("{} of {}", r.approvals, r.approvals_required);
                let approvals = match r.state {
                    ChangeState::Pending => gate("Approvals", GateState::Waiting, counted),
                    ChangeState::Rejected | ChangeState::Expired | ChangeState::Cancelled => {
                        gate("Approvals", GateState::Failed, r.state.label())
                    }
                    _ if r.approvals_required == 0 => gate("Approvals", GateState::Passed, "none needed"),
                    _ => gate("Approvals", GateState::Passed, counted),
                };
                let deployment = match r.state {
                    ChangeState::Pending | ChangeState::Approved => {
                        gate("Deployment SUCCESSFUL", GateState::Open, "")
                    }
                    ChangeState::Executing => {
                        gate("Deployment SUCCESSFUL", GateState::Waiting, format!("{}%", r.progress))
                    }
                    ChangeState::Succeeded => gate("Deployment SUCCESSFUL", GateState::Passed, "SUCCESSFUL"),
                    other => gate("Deployment SUCCESSFUL", GateState::Failed, other.label()),
                };
                (approvals, deployment)
            }
        };
        list.push(approvals);
        list.push(deployment);
        let instances_detail = format!("{} of {} on {target}", count.on_target, count.total);
        let instances = match s.state {
            StageState::Soaking | StageState::Succeeded => {
                gate("Every instance on the revision", GateState::Passed, instances_detail)
            }
            StageState::Failed
                if count.total > 0
                    && !count.all()
                    && request.as_ref().is_some_and(|r| r.state == ChangeState::Succeeded) =>
            {
                gate("Every instance on the revision", GateState::Failed, instances_detail)
            }
            _ if started => gate("Every instance on the revision", GateState::Waiting, instances_detail),
            _ => gate("Every instance on the revision", GateState::Open, ""),
        };
        list.push(instances);
        let soak_name = "Soak with no alarm in ALARM";
        let soak = match s.state {
            StageState::Soaking => {
                let left = duration_text(s.soak_until - now_ms());
                let alarms =
                    if s.gate_note.is_empty() { String::new() } else { format!(" · {}", s.gate_note) };
                gate(soak_name, GateState::Waiting, format!("{left} left{alarms}"))
            }
            StageState::Succeeded | StageState::PromoteNeeded
                if s.finished_at.is_some() || s.soak_until > 0 =>
            {
                gate(soak_name, GateState::Passed, duration_text(i64::from(s.spec.soak_seconds) * 1000))
            }
            StageState::Failed if s.soak_until > 0 && s.gate_note.contains("during the soak") => {
                gate(soak_name, GateState::Failed, s.gate_note.clone())
            }
            _ => gate(soak_name, GateState::Open, duration_text(i64::from(s.spec.soak_seconds) * 1000)),
        };
        list.push(soak);
        let environment = s.spec.environment.clone();
        let daemon_path = format!("/daemons/{}/{}", s.spec.cluster, s.spec.daemon);
        StageView {
            position: s.position,
            name: s.spec.name.clone(),
            target: s.spec.target_label(),
            daemon_href: self.changes.gateways.path_in(&environment, &daemon_path),
            state: s.state,
            gates: list,
            on_target: count.on_target,
            instances: count.total,
            request_id: s.request_id.clone(),
            rollback_request_id: s.rollback_request_id.clone(),
            previous_revision: s.previous_revision.clone(),
            note: s.gate_note.clone(),
            started_at: s.started_at,
            finished_at: s.finished_at,
        }
    }
}
