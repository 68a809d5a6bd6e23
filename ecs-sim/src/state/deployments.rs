//! The deployment controller. One `step_deployment` per simulated second
//! looks at the daemon's instances and moves them toward the deployment's
//! target: launching in place where an instance has no task of the daemon,
//! replacing instances in batches of `drainPercent` where it runs another
//! revision, and stopping it where the daemon is being removed.

use super::*;
use crate::arn;

impl State {
    pub(crate) fn start_deployment(
        &mut self,
        daemon_arn: &str,
        kind: DeploymentKind,
        target: Option<String>,
        previous: Option<String>,
        providers: Vec<String>,
        config: DeployConfig,
    ) -> String {
        let d = self.daemons[daemon_arn].clone();
        let id = arn::new_id();
        let dep_arn = self.scope.daemon_deployment(&d.cluster, &d.name, &id);
        let now = self.now;
        // A newer deployment supersedes the running one and inherits its
        // in-flight replacements, so they are not drained twice.
        let mut in_flight = Vec::new();
        if let Some(old) = d.active_deployment.as_ref().and_then(|o| self.deployments.get_mut(o)) {
            if !old.status.is_terminal() {
                old.status = DeploymentStatus::Stopped;
                old.status_reason = Some(format!("Superseded by daemon deployment {dep_arn}"));
                old.stopped_at = Some(now);
                old.finished_at = Some(now);
                old.bake_until = None;
                in_flight = std::mem::take(&mut old.in_flight);
                if old.breaker_status == "MONITORING" {
                    old.breaker_status = "MONITORING_COMPLETE".into();
                }
                if old.alarm_status == "MONITORING" {
                    old.alarm_status = "MONITORING_COMPLETE".into();
                }
            }
        }
        let counts = self.daemon_counts(daemon_arn, &providers);
        let mut sources: Vec<String> =
            counts.keys().filter(|r| Some(*r) != target.as_ref()).cloned().collect();
        if let Some(p) = &previous {
            if Some(p) != target.as_ref() && !sources.contains(p) {
                sources.insert(0, p.clone());
            }
        }
        let instance_count: usize =
            providers.iter().filter_map(|p| self.providers.get(p)).map(|p| p.instances.len()).sum();
        // The service circuit breaker's formula: half the fleet, between 3 and 200.
        let threshold = ((instance_count as u32).div_ceil(2)).clamp(3, 200);
        let (alarm_status, ignored) = match &config.alarms {
            Some((names, true)) if !names.is_empty() => (
                "MONITORING".to_string(),
                names
                    .iter()
                    .filter(|n| self.alarms.get(*n).map(|a| a.state == "ALARM").unwrap_or(false))
                    .cloned()
                    .collect(),
            ),
            _ => ("DISABLED".to_string(), Vec::new()),
        };
        let seq = self.next_seq();
        let dep = Deployment {
            id: id.clone(),
            arn: dep_arn,
            seq,
            daemon_arn: daemon_arn.to_string(),
            cluster: d.cluster.clone(),
            kind,
            status: DeploymentStatus::Pending,
            status_reason: None,
            target,
            sources,
            providers,
            config,
            failure_count: 0,
            rollback_failures: 0,
            threshold,
            breaker_status: "MONITORING".into(),
            alarm_status,
            ignored_alarms: ignored,
            triggered_alarms: Vec::new(),
            pending_rollback_reason: None,
            rollback: None,
            created_at: now,
            started_at: None,
            stopped_at: None,
            finished_at: None,
            bake_until: None,
            in_flight,
        };
        self.deployments.insert(id.clone(), dep);
        let daemon = self.daemons.get_mut(daemon_arn).expect("checked");
        daemon.deployment = id.clone();
        daemon.active_deployment = Some(id.clone());
        self.schedule(timing::STEP, Event::DeploymentStep(id.clone()));
        id
    }

    /// The revision instances should end up on: the target, or while rolling
    /// back the revision being restored. `None` removes the daemon.
    fn effective_target(dep: &Deployment) -> Option<String> {
        match &dep.rollback {
            Some(r) => r.target.clone(),
            None => dep.target.clone(),
        }
    }

