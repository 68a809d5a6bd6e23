//! Container instance and task lifecycle: provisioning, daemon-first startup,
//! app placement, draining (apps stop first, daemons last) and auto-repair.

use super::*;
use crate::arn;

impl State {
    /// Starts provisioning a new instance in `provider`; `replaces` links it to
    /// the draining instance whose app tasks it will take over.
    pub fn launch_instance(&mut self, provider: &str, replaces: Option<String>) -> Option<String> {
        let p = self.providers.get(provider)?;
        let (cluster, vcpu, memory) = (p.cluster.clone(), p.vcpu, p.memory);
        let id = arn::new_id();
        let seq = self.next_seq();
        let inst = Instance {
            id: id.clone(),
            seq,
            cluster: cluster.clone(),
            provider: provider.to_string(),
            ec2_id: arn::ec2_instance_id(),
            status: InstanceStatus::Registering,
            status_reason: None,
            registered_at: self.now,
            cpu: vcpu * 1024,
            memory,
            slots: Vec::new(),
            app_tasks: Vec::new(),
            tasks: Vec::new(),
            replaces,
            replaced_by: None,
            drain: None,
            version: 1,
        };
        self.instances.insert(id.clone(), inst);
        if let Some(p) = self.providers.get_mut(provider) {
            p.instances.insert(id.clone());
        }
        if let Some(c) = self.clusters.get_mut(&cluster) {
            c.instances.insert(id.clone());
        }
        self.schedule(timing::PROVISION, Event::InstanceRegistered(id.clone()));
        self.schedule(timing::REGISTRATION_DEADLINE, Event::RegistrationDeadline(id.clone()));
        Some(id)
    }

    /// Puts an instance straight into ACTIVE with its daemons and apps running,
    /// for building worlds without simulating their history.
    pub fn place_ready_instance(&mut self, provider: &str) -> Option<String> {
        let id = self.launch_instance(provider, None)?;
        let ev = Event::InstanceRegistered(id.clone());
        let deadline = Event::RegistrationDeadline(id.clone());
        self.timers.retain(|_, e| *e != ev && *e != deadline);
        self.on_instance_registered(&id);
        let daemon_tasks: Vec<String> =
            self.instances[&id].slots.iter().filter_map(|s| s.task.clone()).collect();
        for t in &daemon_tasks {
            self.on_daemon_task_up(t);
        }
        let apps = self.instances[&id].app_tasks.clone();
        for t in &apps {
            self.on_app_task_up(t);
        }
        let mine: std::collections::HashSet<&String> = daemon_tasks.iter().chain(apps.iter()).collect();
        self.timers
            .retain(|_, e| !matches!(e, Event::DaemonTaskUp(t) | Event::AppTaskUp(t) if mine.contains(t)));
        Some(id)
    }

    pub(crate) fn on_instance_registered(&mut self, id: &str) {
        let Some(inst) = self.instances.get(id) else {
            return;
        };
        if inst.status != InstanceStatus::Registering {
            return;
        }
        let provider = inst.provider.clone();
        let daemons: Vec<String> =
            self.providers.get(&provider).map(|p| p.daemons.iter().cloned().collect()).unwrap_or_default();
        for d in daemons {
            let Some(daemon) = self.daemons.get(&d) else {
                continue;
            };
            if daemon.status != DaemonStatus::Active {
                continue;
            }
            let rev = daemon.target_revision.clone();
            self.start_slot(id, &d, &rev);
        }
        self.check_instance_ready(id);
    }

    /// Used CPU and memory on an instance: every live task reserves its share.
    pub fn used_resources(&self, inst: &Instance) -> (u32, u32) {
        let mut cpu = 0;
        let mut mem = 0;
        for t in inst.app_tasks.iter().chain(inst.slots.iter().filter_map(|s| s.task.as_ref())) {
            if let Some(task) = self.tasks.get(t) {
                if task.is_live() {
                    cpu += task.cpu;
                    mem += task.memory;
                }
            }
        }
        (cpu, mem)
    }

