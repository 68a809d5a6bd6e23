//! Per-revision, per-provider instance counts of a daemon, computed from the
//! slots on live instances so they are consistent at every moment: an instance
//! is counted once, as running, without daemon (ACTIVE but its daemon task is
//! not RUNNING) or draining. Provisioning instances are not counted yet.

use super::*;

#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProviderCounts {
    pub running: u32,
    pub without: u32,
    pub draining: u32,
    /// Provisioning instances: not reported, but they keep a revision listed.
    pub registering: u32,
}

impl ProviderCounts {
    pub fn total(&self) -> u32 {
        self.running + self.without + self.draining
    }

    fn is_empty(&self) -> bool {
        self.total() + self.registering == 0
    }

    fn add(&mut self, status: InstanceStatus, state: SlotState, sign: i32) {
        let field = match status {
            InstanceStatus::Registering => &mut self.registering,
            InstanceStatus::Draining => &mut self.draining,
            InstanceStatus::Active if state == SlotState::Running => &mut self.running,
            InstanceStatus::Active => &mut self.without,
        };
        *field = field.saturating_add_signed(sign);
    }
}

/// daemon ARN → revision → provider → counts, kept up to date on every
/// change so DescribeDaemon doesn't scan the fleet.
pub type CountIndex = FastMap<String, RevisionCounts>;

/// Adds (`sign` 1) or removes (-1) an instance's contribution to the index.
pub(crate) fn apply(index: &mut CountIndex, inst: &Instance, sign: i32) {
    for s in &inst.slots {
        // Look up before inserting so the steady state clones no strings.
        if !index.contains_key(&s.daemon) {
            index.insert(s.daemon.clone(), BTreeMap::new());
        }
        let per_daemon = index.get_mut(&s.daemon).expect("inserted");
        if !per_daemon.contains_key(&s.revision) {
            per_daemon.insert(s.revision.clone(), BTreeMap::new());
        }
        let per_rev = per_daemon.get_mut(&s.revision).expect("inserted");
        if !per_rev.contains_key(&inst.provider) {
            per_rev.insert(inst.provider.clone(), ProviderCounts::default());
        }
        let c = per_rev.get_mut(&inst.provider).expect("inserted");
        c.add(inst.status, s.state, sign);
        if c.is_empty() {
            per_rev.remove(&inst.provider);
            if per_rev.is_empty() {
                per_daemon.remove(&s.revision);
            }
        }
    }
}

/// revision id → provider name → counts
pub type RevisionCounts = BTreeMap<String, BTreeMap<String, ProviderCounts>>;

