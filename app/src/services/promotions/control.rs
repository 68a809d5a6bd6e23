//! What people do to promotions: start, pause, resume, abort, promote a stage, and roll back
//! the stages a failed or aborted promotion changed. Each is a conditional transition; who may
//! do it is checked here, whoever calls (page or /api/v1).

use serde_json::json;

use crate::{
    api::changes::ChangeInput,
    auth::CurrentUser,
    domain::{
        change::ChangeState,
        promotion::{PromotionState, StageState},
    },
    services::{audit::log as audit, clock::now_ms, ids::new_id, random::random_hex},
};

use super::{
    gates,
    store::{self, StageChange},
    PromotionError, Promotions,
};

impl Promotions {
    /// Starts promotion of `family:revision` through `pipeline`; its id.
    pub async fn start(
        &self,
        user: &CurrentUser,
        ip: &str,
        pipeline: &str,
        family: &str,
        revision: u32,
    ) -> Result<String, PromotionError> {
        user.require_deployer()?;
        let pipeline =
            self.pipeline(pipeline).await.map_err(|e| PromotionError::invalid("pipeline", e.to_string()))?;
        let family = crate::domain::names::ResourceName::parse("daemon task definition family", family)
            .map_err(|m| PromotionError::invalid("family", m))?;
        if revision == 0 {
            return Err(PromotionError::invalid("revision", "Choose a revision number."));
        }
        // The revision must exist where the first stage runs; later stages' environments are
        // checked when their request is made (a copy may be registered there meanwhile).
        let first = &pipeline.spec.stages[0];
        let engine = self.engine_for(&first.environment).await?;
        engine.gateway.describe_task_definition(&family, revision).await.map_err(|e| match e {
            crate::services::gateway::error::GatewayError::NotFound(m) => {
                PromotionError::invalid("revision", m)
            }
            crate::services::gateway::error::GatewayError::Ecs(f) if f.is("ClientException") => {
                PromotionError::invalid("revision", f.message)
            }
            other => other.into(),
        })?;
        let id = new_id();
        store::insert_promotion(self.db(), &id, &pipeline, &family, revision, &user.username).await?;
        let detail = format!("{family}:{revision} through {}", pipeline.spec.name);
        store::add_event(self.db(), &id, None, &user.username, "started", &detail).await?;
        audit::record(
            self.db(),
            &user.username,
            ip,
            "promotion.start",
            &id,
            &json!({"pipeline": pipeline.spec.name, "family": family.as_str(), "revision": revision}),
        )
        .await?;
        // The first stage's request at once, not at the worker's next round.
        self.step_now(&id).await;
        Ok(id)
    }

    async fn record(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), PromotionError> {
        store::add_event(self.db(), id, None, &user.username, action, detail).await?;
        audit::record(
            self.db(),
            &user.username,
            ip,
            &format!("promotion.{action}"),
            id,
            &json!({"detail": detail}),
        )
        .await?;
        Ok(())
    }

    fn may_steer(user: &CurrentUser) -> Result<(), PromotionError> {
        if user.can_deploy(None) || user.require_approver().is_ok() {
            Ok(())
        } else {
            Err(PromotionError::NotAllowed(format!(
                "{} may not steer promotions: that needs the deployer or approver role in a team.",
                user.username
            )))
        }
    }

    pub async fn pause(&self, user: &CurrentUser, ip: &str, id: &str) -> Result<(), PromotionError> {
        Self::may_steer(user)?;
        if !store::set_state(self.db(), id, &[PromotionState::Running], PromotionState::Paused, None).await? {
            return Err(PromotionError::Conflict("Only a running promotion can be paused.".into()));
        }
        self.record(
            user,
            ip,
            id,
            "paused",
            "no further stage starts until it is resumed; a deployment under way in ECS goes on",
        )
        .await
    }

    pub async fn resume(&self, user: &CurrentUser, ip: &str, id: &str) -> Result<(), PromotionError> {
        Self::may_steer(user)?;
        if !store::set_state(self.db(), id, &[PromotionState::Paused], PromotionState::Running, None).await? {
            return Err(PromotionError::Conflict("Only a paused promotion can be resumed.".into()));
        }
        // The alarms were not watched while paused: a soak under way starts again.
        if let Some(p) = store::promotion(self.db(), id).await? {
            let stages = store::stages(self.db(), id).await?;
            if let Some(s) =
                stages.iter().find(|s| s.position == p.current_stage && s.state == StageState::Soaking)
            {
                let until = now_ms() + i64::from(s.spec.soak_seconds) * 1000;
                store::stage_transition(
                    self.db(),
                    id,
                    s.position,
                    StageState::Soaking,
                    StageState::Soaking,
                    StageChange { soak_until: Some(until), ..Default::default() },
                )
                .await?;
            }
        }
        self.record(user, ip, id, "resumed", "").await?;
        self.step_now(id).await;
        Ok(())
    }