    /// Launches (or relaunches) `daemon` at `revision` on an instance. A daemon
    /// that does not fit, or whose image cannot be pulled, fails to launch and
    /// counts toward the circuit breaker of the daemon's deployment.
    pub fn start_slot(&mut self, inst_id: &str, daemon: &str, revision: &str) {
        let Some(rev) = self.revisions.get(revision).cloned() else {
            return;
        };
        let Some(inst) = self.instances.get(inst_id) else {
            return;
        };
        if let Some(old) = inst.slot(daemon).and_then(|s| s.task.clone()) {
            // One live task per daemon per instance, always.
            if self.tasks.get(&old).map(|t| t.is_live()).unwrap_or(false) {
                self.finish_stop(&old, "Replaced by a new daemon task", "ServiceSchedulerInitiated");
            }
        }
        let inst = &self.instances[inst_id];
        // The rule is in capacity.rs (shared with the portal's guard).
        let (free_cpu, free_mem) = self.daemon_room(inst);
        let daemon_name = self.daemons.get(daemon).map(|d| d.name.clone()).unwrap_or_default();
        let misfit = if rev.memory > free_mem {
            Some(format!(
                "RESOURCE:MEMORY - daemon {daemon_name} needs {} MiB of memory but container instance {} has {} MiB available",
                rev.memory, inst.id, free_mem
            ))
        } else if rev.cpu > free_cpu {
            Some(format!(
                "RESOURCE:CPU - daemon {daemon_name} needs {} CPU units but container instance {} has {} available",
                rev.cpu, inst.id, free_cpu
            ))
        } else {
            None
        };
        let now = self.now;
        if let Some(reason) = misfit {
            let slot = Slot {
                daemon: daemon.to_string(),
                revision: revision.to_string(),
                state: SlotState::Failed,
                task: None,
                reason: Some(reason),
                changed_at: now,
            };
            self.edit_instance(inst_id, |i| i.set_slot(slot));
            self.resource_misfits += 1;
            self.record_launch_failure(inst_id, daemon);
            return;
        }
        let (cluster, provider) = (inst.cluster.clone(), inst.provider.clone());
        let task_id = arn::new_id();
        let seq = self.next_seq();
        let task = Task {
            id: task_id.clone(),
            seq,
            cluster: cluster.clone(),
            instance: inst_id.to_string(),
            provider,
            kind: TaskKind::Daemon { daemon: daemon.to_string(), revision: revision.to_string() },
            task_definition_arn: rev.task_definition_arn.clone(),
            group: format!("daemon:{daemon_name}"),
            started_by: rev.arn.clone(),
            cpu: rev.cpu,
            memory: rev.memory,
            containers: rev
                .images
                .iter()
                .map(|(n, i)| TaskContainer { name: n.clone(), image: i.clone() })
                .collect(),
            last_status: "PENDING".into(),
            desired_status: "RUNNING".into(),
            created_at: now,
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            stop_code: None,
            stopped_reason: None,
            exec: rev.exec,
            version: 1,
        };
        self.add_task(task);
        self.edit_instance(inst_id, |inst| {
            inst.set_slot(Slot {
                daemon: daemon.to_string(),
                revision: revision.to_string(),
                state: SlotState::Pending,
                task: Some(task_id.clone()),
                reason: None,
                changed_at: now,
            });
            inst.version += 1;
        });
        self.schedule(timing::DAEMON_START, Event::DaemonTaskUp(task_id));
    }

    fn add_task(&mut self, task: Task) {
        if let Some(c) = self.clusters.get_mut(&task.cluster) {
            c.tasks.insert(task.seq, task.id.clone());
        }
        if let Some(inst) = self.instances.get_mut(&task.instance) {
            inst.tasks.push(task.id.clone());
            if matches!(task.kind, TaskKind::App { .. }) {
                inst.app_tasks.push(task.id.clone());
            }
        }
        self.tasks.insert(task.id.clone(), task);
    }