impl State {
    /// The providers whose instances can carry this daemon: its own plus any a
    /// running deployment is removing it from.
    pub fn daemon_scope(&self, daemon: &Daemon) -> Vec<String> {
        let mut out = daemon.providers.clone();
        if let Some(dep) = daemon.active_deployment.as_ref().and_then(|d| self.deployments.get(d)) {
            for p in &dep.providers {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        out
    }

    /// Counts of `daemon` restricted to `providers`, from the index.
    pub fn daemon_counts(&self, daemon: &str, providers: &[String]) -> RevisionCounts {
        let Some(per_daemon) = self.counts.get(daemon) else {
            return BTreeMap::new();
        };
        per_daemon
            .iter()
            .filter_map(|(rev, per)| {
                let f: BTreeMap<String, ProviderCounts> =
                    per.iter().filter(|(p, _)| providers.contains(p)).map(|(p, c)| (p.clone(), *c)).collect();
                (!f.is_empty()).then(|| (rev.clone(), f))
            })
            .collect()
    }

    /// Rebuilds the count index from the instances (after loading a state file).
    pub fn rebuild_counts(&mut self) {
        for inst in self.instances.values_mut() {
            // Older files may have kept slots in another order.
            inst.slots.sort_by(|a, b| slot_order(&a.daemon, &b.daemon));
        }
        let mut index = CountIndex::default();
        for inst in self.instances.values() {
            apply(&mut index, inst, 1);
        }
        self.counts = index;
    }

    /// Runs `f` on an instance, keeping the count index in step.
    pub(crate) fn edit_instance<R>(&mut self, id: &str, f: impl FnOnce(&mut Instance) -> R) -> Option<R> {
        let inst = self.instances.get_mut(id)?;
        apply(&mut self.counts, inst, -1);
        let r = f(inst);
        apply(&mut self.counts, inst, 1);
        Some(r)
    }

    /// The same counts by scanning every instance: the reference the index is
    /// checked against.
    pub fn recount_daemon(&self, daemon: &str, providers: &[String]) -> RevisionCounts {
        let mut index = CountIndex::default();
        for p in providers {
            for id in self.providers.get(p).into_iter().flat_map(|p| p.instances.iter()) {
                if let Some(inst) = self.instances.get(id) {
                    let mut only = inst.clone();
                    only.slots.retain(|s| s.daemon == daemon);
                    apply(&mut index, &only, 1);
                }
            }
        }
        index.remove(daemon).unwrap_or_default()
    }

    /// Checks the invariants the emulator promises; returns a description of
    /// the first violation. Used by tests and the property test.
    pub fn check_invariants(&self) -> Result<(), String> {
        for inst in self.instances.values() {
            if !inst.slots.windows(2).all(|w| slot_order(&w[0].daemon, &w[1].daemon).is_lt()) {
                return Err(format!("instance {} has unsorted slots", inst.id));
            }
            let mut seen = std::collections::HashSet::new();
            for s in &inst.slots {
                if !seen.insert(&s.daemon) {
                    return Err(format!("instance {} has two slots for {}", inst.id, s.daemon));
                }
                if let Some(t) = &s.task {
                    if let Some(task) = self.tasks.get(t) {
                        if task.instance != inst.id {
                            return Err(format!("task {t} is on another instance"));
                        }
                        let live = task.is_live();
                        if matches!(s.state, SlotState::Running) && task.last_status != "RUNNING" {
                            return Err(format!("slot running but task {t} is {}", task.last_status));
                        }
                        if !live && matches!(s.state, SlotState::Running | SlotState::Pending) {
                            return Err(format!("slot live but task {t} stopped"));
                        }
                    }
                }
            }
            // At most one live daemon task per daemon on an instance.
            let mut live_per_daemon: HashMap<&str, u32> = HashMap::new();
            for t in &inst.tasks {
                if let Some(task) = self.tasks.get(t) {
                    if let TaskKind::Daemon { daemon, .. } = &task.kind {
                        if task.is_live() {
                            *live_per_daemon.entry(daemon.as_str()).or_default() += 1;
                        }
                    }
                }
            }
            if let Some((d, n)) = live_per_daemon.iter().find(|(_, n)| **n > 1) {
                return Err(format!("instance {} runs {n} tasks of daemon {d}", inst.id));
            }
            let (cpu, mem) = self.used_resources(inst);
            if cpu > inst.cpu || mem > inst.memory {
                return Err(format!("instance {} over-committed", inst.id));
            }
            if !self.providers.get(&inst.provider).map(|p| p.instances.contains(&inst.id)).unwrap_or(false) {
                return Err(format!("instance {} missing from its provider", inst.id));
            }
        }
        for d in self.daemons.values() {
            let scope = self.daemon_scope(d);
            let counts = self.daemon_counts(&d.arn, &scope);
            let recounted = self.recount_daemon(&d.arn, &scope);
            if counts != recounted {
                return Err(format!("daemon {} count index {counts:?} != recount {recounted:?}", d.name));
            }
            let counted: u32 = counts.values().flat_map(|m| m.values()).map(|c| c.total()).sum();
            let expected = scope
                .iter()
                .filter_map(|p| self.providers.get(p))
                .flat_map(|p| p.instances.iter())
                .filter_map(|i| self.instances.get(i))
                .filter(|i| i.status != InstanceStatus::Registering && i.slot(&d.arn).is_some())
                .count() as u32;
            if counted != expected {
                return Err(format!("daemon {} counts {counted} != {expected}", d.name));
            }
            if d.status == DaemonStatus::Active {
                // Once no deployment is moving it, every ACTIVE instance of
                // its providers carries the daemon.
                for p in &d.providers {
                    for i in self.providers.get(p).into_iter().flat_map(|p| p.instances.iter()) {
                        let inst = &self.instances[i];
                        if inst.status == InstanceStatus::Active
                            && inst.slot(&d.arn).is_none()
                            && d.active_deployment.is_none()
                        {
                            return Err(format!("active instance {} lacks daemon {}", inst.id, d.name));
                        }
                    }
                }
            }
        }
        for t in self.tasks.values() {
            if t.is_live() && !self.instances.contains_key(&t.instance) {
                return Err(format!("live task {} on a missing instance", t.id));
            }
        }
        Ok(())
    }
}
