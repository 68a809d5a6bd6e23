//! Daemon task definitions, daemons and their revisions: the mutations behind
//! Register/Create/Update/Delete, after the ops layer has validated input.

use super::*;
use crate::arn;

/// Settings of one daemon revision as given to Create/UpdateDaemon.
#[derive(Clone, Debug)]
pub struct RevisionSpec {
    pub task_definition_arn: String,
    pub propagate_tags: String,
    pub managed_tags: bool,
    pub exec: bool,
    pub critical: bool,
}

impl State {
    pub fn task_definition(&self, family: &str, revision: u32) -> Option<&TaskDefinition> {
        self.task_definitions.get(family)?.get(revision.checked_sub(1)? as usize)
    }

    pub fn task_definition_mut(&mut self, family: &str, revision: u32) -> Option<&mut TaskDefinition> {
        self.task_definitions.get_mut(family)?.get_mut(revision.checked_sub(1)? as usize)
    }

    /// Resolves `family`, `family:rev` or a full ARN. A bare family means its
    /// latest ACTIVE revision.
    pub fn resolve_task_definition(&self, reference: &str) -> Option<&TaskDefinition> {
        let spec = if reference.starts_with("arn:") {
            arn::last_segment(reference, "daemon-task-definition")?
        } else {
            reference
        };
        match spec.rsplit_once(':') {
            Some((family, rev)) => self.task_definition(family, rev.parse().ok()?),
            None => self.task_definitions.get(spec)?.iter().rev().find(|t| t.status == "ACTIVE"),
        }
    }

    pub fn register_task_definition(&mut self, mut td: TaskDefinition) -> String {
        let revs = self.task_definitions.entry(td.family.clone()).or_default();
        td.revision = revs.len() as u32 + 1;
        td.registered_at = self.now;
        td.status = "ACTIVE".into();
        let arn = td.arn(&self.scope);
        revs.push(td);
        arn
    }

    /// DELETE_IN_PROGRESS now; DELETED once no daemon revision in use refers to it.
    pub fn delete_task_definition(&mut self, family: &str, revision: u32) {
        let now = self.now;
        if let Some(td) = self.task_definition_mut(family, revision) {
            td.status = "DELETE_IN_PROGRESS".into();
            td.delete_requested_at = Some(now);
        }
        self.settle_deleted_task_definitions();
    }

    pub fn settle_deleted_task_definitions(&mut self) {
        // Runs after every deployment; the fleet scan below is only worth it
        // when a deletion is actually waiting.
        let waiting =
            self.task_definitions.values().any(|revs| revs.iter().any(|t| t.status == "DELETE_IN_PROGRESS"));
        if !waiting {
            return;
        }
        let mut in_use = std::collections::HashSet::new();
        for d in self.daemons.values() {
            if let Some(r) = self.revisions.get(&d.target_revision) {
                in_use.insert(r.task_definition_arn.clone());
            }
        }
        for inst in self.instances.values() {
            for s in &inst.slots {
                if let Some(r) = self.revisions.get(&s.revision) {
                    in_use.insert(r.task_definition_arn.clone());
                }
            }
        }
        for revs in self.task_definitions.values_mut() {
            for td in revs.iter_mut() {
                if td.status == "DELETE_IN_PROGRESS" && !in_use.contains(&td.arn(&self.scope)) {
                    td.status = "DELETED".into();
                }
            }
        }
    }

    fn new_revision(&mut self, daemon_arn: &str, cluster: &str, name: &str, spec: &RevisionSpec) -> String {
        let td = self.resolve_task_definition(&spec.task_definition_arn).cloned();
        let id = arn::new_uuid();
        let (images, cpu, memory) =
            td.map(|t| (t.images.clone(), t.cpu_units, t.memory_mib)).unwrap_or_default();
        let rev = Revision {
            id: id.clone(),
            arn: self.scope.daemon_revision(cluster, name, &id),
            daemon_arn: daemon_arn.to_string(),
            cluster: cluster.to_string(),
            task_definition_arn: spec.task_definition_arn.clone(),
            created_at: self.now,
            images,
            propagate_tags: spec.propagate_tags.clone(),
            managed_tags: spec.managed_tags,
            exec: spec.exec,
            critical: spec.critical,
            cpu,
            memory,
        };
        self.revisions.insert(id.clone(), rev);
        id
    }