    fn record_launch_failure(&mut self, inst_id: &str, daemon: &str) {
        let critical = self.slot_is_critical(inst_id, daemon);
        let active = self.daemons.get(daemon).and_then(|d| d.active_deployment.clone());
        let mut deployment_running = false;
        if let Some(dep) = active.and_then(|id| self.deployments.get_mut(&id)) {
            match dep.status {
                DeploymentStatus::InProgress => {
                    dep.failure_count += 1;
                    deployment_running = true;
                }
                DeploymentStatus::RollbackInProgress => {
                    dep.rollback_failures += 1;
                    deployment_running = true;
                }
                _ => {}
            }
        }
        // A failed critical daemon blocks its instance, so it is retried until it
        // works; a non-critical one only while a deployment is driving it.
        let registering =
            self.instances.get(inst_id).map(|i| i.status == InstanceStatus::Registering).unwrap_or(false);
        if deployment_running || (critical && registering) {
            let delay = if deployment_running { timing::RETRY } else { timing::CRITICAL_RETRY };
            self.schedule(
                delay,
                Event::SlotRetry { instance: inst_id.to_string(), daemon: daemon.to_string() },
            );
        }
        self.check_instance_ready(inst_id);
    }

    pub(crate) fn slot_is_critical(&self, inst_id: &str, daemon: &str) -> bool {
        self.instances
            .get(inst_id)
            .and_then(|i| i.slot(daemon))
            .and_then(|s| self.revisions.get(&s.revision))
            .map(|r| r.critical)
            .unwrap_or(false)
    }

    pub(crate) fn on_slot_retry(&mut self, inst_id: &str, daemon: &str) {
        let Some(inst) = self.instances.get(inst_id) else {
            return;
        };
        if inst.status == InstanceStatus::Draining {
            return;
        }
        let Some(slot) = inst.slot(daemon) else {
            return;
        };
        if slot.state != SlotState::Failed {
            return;
        }
        let Some(d) = self.daemons.get(daemon) else {
            return;
        };
        if d.status != DaemonStatus::Active || !d.providers.contains(&inst.provider) {
            return;
        }
        let rev = d.target_revision.clone();
        self.start_slot(inst_id, daemon, &rev);
    }

    pub(crate) fn on_daemon_task_up(&mut self, task_id: &str) {
        let Some(task) = self.tasks.get(task_id) else {
            return;
        };
        if task.last_status != "PENDING" || task.desired_status != "RUNNING" {
            return;
        }
        let TaskKind::Daemon { daemon, .. } = task.kind.clone() else {
            return;
        };
        let inst_id = task.instance.clone();
        let bad_image = task.containers.iter().find(|c| self.image_fails(&c.image)).map(|c| c.image.clone());
        let now = self.now;
        if let Some(image) = bad_image {
            let reason = format!(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: not found"
            );
            self.finish_stop(task_id, &reason, "TaskFailedToStart");
            self.edit_instance(&inst_id, |i| {
                if let Some(slot) = i.slot_mut(&daemon) {
                    slot.state = SlotState::Failed;
                    slot.reason = Some(reason);
                    slot.changed_at = now;
                }
            });
            self.record_launch_failure(&inst_id, &daemon);
            return;
        }
        let task = self.tasks.get_mut(task_id).expect("checked");
        task.last_status = "RUNNING".into();
        task.started_at = Some(now);
        task.version += 1;
        self.edit_instance(&inst_id, |inst| {
            if let Some(slot) = inst.slot_mut(&daemon) {
                if slot.task.as_deref() == Some(task_id) {
                    slot.state = SlotState::Running;
                    slot.reason = None;
                    slot.changed_at = now;
                }
            }
            inst.version += 1;
        });
        self.check_instance_ready(&inst_id);
    }

    /// A new instance turns ACTIVE (and only then starts app tasks) once every
    /// critical daemon runs and every non-critical one has settled.
    pub(crate) fn check_instance_ready(&mut self, id: &str) {
        let Some(inst) = self.instances.get(id) else {
            return;
        };
        if inst.status != InstanceStatus::Registering {
            return;
        }
        let ready = inst.slots.iter().all(|s| {
            let critical = self.revisions.get(&s.revision).map(|r| r.critical).unwrap_or(false);
            match s.state {
                SlotState::Running => true,
                SlotState::Failed | SlotState::Stopped => !critical,
                SlotState::Pending | SlotState::Stopping => false,
            }
        });
        if !ready {
            return;
        }
        let now = self.now;
        let (provider, replaces) = self
            .edit_instance(id, |inst| {
                inst.status = InstanceStatus::Active;
                inst.version += 1;
                (inst.provider.clone(), inst.replaces.clone())
            })
            .expect("checked");
        let services = self.providers.get(&provider).map(|p| p.services.clone()).unwrap_or_default();
        for svc in services {
            self.start_app_task(id, &svc, now);
        }
        if let Some(old) = replaces {
            self.schedule(0, Event::DrainStep(old));
        }
    }

