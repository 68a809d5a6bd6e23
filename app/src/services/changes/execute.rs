//! Executing approved requests, under a lease so that one replica at a time works each.
//!
//! The order of writes makes a crash harmless: the request is marked `executing`, then the
//! daemon's newest deployment is recorded (the baseline), and only then is the ECS call sent;
//! the deployment ARN is written AFTER it. A request found executing with a baseline but no
//! ARN is resumed by looking for what its call started, in ECS's own ordering (`adopt.rs`),
//! and sent again only if there is nothing (CreateDaemon also carries the request id as
//! clientToken, so repeating it is safe in any case).

use crate::{
    domain::change::{ChangeKind, ChangeState},
    services::changes::error::ChangeError,
};

use super::ChangeEngine;
use super::{
    adopt,
    call::{self, EcsCall},
    history, notify, register, store,
    store::StoredRequest,
};
use crate::services::{audit::log as audit, clock::now_ms, gateway::ecs_queries::short_name};

/// How long a replica holds a request between steps before another may take it over.
pub const LEASE_MS: i64 = 30_000;

/// ECS answers that say "not now" or leave unknown whether a call took effect: try again
/// later (a mutating call is then looked for before it is sent again), never fail on them.
fn transient(e: &ChangeError) -> bool {
    e.ecs().is_some_and(|f| f.transient())
}

/// This process's claim on a request while one of its tasks steps it; dropped when done.
struct Working<'a> {
    state: &'a ChangeEngine,
    id: String,
}

impl<'a> Working<'a> {
    fn take(state: &'a ChangeEngine, id: &str) -> Option<Self> {
        let mut set = state.working.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(id.to_string()).then(|| Working { state, id: id.to_string() })
    }
}

impl Drop for Working<'_> {
    fn drop(&mut self) {
        self.state.working.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
    }
}

impl ChangeEngine {
    /// Works the request now if this replica can take it. Failures are recorded on the request
    /// (or retried by the worker), not returned: the caller's own action has succeeded.
    ///
    /// If this replica's worker is stepping the request at this moment, waits for it (a step
    /// is one ECS call) and then steps it too, so the caller sees where it got to.
    pub async fn execute_now(&self, id: &str) {
        if let Err(e) = self.step_as(id, true).await {
            tracing::error!(request = id, error = ?e, "executing a change request failed");
        }
    }

    /// One step of an approved or executing request: start it, or look at its deployment.
    /// Does nothing if another task of this replica is stepping it already.
    pub async fn step(&self, id: &str) -> Result<(), ChangeError> {
        self.step_as(id, false).await
    }