    pub(crate) fn step_deployment(&mut self, id: &str) {
        let Some(dep) = self.deployments.get(id) else {
            return;
        };
        if dep.status.is_terminal() {
            return;
        }
        let now = self.now;
        match dep.status {
            DeploymentStatus::Pending => {
                let has_instances = dep
                    .providers
                    .iter()
                    .filter_map(|p| self.providers.get(p))
                    .any(|p| !p.instances.is_empty());
                if !has_instances && dep.kind != DeploymentKind::Delete {
                    // Nothing to deploy to yet: stays PENDING until instances exist.
                    self.schedule(timing::STEP, Event::DeploymentStep(id.to_string()));
                    return;
                }
                let dep = self.deployments.get_mut(id).expect("checked");
                dep.status = DeploymentStatus::InProgress;
                dep.started_at = Some(now);
            }
            DeploymentStatus::StopRequested => {
                self.begin_rollback(id);
                self.schedule(timing::STEP, Event::DeploymentStep(id.to_string()));
                return;
            }
            _ => {}
        }
        let dep = &self.deployments[id];
        if dep.status == DeploymentStatus::InProgress && dep.failure_count >= dep.threshold {
            let reason = format!(
                "Circuit breaker triggered: {} daemon task launch failures (threshold {})",
                dep.failure_count, dep.threshold
            );
            let dep = self.deployments.get_mut(id).expect("checked");
            dep.breaker_status = "TRIGGERED".into();
            self.request_stop(id, reason);
            return;
        }
        if dep.status == DeploymentStatus::RollbackInProgress && dep.rollback_failures >= dep.threshold {
            let n = dep.rollback_failures;
            self.finish(
                id,
                DeploymentStatus::RollbackFailed,
                Some(format!("Rollback failed: {n} daemon task launch failures")),
            );
            return;
        }
        let done = self.reconcile(id);
        let dep = &self.deployments[id];
        if done {
            match (dep.status, dep.kind) {
                (_, DeploymentKind::Delete) => {
                    let daemon = dep.daemon_arn.clone();
                    self.finish(id, DeploymentStatus::Successful, None);
                    self.remove_daemon(&daemon);
                    return;
                }
                (DeploymentStatus::RollbackInProgress, _) => {
                    let reason = dep.rollback.as_ref().map(|r| r.reason.clone());
                    self.finish(id, DeploymentStatus::RollbackSuccessful, reason);
                    return;
                }
                _ => {
                    let bake = dep.config.bake_minutes as Ms * 60_000;
                    let until =
                        *self.deployments.get_mut(id).expect("checked").bake_until.get_or_insert(now + bake);
                    if now >= until {
                        self.finish(id, DeploymentStatus::Successful, None);
                        return;
                    }
                    // Alarms act immediately (see set_alarm), so baking only
                    // needs to wake up when it ends.
                    self.schedule(until - now, Event::DeploymentStep(id.to_string()));
                    return;
                }
            }
        } else if let Some(d) = self.deployments.get_mut(id) {
            d.bake_until = None;
        }
        self.schedule(timing::STEP, Event::DeploymentStep(id.to_string()));
    }

    fn finish(&mut self, id: &str, status: DeploymentStatus, reason: Option<String>) {
        let now = self.now;
        let Some(dep) = self.deployments.get_mut(id) else {
            return;
        };
        dep.status = status;
        if reason.is_some() {
            dep.status_reason = reason;
        }
        dep.finished_at = Some(now);
        if status != DeploymentStatus::Successful {
            dep.stopped_at.get_or_insert(now);
        }
        if dep.breaker_status == "MONITORING" {
            dep.breaker_status = "MONITORING_COMPLETE".into();
        }
        if dep.alarm_status == "MONITORING" {
            dep.alarm_status = "MONITORING_COMPLETE".into();
        }
        dep.in_flight.clear();
        let daemon = dep.daemon_arn.clone();
        if let Some(d) = self.daemons.get_mut(&daemon) {
            if d.active_deployment.as_deref() == Some(id) {
                d.active_deployment = None;
            }
        }
        self.settle_deleted_task_definitions();
    }

    /// IN_PROGRESS → STOP_REQUESTED; the next step starts the rollback.
    fn request_stop(&mut self, id: &str, reason: String) {
        let Some(dep) = self.deployments.get_mut(id) else {
            return;
        };
        if dep.status != DeploymentStatus::InProgress && dep.status != DeploymentStatus::Pending {
            return;
        }
        dep.status = DeploymentStatus::StopRequested;
        dep.status_reason = Some(reason.clone());
        dep.pending_rollback_reason = Some(reason);
        dep.stopped_at = Some(self.now);
        dep.bake_until = None;
        self.schedule(timing::STEP, Event::DeploymentStep(id.to_string()));
    }

    fn begin_rollback(&mut self, id: &str) {
        let now = self.now;
        let dep = &self.deployments[id];
        let reason = dep.pending_rollback_reason.clone().unwrap_or_else(|| "Deployment stopped".into());
        let target = dep.sources.first().cloned();
        let Some(target) = target else {
            // A first deployment has nothing to roll back to.
            self.finish(id, DeploymentStatus::Stopped, Some(reason));
            return;
        };
        let daemon_arn = dep.daemon_arn.clone();
        let providers = self.daemons.get(&daemon_arn).map(|d| d.providers.clone()).unwrap_or_default();
        let dep = self.deployments.get_mut(id).expect("checked");
        dep.status = DeploymentStatus::RollbackInProgress;
        dep.status_reason = Some(reason.clone());
        dep.rollback = Some(Rollback {
            reason,
            started_at: now,
            target: Some(target.clone()),
            providers: providers.clone(),
        });
        if let Some(d) = self.daemons.get_mut(&daemon_arn) {
            d.target_revision = target;
        }
    }