    fn start_app_task(&mut self, inst_id: &str, svc: &AppService, now: Ms) {
        let Some(inst) = self.instances.get(inst_id) else {
            return;
        };
        let (used_cpu, used_mem) = self.used_resources(inst);
        if used_cpu + svc.cpu > inst.cpu || used_mem + svc.memory > inst.memory {
            // The scheduler would place it elsewhere; we simply don't run it here.
            return;
        }
        let (cluster, provider) = (inst.cluster.clone(), inst.provider.clone());
        let task_id = arn::new_id();
        let seq = self.next_seq();
        let task = Task {
            id: task_id.clone(),
            seq,
            cluster,
            instance: inst_id.to_string(),
            provider,
            kind: TaskKind::App { service: svc.name.clone() },
            task_definition_arn: self.scope.app_task_definition(&svc.name, 1),
            group: format!("service:{}", svc.name),
            started_by: format!("ecs-svc/{}", svc.name),
            cpu: svc.cpu,
            memory: svc.memory,
            containers: vec![TaskContainer { name: svc.name.clone(), image: svc.image.clone() }],
            last_status: "PENDING".into(),
            desired_status: "RUNNING".into(),
            created_at: now,
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            stop_code: None,
            stopped_reason: None,
            exec: false,
            version: 1,
        };
        self.add_task(task);
        self.schedule(timing::APP_START, Event::AppTaskUp(task_id));
    }

    pub(crate) fn on_app_task_up(&mut self, task_id: &str) {
        let now = self.now;
        if let Some(task) = self.tasks.get_mut(task_id) {
            if task.last_status == "PENDING" && task.desired_status == "RUNNING" {
                task.last_status = "RUNNING".into();
                task.started_at = Some(now);
                task.version += 1;
            }
        }
    }

    /// Asks a task to stop; it reaches STOPPED after `delay`.
    fn begin_stop(&mut self, task_id: &str, reason: &str, code: &str, delay: Ms) {
        let now = self.now;
        let Some(task) = self.tasks.get_mut(task_id) else {
            return;
        };
        if !task.is_live() || task.desired_status == "STOPPED" {
            return;
        }
        task.desired_status = "STOPPED".into();
        task.stopping_at = Some(now);
        task.stopped_reason = Some(reason.to_string());
        task.stop_code = Some(code.to_string());
        task.version += 1;
        if let TaskKind::Daemon { daemon, .. } = task.kind.clone() {
            let inst = task.instance.clone();
            self.edit_instance(&inst, |i| {
                if let Some(slot) = i.slot_mut(&daemon) {
                    if slot.task.as_deref() == Some(task_id) {
                        slot.state = SlotState::Stopping;
                        slot.changed_at = now;
                    }
                }
            });
        }
        self.schedule(delay, Event::TaskStopped(task_id.to_string()));
    }

    /// Stops a task immediately.
    pub(crate) fn finish_stop(&mut self, task_id: &str, reason: &str, code: &str) {
        let now = self.now;
        let Some(task) = self.tasks.get_mut(task_id) else {
            return;
        };
        if !task.is_live() {
            return;
        }
        task.desired_status = "STOPPED".into();
        task.last_status = "STOPPED".into();
        task.stopping_at.get_or_insert(now);
        task.stopped_at = Some(now);
        task.stopped_reason.get_or_insert_with(|| reason.to_string());
        task.stop_code.get_or_insert_with(|| code.to_string());
        task.version += 1;
        let inst_id = task.instance.clone();
        let kind = task.kind.clone();
        self.stopped_tasks.push_back((now, task_id.to_string()));
        self.edit_instance(&inst_id, |inst| {
            inst.version += 1;
            match kind {
                TaskKind::App { .. } => inst.app_tasks.retain(|t| t != task_id),
                TaskKind::Daemon { daemon, .. } => {
                    if let Some(slot) = inst.slot_mut(&daemon) {
                        if slot.task.as_deref() == Some(task_id) {
                            if slot.state != SlotState::Failed {
                                slot.state = SlotState::Stopped;
                            }
                            slot.changed_at = now;
                        }
                    }
                }
            }
        });
    }

