//! The worker's step of one promotion: read its state from the database, look at the current
//! stage's gates, and make at most one transition. Every replica's worker runs [`run_once`];
//! a promotion is stepped under a lease (`promotion:<id>`), and every transition is conditional,
//! so a promotion moves once whatever the number of replicas, and a restarted replica goes on
//! from what the database says.

use crate::{
    api::changes::ChangeInput,
    auth::CurrentUser,
    domain::{
        change::ChangeState,
        promotion::{duration_text, PromotionState, StageState},
    },
    services::{
        accounts::users::current_user_named,
        changes::{ChangeEngine, ChangeError},
        clock::now_ms,
        leases,
        random::random_hex,
    },
};

use super::{
    gates::{self, WindowGate},
    store::{self, PromotionRecord, StageChange, StageRecord},
    PromotionError, Promotions, LEASE_MS,
};

/// The actor the worker's transitions are recorded under.
const PORTAL: &str = "portal";
/// The "address" of what the worker does for a person (audit rows).
const WORKER_IP: &str = "promotion";

/// One round: step every running promotion this replica can hold.
pub async fn run_once(p: &Promotions) {
    let ids = match store::drivable(p.db(), 100).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::error!(error = %e, "listing promotions failed");
            return;
        }
    };
    for id in ids {
        p.step_now(&id).await;
    }
}