    pub(crate) fn on_alarm(&mut self, id: &str, alarm: &str) {
        let Some(dep) = self.deployments.get(id) else {
            return;
        };
        let watched = matches!(&dep.config.alarms, Some((names, true)) if names.iter().any(|n| n == alarm));
        if !watched || dep.ignored_alarms.iter().any(|a| a == alarm) {
            return;
        }
        if !matches!(dep.status, DeploymentStatus::InProgress | DeploymentStatus::Pending) {
            return;
        }
        let dep = self.deployments.get_mut(id).expect("checked");
        dep.alarm_status = "TRIGGERED".into();
        if !dep.triggered_alarms.iter().any(|a| a == alarm) {
            dep.triggered_alarms.push(alarm.to_string());
        }
        let reason = format!("CloudWatch alarm {alarm} entered the ALARM state");
        self.request_stop(id, reason);
    }

    /// Takes the actions the deployment needs now; true when every instance is
    /// where the deployment wants it.
    fn reconcile(&mut self, id: &str) -> bool {
        let dep = &self.deployments[id];
        let Some(daemon) = self.daemons.get(&dep.daemon_arn) else {
            return true;
        };
        let (daemon_arn, daemon_providers) = (daemon.arn.clone(), daemon.providers.clone());
        let target = Self::effective_target(dep);
        let providers = dep.providers.clone();
        let pct = dep.config.drain_percent.clamp(0.0, 100.0);
        let mut in_flight = std::mem::take(&mut self.deployments.get_mut(id).expect("checked").in_flight);
        in_flight.retain(|i| self.instances.contains_key(i));
        let mut done = true;
        let mut busy_by_provider: HashMap<&str, usize> = HashMap::new();
        for i in &in_flight {
            if let Some(x) = self.instances.get(i) {
                *busy_by_provider.entry(x.provider.as_str()).or_default() += 1;
            }
        }
        let busy_by_provider: HashMap<String, usize> =
            busy_by_provider.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        for pname in &providers {
            let Some(provider) = self.providers.get(pname) else {
                continue;
            };
            let keep = target.is_some() && daemon_providers.contains(pname);
            let busy = busy_by_provider.get(pname).copied().unwrap_or(0);
            // Look first (no cloning on this hot path: it runs every simulated
            // second over every instance), act afterwards.
            let mut remove = Vec::new();
            let mut start = Vec::new();
            let mut candidates = Vec::new();
            let mut outdated = 0usize;
            let mut counted = 0usize;
            for iid in &provider.instances {
                let inst = &self.instances[iid];
                if inst.status != InstanceStatus::Registering && inst.replaces.is_none() {
                    counted += 1;
                }
                let slot = inst.slot(&daemon_arn);
                if !keep {
                    if slot.is_some() {
                        remove.push(iid.clone());
                    }
                    continue;
                }
                let target = target.as_deref().expect("keep implies target");
                let critical = || self.slot_is_critical(iid, &daemon_arn);
                match (inst.status, slot) {
                    // Registration starts its daemons. Only replacements hold
                    // the deployment back (through `in_flight`); a scale-out
                    // instance must not block it.
                    (InstanceStatus::Registering, _) => {}
                    (InstanceStatus::Draining, _) => done = false,
                    (InstanceStatus::Active, None) => start.push(iid.clone()),
                    (InstanceStatus::Active, Some(s))
                        if matches!(s.state, SlotState::Failed | SlotState::Stopped)
                            && (s.revision != target
                                || (s.state == SlotState::Failed
                                    && critical()
                                    && self.now - s.changed_at >= timing::RETRY)) =>
                    {
                        // Nothing runs there, so there is no need to replace
                        // the instance: launch the target in place.
                        start.push(iid.clone());
                    }
                    (InstanceStatus::Active, Some(s)) if s.revision != target => {
                        outdated += 1;
                        candidates.push(iid);
                    }
                    (InstanceStatus::Active, Some(s)) => {
                        if matches!(s.state, SlotState::Pending | SlotState::Stopping)
                            || (s.state == SlotState::Failed && critical())
                        {
                            done = false;
                        }
                    }
                }
            }
            let batch = ((counted as f64 * pct / 100.0).ceil() as usize).max(1);
            let drain: Vec<String> =
                candidates.into_iter().take(batch.saturating_sub(busy)).cloned().collect();
            if !remove.is_empty() || !start.is_empty() || outdated > 0 {
                done = false;
            }
            for iid in &remove {
                self.remove_daemon_from_instance(iid, &daemon_arn);
            }
            if let Some(target) = target.as_deref() {
                for iid in &start {
                    self.start_slot(iid, &daemon_arn, target);
                }
            }
            for iid in drain {
                self.start_drain(&iid, "Daemon deployment: replacing instance", true);
                in_flight.push(iid);
            }
        }
        if !in_flight.is_empty() {
            done = false;
        }
        if let Some(d) = self.deployments.get_mut(id) {
            d.in_flight = in_flight;
        }
        done
    }
}