    pub(crate) fn on_task_stopped(&mut self, task_id: &str) {
        let (reason, code) = match self.tasks.get(task_id) {
            Some(t) => {
                (t.stopped_reason.clone().unwrap_or_default(), t.stop_code.clone().unwrap_or_default())
            }
            None => return,
        };
        self.finish_stop(task_id, &reason, &code);
    }

    /// Stops a daemon's task on an instance as part of removing the daemon there
    /// (delete, provider detached): no auto-repair, the slot goes away.
    pub(crate) fn remove_daemon_from_instance(&mut self, inst_id: &str, daemon: &str) {
        let Some(slot) = self.instances.get(inst_id).and_then(|i| i.slot(daemon)) else {
            return;
        };
        match (slot.state, slot.task.clone()) {
            (SlotState::Pending | SlotState::Running, Some(t)) => {
                self.begin_stop(&t, "Daemon removed", "ServiceSchedulerInitiated", timing::DAEMON_STOP)
            }
            (SlotState::Stopping, _) => {}
            _ => {
                self.edit_instance(inst_id, |i| i.remove_slot(daemon));
            }
        }
    }

    /// Drains an instance: status DRAINING; with `replace`, a replacement is
    /// provisioned first and the app tasks only stop once it is ACTIVE.
    pub fn start_drain(&mut self, id: &str, reason: &str, replace: bool) {
        let Some(inst) = self.instances.get(id) else {
            return;
        };
        if inst.status == InstanceStatus::Draining {
            return;
        }
        let provider = self
            .edit_instance(id, |inst| {
                inst.status = InstanceStatus::Draining;
                inst.status_reason = Some(reason.to_string());
                inst.version += 1;
                inst.provider.clone()
            })
            .expect("checked");
        let inst = self.instances.get_mut(id).expect("checked");
        if replace {
            inst.drain = Some(DrainPhase::AwaitReplacement);
            let new = self.launch_instance(&provider, Some(id.to_string()));
            if let Some(inst) = self.instances.get_mut(id) {
                inst.replaced_by = new;
            }
        } else {
            inst.drain = Some(DrainPhase::AwaitReplacement);
            self.schedule(0, Event::DrainStep(id.to_string()));
        }
    }

    pub(crate) fn on_drain_step(&mut self, id: &str) {
        let Some(inst) = self.instances.get(id) else {
            return;
        };
        let Some(phase) = inst.drain else {
            return;
        };
        match phase {
            DrainPhase::AwaitReplacement => {
                let ready = match &inst.replaced_by {
                    Some(r) => {
                        self.instances.get(r).map(|n| n.status != InstanceStatus::Registering).unwrap_or(true)
                    }
                    None => true,
                };
                if !ready {
                    return;
                }
                let apps = inst.app_tasks.clone();
                self.instances.get_mut(id).expect("checked").drain = Some(DrainPhase::StoppingApps);
                for t in &apps {
                    self.begin_stop(
                        t,
                        "Container instance is draining",
                        "ServiceSchedulerInitiated",
                        timing::APP_STOP,
                    );
                }
                let delay = if apps.is_empty() { 0 } else { timing::APP_STOP };
                self.schedule(delay, Event::DrainStep(id.to_string()));
            }
            DrainPhase::StoppingApps => {
                if !inst.app_tasks.is_empty() {
                    self.schedule(timing::STEP, Event::DrainStep(id.to_string()));
                    return;
                }
                let daemon_tasks: Vec<String> = inst
                    .slots
                    .iter()
                    .filter(|s| matches!(s.state, SlotState::Pending | SlotState::Running))
                    .filter_map(|s| s.task.clone())
                    .collect();
                self.instances.get_mut(id).expect("checked").drain = Some(DrainPhase::StoppingDaemons);
                for t in &daemon_tasks {
                    self.begin_stop(
                        t,
                        "Container instance is draining",
                        "ServiceSchedulerInitiated",
                        timing::DAEMON_STOP,
                    );
                }
                let delay = if daemon_tasks.is_empty() { 0 } else { timing::DAEMON_STOP };
                self.schedule(delay, Event::DrainStep(id.to_string()));
            }
            DrainPhase::StoppingDaemons => {
                let live = inst.slots.iter().any(|s| {
                    s.task.as_ref().and_then(|t| self.tasks.get(t)).map(|t| t.is_live()).unwrap_or(false)
                });
                if live {
                    self.schedule(timing::STEP, Event::DrainStep(id.to_string()));
                    return;
                }
                self.instances.get_mut(id).expect("checked").drain = Some(DrainPhase::Deregistering);
                self.schedule(timing::DEREGISTER, Event::DrainStep(id.to_string()));
            }
            DrainPhase::Deregistering => self.deregister(id),
        }
    }