    /// Creates a daemon and its first deployment. Returns (daemon ARN, deployment id).
    pub fn create_daemon(
        &mut self,
        cluster: &str,
        name: &str,
        spec: &RevisionSpec,
        providers: Vec<String>,
        config: DeployConfig,
        tags: Vec<(String, String)>,
    ) -> (String, String) {
        let daemon_arn = self.scope.daemon(cluster, name);
        let rev = self.new_revision(&daemon_arn, cluster, name, spec);
        let seq = self.next_seq();
        let now = self.now;
        for p in &providers {
            if let Some(p) = self.providers.get_mut(p) {
                p.daemons.insert(daemon_arn.clone());
            }
        }
        if let Some(c) = self.clusters.get_mut(cluster) {
            c.daemons.insert(seq, daemon_arn.clone());
        }
        self.daemons.insert(
            daemon_arn.clone(),
            Daemon {
                arn: daemon_arn.clone(),
                name: name.to_string(),
                cluster: cluster.to_string(),
                seq,
                status: DaemonStatus::Active,
                created_at: now,
                updated_at: now,
                target_revision: rev.clone(),
                providers: providers.clone(),
                deployment: String::new(),
                active_deployment: None,
                tags,
                config: config.clone(),
            },
        );
        let dep =
            self.start_deployment(&daemon_arn, DeploymentKind::Create, Some(rev), None, providers, config);
        (daemon_arn, dep)
    }

    /// A full replacement of the daemon's settings; starts a rolling deployment.
    pub fn update_daemon(
        &mut self,
        daemon_arn: &str,
        spec: &RevisionSpec,
        providers: Vec<String>,
        config: DeployConfig,
    ) -> Option<String> {
        let d = self.daemons.get(daemon_arn)?.clone();
        let rev = self.new_revision(daemon_arn, &d.cluster, &d.name, spec);
        let mut touched = d.providers.clone();
        for p in &providers {
            if !touched.contains(p) {
                touched.push(p.clone());
            }
        }
        for p in &d.providers {
            if !providers.contains(p) {
                if let Some(pp) = self.providers.get_mut(p) {
                    pp.daemons.remove(daemon_arn);
                }
            }
        }
        for p in &providers {
            if let Some(pp) = self.providers.get_mut(p) {
                pp.daemons.insert(daemon_arn.to_string());
            }
        }
        let previous = d.target_revision.clone();
        let now = self.now;
        let daemon = self.daemons.get_mut(daemon_arn).expect("checked");
        daemon.target_revision = rev.clone();
        daemon.providers = providers;
        daemon.updated_at = now;
        daemon.config = config.clone();
        Some(self.start_deployment(
            daemon_arn,
            DeploymentKind::Update,
            Some(rev),
            Some(previous),
            touched,
            config,
        ))
    }

    /// DELETE_IN_PROGRESS plus a drain deployment; the daemon disappears when it ends.
    pub fn delete_daemon(&mut self, daemon_arn: &str) -> Option<String> {
        let d = self.daemons.get(daemon_arn)?.clone();
        let now = self.now;
        let daemon = self.daemons.get_mut(daemon_arn).expect("checked");
        daemon.status = DaemonStatus::DeleteInProgress;
        daemon.updated_at = now;
        Some(self.start_deployment(
            daemon_arn,
            DeploymentKind::Delete,
            None,
            Some(d.target_revision.clone()),
            d.providers.clone(),
            d.config.clone(),
        ))
    }

    pub(crate) fn remove_daemon(&mut self, daemon_arn: &str) {
        let Some(d) = self.daemons.remove(daemon_arn) else {
            return;
        };
        for p in self.providers.values_mut() {
            p.daemons.remove(daemon_arn);
        }
        if let Some(c) = self.clusters.get_mut(&d.cluster) {
            c.daemons.remove(&d.seq);
        }
        let ids: Vec<String> = self.instances.keys().cloned().collect();
        for id in ids {
            self.edit_instance(&id, |inst| inst.remove_slot(daemon_arn));
        }
        self.counts.remove(daemon_arn);
        self.client_tokens.retain(|_, r| r.daemon_arn != daemon_arn);
        self.settle_deleted_task_definitions();
    }
}