    async fn step_as(&self, id: &str, wait: bool) -> Result<(), ChangeError> {
        let mut waited = 0;
        let _working = loop {
            match Working::take(self, id) {
                Some(w) => break w,
                None if wait && waited < 250 => {
                    waited += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                None => return Ok(()),
            }
        };
        let owner = &self.instance;
        if !store::claim(&self.db, id, owner, LEASE_MS).await? {
            return Ok(());
        }
        let r = store::get(&self.db, id).await?.ok_or_else(|| ChangeError::NoSuchRequest(id.to_string()))?;
        // The request's own environment, whichever engine took it.
        let engine = self.within(r.environment.as_deref()).await?;
        match r.row.state {
            ChangeState::Approved => engine.start(&r).await,
            ChangeState::Executing if r.deployment_arn.is_none() => engine.call(&r).await,
            ChangeState::Executing => engine.follow(&r).await,
            _ => Ok(()),
        }
    }

    async fn start(&self, r: &StoredRequest) -> Result<(), ChangeError> {
        let id = &r.row.id;
        if r.override_reason.is_empty() {
            let cluster = if r.row.cluster.is_empty() { "*" } else { r.row.cluster.as_str() };
            let freezes = crate::services::policies::freezes::freezes_for(
                &self.db,
                &self.environment.name,
                cluster,
                &r.providers_in_scope,
                now_ms(),
            )
            .await?;
            if !freezes.is_empty() {
                let reasons: Vec<String> = freezes.iter().map(|f| f.reason.clone()).collect();
                let events = store::events(&self.db, id).await?;
                if events.last().is_none_or(|e| e.kind != "frozen") {
                    store::add_event(
                        &self.db,
                        id,
                        "portal",
                        "frozen",
                        &format!("waiting for the freeze to end: {}", reasons.join("; ")),
                    )
                    .await?;
                }
                store::release(&self.db, id, &self.instance).await?;
                return Ok(());
            }
        }
        match store::start_executing(&self.db, id, &self.instance).await? {
            store::Start::Started => {}
            store::Start::Lost => return Ok(()),
            store::Start::DaemonBusy => {
                let events = store::events(&self.db, id).await?;
                if events.last().is_none_or(|e| e.kind != "waiting") {
                    let why = "waiting: another request for this daemon is starting its ECS call";
                    store::add_event(&self.db, id, "portal", "waiting", why).await?;
                }
                store::release(&self.db, id, &self.instance).await?;
                return Ok(());
            }
        }
        store::add_event(&self.db, id, "portal", "executing", &format!("on replica {}", self.instance))
            .await?;
        let detail = serde_json::json!({"replica": self.instance, "summary": r.row.summary});
        audit::record(&self.db, "portal", "", "change.execute", id, &detail).await?;
        let r = store::get(&self.db, id).await?.ok_or_else(|| ChangeError::NoSuchRequest(id.clone()))?;
        self.call(&r).await
    }

    /// Sends the stored ECS call exactly once.
    ///
    /// First it records the daemon's newest deployment (the baseline), then it sends. The
    /// call is never sent before the baseline is written, so a request found executing with
    /// a baseline but no deployment ARN may or may not have had its call take effect: then it
    /// looks for what the call started (`adopt::find_own`) and sends again only if ECS shows
    /// nothing. Throttling, 5xx and no answer mean "look again later", never "it happened".
    async fn call(&self, r: &StoredRequest) -> Result<(), ChangeError> {
        let id = &r.row.id;
        let call = EcsCall::from_json(&r.input)?;
        let in_doubt = match &r.baseline_deployment_arn {
            None => {
                let baseline = match (&call, adopt::daemon_of(&call)) {
                    (EcsCall::RegisterDaemonTaskDefinition(_), _) => {
                        match register::baseline(self, &r.row.family).await {
                            Ok(b) => b,
                            Err(e) if transient(&e) => return self.retry_later(id, &e).await,
                            Err(e) => return self.fail_request(r, &e).await,
                        }
                    }
                    (_, Some(daemon)) => match adopt::newest_deployment(self, daemon).await {
                        Ok(b) => b,
                        Err(e) if transient(&e) => return self.retry_later(id, &e).await,
                        Err(e) => return self.fail_request(r, &e).await,
                    },
                    (_, None) => String::new(),
                };
                if !store::set_baseline(&self.db, id, &self.instance, &baseline).await? {
                    return Ok(());
                }
                false
            }
            Some(baseline) if matches!(call, EcsCall::RegisterDaemonTaskDefinition(_)) => {
                let EcsCall::RegisterDaemonTaskDefinition(reg) = &call else { unreachable!() };
                let spec = crate::domain::task_definition::TaskDefinitionSpec::from_value(&reg.definition)
                    .map_err(|e| ChangeError::Corrupt(format!("stored definition unreadable: {e}")))?;
                match register::find_registered(self, &spec, baseline).await {
                    Ok(Some(arn)) => {
                        let outcome = format!("registered {}", short_name(&arn));
                        store::add_event(
                            &self.db,
                            id,
                            "portal",
                            "resumed",
                            &format!("ECS shows the revision this request's call registered: {arn}"),
                        )
                        .await?;
                        return self.end(r, ChangeState::Succeeded, &outcome).await;
                    }
                    Ok(None) => true,
                    Err(e) if transient(&e) => return self.retry_later(id, &e).await,
                    Err(_) => true,
                }
            }
            Some(baseline) => match adopt::find_own(self, id, &call, baseline).await {
                Ok(adopt::Found::Deployment(arn)) => {
                    store::add_event(
                        &self.db,
                        id,
                        "portal",
                        "resumed",
                        &format!("ECS shows the deployment this request's call started: {arn}"),
                    )
                    .await?;
                    self.gateway.cache.invalidate_cluster(&r.row.cluster);
                    return self.record_deployment(r, &call, &arn).await;
                }
                Ok(adopt::Found::DaemonGone) if matches!(call, EcsCall::DeleteDaemon(_)) => {
                    // The deletion took effect and its drain has finished already.
                    let outcome = "the daemon no longer exists in ECS";
                    store::add_event(&self.db, id, "portal", "resumed", outcome).await?;
                    history::start(self, r, "", "SUCCESSFUL", outcome).await?;
                    return self.end(r, ChangeState::Succeeded, outcome).await;
                }
                Ok(_) => true,
                Err(e) if transient(&e) => return self.retry_later(id, &e).await,
                // Anything else (the daemon is gone, …): the call below answers it properly.
                Err(_) => true,
            },
        };
        if in_doubt {
            store::add_event(
                &self.db,
                id,
                "portal",
                "resending",
                "ECS shows no deployment from the earlier attempt: sending the call again",
            )
            .await?;
        }
        let sent = call::send(self, &call, &r.row.requester).await;
        self.gateway.cache.invalidate_cluster(&r.row.cluster);
        match sent {
            Ok(arn) if matches!(call, EcsCall::RegisterDaemonTaskDefinition(_)) => {
                // A registration starts no deployment: done, with the revision it made.
                store::add_event(
                    &self.db,
                    id,
                    "portal",
                    "ecs_call",
                    &format!("{} registered {arn}", call.operation()),
                )
                .await?;
                self.end(r, ChangeState::Succeeded, &format!("registered {}", short_name(&arn))).await
            }
            Ok(arn) if arn.is_empty() => {
                // DeleteDaemonTaskDefinition starts no deployment: done.
                store::add_event(&self.db, id, "portal", "ecs_call", call.operation()).await?;
                self.end(r, ChangeState::Succeeded, "").await
            }
            Ok(arn) => {
                store::add_event(
                    &self.db,
                    id,
                    "portal",
                    "ecs_call",
                    &format!("{} started {arn}", call.operation()),
                )
                .await?;
                self.record_deployment(r, &call, &arn).await
            }
            Err(e)
                if in_doubt
                    && r.row.kind == ChangeKind::DeleteRevision
                    && e.to_string().contains("ACTIVE") =>
            {
                // The first attempt deleted it already.
                self.end(r, ChangeState::Succeeded, "").await
            }
            Err(e) if transient(&e) => self.retry_later(id, &e).await,
            Err(e) => self.fail_request(r, &e).await,
        }
    }

    /// Writes down the deployment the call started. The database refuses an ARN another
    /// request holds, so a deployment is never attributed twice.
    async fn record_deployment(
        &self,
        r: &StoredRequest,
        call: &EcsCall,
        arn: &str,
    ) -> Result<(), ChangeError> {
        let id = &r.row.id;
        match store::set_deployment(&self.db, id, arn).await? {
            store::Claim::Claimed => {
                if r.row.kind != ChangeKind::DeleteRevision {
                    history::start(self, r, arn, "IN_PROGRESS", "").await?;
                }
                self.refresh_fleet_soon();
                Ok(())
            }
            store::Claim::NotExecuting => Ok(()),
            store::Claim::TakenByAnother => {
                let e = ChangeError::Corrupt(format!(
                    "{} answered with deployment {arn}, which another request already records",
                    call.operation()
                ));
                self.fail_request(r, &e).await
            }
        }
    }

    /// An answer that leaves the outcome unknown or says "not now": the worker looks again.
    async fn retry_later(&self, id: &str, e: &ChangeError) -> Result<(), ChangeError> {
        store::add_event(&self.db, id, "portal", "retrying", &e.to_string()).await?;
        store::release(&self.db, id, &self.instance).await?;
        Ok(())
    }

    /// ECS refused the call: the request fails with ECS's reason.
    async fn fail_request(&self, r: &StoredRequest, e: &ChangeError) -> Result<(), ChangeError> {
        if r.row.kind != ChangeKind::DeleteRevision {
            history::start(self, r, "", "FAILED", &e.to_string()).await?;
        }
        self.end(r, ChangeState::Failed, &e.to_string()).await
    }

    /// Looks at the request's deployment once: records progress, and the end when it comes.
    async fn follow(&self, r: &StoredRequest) -> Result<(), ChangeError> {
        let id = &r.row.id;
        let deployments = self.gateway.deployments(r.deployment_arn.iter().cloned().collect()).await?;
        let Some(d) = deployments.first() else {
            return Ok(());
        };
        let revs: Vec<String> = d
            .target_daemon_revision
            .iter()
            .chain(d.source_daemon_revisions.iter().flatten())
            .filter_map(|x| x.arn.clone())
            .collect();
        let revisions = self.gateway.revisions(revs).await?;
        let view = crate::services::gateway::daemons::deployment_view(d, &revisions);
        // A snapshot whenever the status or the percentage moves.
        let last = store::last_progress(&self.db, id).await?;
        if last.as_ref() != Some(&(view.status.clone(), i64::from(view.percent))) {
            store::set_progress(&self.db, id, i64::from(view.percent)).await?;
            store::add_progress(
                &self.db,
                id,
                &view.status,
                i64::from(view.percent),
                i64::from(view.on_target),
                i64::from(view.total_instances),
            )
            .await?;
        }
        match ChangeState::after_deployment(&view.status) {
            Some(end) => {
                let reason = view.rollback_reason.clone().or(view.status_reason.clone()).unwrap_or_default();
                history::finish(self, id, &view.status, &reason).await?;
                self.end(
                    r,
                    end,
                    &format!(
                        "{}{}",
                        view.status,
                        if reason.is_empty() { String::new() } else { format!(": {reason}") }
                    ),
                )
                .await
            }
            None => Ok(()),
        }
    }

    async fn end(&self, r: &StoredRequest, to: ChangeState, outcome: &str) -> Result<(), ChangeError> {
        let id = &r.row.id;
        if store::finish(&self.db, id, to, outcome).await? {
            // The portal's clock at both ends: `executed_at` was written when it started.
            if let Some(started) = r.executed_at {
                crate::services::metrics::rollout_finished(
                    &self.environment.name,
                    &r.row.cluster,
                    r.row.kind.as_str(),
                    to.as_str(),
                    started,
                );
            }
            store::add_event(&self.db, id, "portal", to.as_str(), outcome).await?;
            let detail = serde_json::json!({"state": to.as_str(), "outcome": outcome});
            audit::record(&self.db, "portal", "", "change.end", id, &detail).await?;
            notify::enqueue(self, "request_ended", id).await;
            self.refresh_fleet_soon();
        }
        self.gateway.cache.invalidate_cluster(&r.row.cluster);
        Ok(())
    }

    /// Reads this environment's inventory again in the background, so the fleet view shows a
    /// change that started or ended without waiting for the next interval.
    fn refresh_fleet_soon(&self) {
        self.environments.refresh_soon(&self.environment);
    }
}