    /// A critical daemon kept this instance from ever becoming ACTIVE: it is
    /// terminated, and an instance it was meant to replace drains without it.
    pub(crate) fn on_registration_deadline(&mut self, id: &str) {
        let Some(inst) = self.instances.get(id) else {
            return;
        };
        if inst.status != InstanceStatus::Registering {
            return;
        }
        let replaces = inst.replaces.clone();
        self.deregister(id);
        if let Some(old) = replaces {
            if let Some(o) = self.instances.get_mut(&old) {
                o.replaced_by = None;
            }
            self.schedule(0, Event::DrainStep(old));
        }
    }

    fn deregister(&mut self, id: &str) {
        let Some(inst) = self.instances.remove(id) else {
            return;
        };
        counts::apply(&mut self.counts, &inst, -1);
        // Tasks still live on a vanished instance would break accounting.
        for t in inst.tasks.iter() {
            self.finish_stop(t, "Container instance deregistered", "ServiceSchedulerInitiated");
        }
        if let Some(p) = self.providers.get_mut(&inst.provider) {
            p.instances.remove(id);
        }
        if let Some(c) = self.clusters.get_mut(&inst.cluster) {
            c.instances.remove(id);
        }
        if let Some(r) = &inst.replaced_by {
            if let Some(n) = self.instances.get_mut(r) {
                n.replaces = None;
            }
        }
    }

    /// Stops a daemon task as if it crashed. A critical daemon's instance is
    /// drained and replaced (auto-repair); a non-critical one just loses it.
    pub fn crash_daemon_task(&mut self, task_id: &str, reason: &str) -> bool {
        let Some(task) = self.tasks.get(task_id) else {
            return false;
        };
        if !task.is_live() {
            return false;
        }
        let inst_id = task.instance.clone();
        let kind = task.kind.clone();
        self.finish_stop(task_id, reason, "EssentialContainerExited");
        if let TaskKind::Daemon { daemon, .. } = kind {
            let now = self.now;
            let critical = self.slot_is_critical(&inst_id, &daemon);
            self.edit_instance(&inst_id, |i| {
                if let Some(slot) = i.slot_mut(&daemon) {
                    slot.state = SlotState::Stopped;
                    slot.reason = Some(reason.to_string());
                    slot.changed_at = now;
                }
            });
            let status = self.instances.get(&inst_id).map(|i| i.status);
            if critical && status == Some(InstanceStatus::Active) {
                self.start_drain(&inst_id, "Auto-repair: a critical daemon task stopped", true);
            }
        }
        true
    }

    /// Sets a provider's instance count: launches new instances or drains the
    /// newest ones without replacement.
    pub fn scale_provider(&mut self, provider: &str, desired: u32) -> bool {
        let Some(p) = self.providers.get_mut(provider) else {
            return false;
        };
        p.desired = desired;
        let mut live: Vec<(u64, String)> = p
            .instances
            .iter()
            .filter_map(|i| self.instances.get(i))
            .filter(|i| i.status != InstanceStatus::Draining && i.replaces.is_none())
            .map(|i| (i.seq, i.id.clone()))
            .collect();
        live.sort();
        let have = live.len() as u32;
        if desired > have {
            for _ in have..desired {
                self.launch_instance(provider, None);
            }
        } else {
            for (_, id) in live.iter().rev().take((have - desired) as usize) {
                self.start_drain(id, "Scaled in", false);
            }
        }
        true
    }
}