    /// Stops the promotion before its next stage. The stage in progress: a request not yet
    /// executing is cancelled; one whose deployment runs goes on in ECS (ECS has no way to stop
    /// a daemon deployment), unless `roll_back_current`, which requests an update back to the
    /// stage's previous revision.
    pub async fn abort(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        roll_back_current: bool,
    ) -> Result<(), PromotionError> {
        Self::may_steer(user)?;
        let reason = format!("aborted by {}", user.username);
        if !store::set_state(
            self.db(),
            id,
            &[PromotionState::Running, PromotionState::Paused],
            PromotionState::Aborted,
            Some(&reason),
        )
        .await?
        {
            return Err(PromotionError::Conflict(
                "Only a running or paused promotion can be aborted.".into(),
            ));
        }
        self.record(
            user,
            ip,
            id,
            "aborted",
            if roll_back_current { "the stage in progress goes back to its previous revision" } else { "" },
        )
        .await?;
        let Some(p) = store::promotion(self.db(), id).await? else { return Ok(()) };
        let stages = store::stages(self.db(), id).await?;
        let Some(s) = stages.iter().find(|s| s.position == p.current_stage && s.state.is_active()) else {
            return Ok(());
        };
        let change = StageChange { gate_note: Some(&reason), ..Default::default() };
        store::stage_transition(self.db(), id, s.position, s.state, StageState::Aborted, change).await?;
        if s.request_id.is_empty() {
            return Ok(());
        }
        let engine = self.engine_for(&s.spec.environment).await?;
        let Ok(row) = engine.request_row(&s.request_id).await else { return Ok(()) };
        match row.state {
            ChangeState::Pending | ChangeState::Approved => {
                let why = format!("promotion {id} aborted by {}", user.username);
                engine.cancel_unchecked(&user.username, ip, &s.request_id, &why).await?;
            }
            ChangeState::Executing | ChangeState::Succeeded if roll_back_current => {
                let sent = self.roll_back_stage(user, ip, id, s.position).await?;
                if sent.is_none() {
                    let why = "nothing sent back: the daemon ran nothing before this promotion (delete it from its page if it should go)";
                    store::add_event(self.db(), id, Some(s.position), &user.username, "not_rolled_back", why)
                        .await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// An approver lets a stage that needs a manual promote start.
    pub async fn promote(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        position: i64,
    ) -> Result<(), PromotionError> {
        user.require_approver()?;
        let change =
            StageChange { promoted_by: Some(&user.username), gate_note: Some(""), ..Default::default() };
        if !store::stage_transition(
            self.db(),
            id,
            position,
            StageState::PromoteNeeded,
            StageState::Waiting,
            change,
        )
        .await?
        {
            return Err(PromotionError::Conflict("This stage is not waiting for a promote.".into()));
        }
        store::add_event(self.db(), id, Some(position), &user.username, "promoted", "").await?;
        audit::record(self.db(), &user.username, ip, "promotion.promote", id, &json!({"stage": position}))
            .await?;
        self.step_now(id).await;
        Ok(())
    }

    /// Rolls back every stage of an ended (failed or aborted) promotion whose deployment
    /// succeeded: a change request each, back to what the daemon ran before. The ids of the
    /// requests made.
    pub async fn roll_back_stages(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
    ) -> Result<Vec<String>, PromotionError> {
        user.require_deployer()?;
        let p = store::promotion(self.db(), id)
            .await?
            .ok_or_else(|| PromotionError::NotFound(format!("There is no promotion {id}.")))?;
        if !matches!(p.state, PromotionState::Failed | PromotionState::Aborted) {
            return Err(PromotionError::Conflict(
                "Only a failed or aborted promotion's stages can be rolled back.".into(),
            ));
        }
        let mut made = Vec::new();
        for s in store::stages(self.db(), id).await? {
            if let Some(request) = self.roll_back_stage(user, ip, id, s.position).await? {
                made.push(request);
            }
        }
        if made.is_empty() {
            return Err(PromotionError::Conflict(
                "No stage of this promotion changed a daemon that ran something before it; there is nothing to roll back."
                    .into(),
            ));
        }
        Ok(made)
    }

    /// Requests stage `position`'s daemon back to its previous revision, if the stage's
    /// deployment went through and something ran before. Exactly once: the request's id is
    /// written on the stage first, and a second call makes the request under that id.
    async fn roll_back_stage(
        &self,
        user: &CurrentUser,
        ip: &str,
        id: &str,
        position: i64,
    ) -> Result<Option<String>, PromotionError> {
        let stages = store::stages(self.db(), id).await?;
        let Some(s) = stages.into_iter().find(|s| s.position == position) else { return Ok(None) };
        if s.request_id.is_empty() || s.previous_revision.is_empty() {
            return Ok(None);
        }
        let engine = self.engine_for(&s.spec.environment).await?;
        let Ok(row) = engine.request_row(&s.request_id).await else { return Ok(None) };
        // Only a deployment that went through (or is going) left the new revision running; a
        // rolled-back or never-started one did not.
        if !matches!(row.state, ChangeState::Succeeded | ChangeState::Executing) {
            return Ok(None);
        }
        if !s.rollback_request_id.is_empty() && engine.request_row(&s.rollback_request_id).await.is_ok() {
            return Ok(None);
        }
        let request_id = if s.rollback_request_id.is_empty() {
            let fresh = random_hex(16);
            if !store::set_rollback_request(self.db(), id, position, &fresh).await? {
                return Ok(None);
            }
            fresh
        } else {
            s.rollback_request_id.clone()
        };
        let Some((family, rev)) = s.previous_revision.rsplit_once(':') else { return Ok(None) };
        let rev: u32 = rev.parse().unwrap_or(0);
        let daemon = gates::daemon(&engine, &s.spec, true).await?;
        let Some(daemon) = daemon else { return Ok(None) };
        let spec = s.spec.deploy_spec(family, rev, Some(daemon.arn))?;
        let row = engine
            .submit_with_id(user, ip, ChangeInput::Deploy { spec, rollback: true }, &request_id)
            .await?;
        let detail = format!(
            "{} back to {} ({}): request {}",
            s.spec.name,
            s.previous_revision,
            row.state.label(),
            row.id
        );
        store::add_event(self.db(), id, Some(position), &user.username, "rolled_back", &detail).await?;
        Ok(Some(row.id))
    }
}