impl Promotions {
    /// Steps promotion `id` if this replica holds (or can take) its lease; errors are logged
    /// and the next round tries again.
    pub async fn step_now(&self, id: &str) {
        match leases::hold(self.db(), &self.changes.instance, &format!("promotion:{id}"), LEASE_MS).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %e, promotion = id, "promotion lease failed");
                return;
            }
        }
        // A few transitions in a row (stage succeeded → next stage waiting → its request), so
        // a promotion does not wait a worker round between steps that need nothing outside.
        for _ in 0..4 {
            // Boxed: a step holds the change engine's submit and execute futures, too deep
            // for a request handler's stack in a debug build.
            match Box::pin(self.step(id)).await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    tracing::warn!(error = %e, promotion = id, "promotion step failed");
                    break;
                }
            }
        }
    }

    /// One transition of promotion `id`, if one is due; true if something moved.
    pub async fn step(&self, id: &str) -> Result<bool, PromotionError> {
        let Some(promotion) = store::promotion(self.db(), id).await? else { return Ok(false) };
        if promotion.state != PromotionState::Running {
            return Ok(false);
        }
        let stages = store::stages(self.db(), id).await?;
        let Some(stage) = stages.iter().find(|s| s.position == promotion.current_stage) else {
            return Ok(false);
        };
        let engine = self.engine_for(&stage.spec.environment).await?;
        match stage.state {
            StageState::Pending => Ok(store::stage_transition(
                self.db(),
                id,
                stage.position,
                StageState::Pending,
                StageState::Waiting,
                StageChange::default(),
            )
            .await?),
            StageState::Waiting => self.waiting(&engine, &promotion, stage).await,
            StageState::PromoteNeeded => Ok(false),
            StageState::Submitting => self.submitting(&engine, &promotion, stage).await,
            StageState::Deploying => self.deploying(&engine, &promotion, stage).await,
            StageState::Soaking => self.soaking(&engine, &promotion, stage).await,
            StageState::Succeeded => {
                if stage.position + 1 >= stages.len() as i64 {
                    let done = store::set_state(
                        self.db(),
                        id,
                        &[PromotionState::Running],
                        PromotionState::Succeeded,
                        None,
                    )
                    .await?;
                    if done {
                        store::add_event(self.db(), id, None, PORTAL, "succeeded", "every stage succeeded")
                            .await?;
                    }
                    Ok(done)
                } else {
                    Ok(store::advance(self.db(), id, stage.position).await?)
                }
            }
            StageState::Failed | StageState::Aborted => {
                let why = format!("stage {} {}", stage.spec.name, stage.state.label().to_lowercase());
                self.fail(id, None, &why).await
            }
        }
    }

    /// The change engine in a stage's environment ("" = the default).
    pub(crate) async fn engine_for(&self, environment: &str) -> Result<ChangeEngine, PromotionError> {
        Ok(self.changes.within(Some(environment)).await?)
    }

    /// Fails the promotion (and the stage at `position`, when given) with `why`.
    async fn fail(
        &self,
        id: &str,
        stage: Option<(&StageRecord, StageState)>,
        why: &str,
    ) -> Result<bool, PromotionError> {
        if let Some((s, from)) = stage {
            let change = StageChange { gate_note: Some(why), ..Default::default() };
            if !store::stage_transition(self.db(), id, s.position, from, StageState::Failed, change).await? {
                return Ok(false);
            }
        }
        let done =
            store::set_state(self.db(), id, &[PromotionState::Running], PromotionState::Failed, Some(why))
                .await?;
        if done {
            store::add_event(self.db(), id, stage.map(|(s, _)| s.position), PORTAL, "failed", why).await?;
        }
        Ok(done)
    }

    async fn waiting(
        &self,
        engine: &ChangeEngine,
        p: &PromotionRecord,
        s: &StageRecord,
    ) -> Result<bool, PromotionError> {
        if s.spec.manual_promote && s.promoted_by.is_empty() {
            let note = "waits for an approver to promote it";
            let moved = store::stage_transition(
                self.db(),
                &p.id,
                s.position,
                StageState::Waiting,
                StageState::PromoteNeeded,
                StageChange { gate_note: Some(note), ..Default::default() },
            )
            .await?;
            if moved {
                store::add_event(self.db(), &p.id, Some(s.position), PORTAL, "promote_needed", note).await?;
            }
            return Ok(false);
        }
        match gates::window(engine, &s.spec).await? {
            WindowGate::Open => {}
            WindowGate::Until(at, why) => {
                let note = format!(
                    "waits for its delivery window ({why}) until {}",
                    crate::components::time::format_epoch(at as f64 / 1000.0)
                );
                store::set_gate_note(self.db(), &p.id, s.position, &note, at).await?;
                return Ok(false);
            }
            WindowGate::Closed(why) => {
                let note = format!("no delivery window opens within a year ({why})");
                store::set_gate_note(self.db(), &p.id, s.position, &note, 0).await?;
                return Ok(false);
            }
        }
        // The request's id is written down before the request is made: whoever makes it after
        // a crash makes it under this id, so once.
        let request_id = random_hex(16);
        let moved = store::stage_transition(
            self.db(),
            &p.id,
            s.position,
            StageState::Waiting,
            StageState::Submitting,
            StageChange {
                request_id: Some(&request_id),
                gate_note: Some(""),
                started: true,
                ..Default::default()
            },
        )
        .await?;
        if moved {
            store::set_gate_note(self.db(), &p.id, s.position, "", 0).await?;
        }
        Ok(moved)
    }

    async fn requester(&self, p: &PromotionRecord) -> Result<Option<CurrentUser>, PromotionError> {
        Ok(current_user_named(self.db(), &p.requested_by).await?)
    }

    async fn submitting(
        &self,
        engine: &ChangeEngine,
        p: &PromotionRecord,
        s: &StageRecord,
    ) -> Result<bool, PromotionError> {
        let Some(user) = self.requester(p).await? else {
            let why = format!("{} who started it can no longer sign in", p.requested_by);
            return self.fail(&p.id, Some((s, StageState::Submitting)), &why).await;
        };
        let revision = u32::try_from(p.revision).unwrap_or(0);
        let result = async {
            let daemon = gates::daemon(engine, &s.spec, true).await?;
            let spec = s.spec.deploy_spec(&p.family, revision, daemon.map(|d| d.arn))?;
            engine
                .submit_with_id(
                    &user,
                    WORKER_IP,
                    ChangeInput::Deploy { spec, rollback: false },
                    &s.request_id,
                )
                .await
        }
        .await;
        match result {
            Ok(row) => {
                let moved = store::stage_transition(
                    self.db(),
                    &p.id,
                    s.position,
                    StageState::Submitting,
                    StageState::Deploying,
                    StageChange { previous_revision: Some(&row.from_revision), ..Default::default() },
                )
                .await?;
                if moved {
                    store::add_event(
                        self.db(),
                        &p.id,
                        Some(s.position),
                        &p.requested_by,
                        "requested",
                        &row.summary,
                    )
                    .await?;
                }
                Ok(moved)
            }
            Err(e) if e.ecs().is_some_and(|f| f.transient()) => {
                let note = format!("ECS did not answer ({e}); trying again");
                store::set_gate_note(self.db(), &p.id, s.position, &note, 0).await?;
                Ok(false)
            }
            Err(e) => {
                let why = format!("stage {}: the change request was refused: {e}", s.spec.name);
                self.fail(&p.id, Some((s, StageState::Submitting)), &why).await
            }
        }
    }

    async fn deploying(
        &self,
        engine: &ChangeEngine,
        p: &PromotionRecord,
        s: &StageRecord,
    ) -> Result<bool, PromotionError> {
        let row = match engine.request_row(&s.request_id).await {
            Ok(r) => r,
            Err(ChangeError::NoSuchRequest(_)) => {
                let why = format!("stage {}: its change request {} is gone", s.spec.name, s.request_id);
                return self.fail(&p.id, Some((s, StageState::Deploying)), &why).await;
            }
            Err(e) => return Err(e.into()),
        };
        match row.state {
            ChangeState::Pending => {
                let note =
                    format!("waits for approval: {} of {} approvals", row.approvals, row.approvals_required);
                store::set_gate_note(self.db(), &p.id, s.position, &note, 0).await?;
                Ok(false)
            }
            ChangeState::Approved | ChangeState::Executing => {
                let note =
                    if row.state == ChangeState::Approved { "approved; starting" } else { "deploying" };
                store::set_gate_note(self.db(), &p.id, s.position, note, 0).await?;
                Ok(false)
            }
            ChangeState::Succeeded => {
                // ECS said SUCCESSFUL; the gate is what runs: every instance on the revision.
                let target = format!("{}:{}", p.family, p.revision);
                let count = match gates::daemon(engine, &s.spec, true).await? {
                    Some(d) => gates::count_instances(&d, &s.spec, &target),
                    None => gates::InstanceCount::default(),
                };
                if !count.all() {
                    let why = format!(
                        "stage {}: ECS reported the deployment SUCCESSFUL, but {} of {} instances run {target} with a RUNNING daemon task",
                        s.spec.name, count.on_target, count.total
                    );
                    return self.fail(&p.id, Some((s, StageState::Deploying)), &why).await;
                }
                let soak_ms = i64::from(s.spec.soak_seconds) * 1000;
                let moved = store::stage_transition(
                    self.db(),
                    &p.id,
                    s.position,
                    StageState::Deploying,
                    StageState::Soaking,
                    StageChange {
                        soak_until: Some(now_ms() + soak_ms),
                        gate_note: Some(""),
                        ..Default::default()
                    },
                )
                .await?;
                if moved {
                    let detail = format!(
                        "every instance ({}) runs {target}; soaking {}",
                        count.total,
                        duration_text(soak_ms)
                    );
                    store::add_event(self.db(), &p.id, Some(s.position), PORTAL, "deployed", &detail).await?;
                }
                Ok(moved)
            }
            other => {
                let why = format!(
                    "stage {}: its change request ended {}{}",
                    s.spec.name,
                    other.label().to_lowercase(),
                    if row.summary.is_empty() { String::new() } else { format!(" ({})", row.summary) }
                );
                self.fail(&p.id, Some((s, StageState::Deploying)), &why).await
            }
        }
    }

    async fn soaking(
        &self,
        engine: &ChangeEngine,
        p: &PromotionRecord,
        s: &StageRecord,
    ) -> Result<bool, PromotionError> {
        let states = match gates::alarm_states(engine, &s.spec.alarms).await {
            Ok(states) => states,
            Err(e) => {
                let note = format!("the alarms could not be read ({e}); trying again");
                store::set_gate_note(self.db(), &p.id, s.position, &note, s.waiting_until).await?;
                return Ok(false);
            }
        };
        let bad: Vec<String> = states
            .iter()
            .filter(|(_, st)| st == "ALARM" || st == "MISSING")
            .map(|(n, st)| format!("{n} is {st}"))
            .collect();
        if !bad.is_empty() {
            let why = format!("stage {}: during the soak {}", s.spec.name, bad.join(", "));
            return self.fail(&p.id, Some((s, StageState::Soaking)), &why).await;
        }
        let now = now_ms();
        if now < s.soak_until {
            let alarms: Vec<String> = states.iter().map(|(n, st)| format!("{n}: {st}")).collect();
            let note = if alarms.is_empty() { "no alarms to watch".to_string() } else { alarms.join(", ") };
            store::set_gate_note(self.db(), &p.id, s.position, &note, 0).await?;
            return Ok(false);
        }
        let moved = store::stage_transition(
            self.db(),
            &p.id,
            s.position,
            StageState::Soaking,
            StageState::Succeeded,
            StageChange { gate_note: Some(""), ..Default::default() },
        )
        .await?;
        if moved {
            let detail = if s.spec.alarms.is_empty() {
                "soak time passed".to_string()
            } else {
                format!("soak time passed with {} never in ALARM", s.spec.alarms.join(", "))
            };
            store::add_event(self.db(), &p.id, Some(s.position), PORTAL, "stage_succeeded", &detail).await?;
        }
        Ok(moved)
    }
}
