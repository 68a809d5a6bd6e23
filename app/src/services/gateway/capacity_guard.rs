//! The resource guard: refuses a deployment whose daemons would not fit on an instance next to
//! the application tasks it runs. The rule is `crate::domain::capacity` (shared with the deploy
//! form, and mirrored by ecs-sim); this module only gathers its numbers from ECS:
//! DescribeContainerInstances for each ACTIVE instance's registered CPU and memory, and
//! ListTasks/DescribeTasks for what the application tasks on it reserve.

use std::collections::{BTreeMap, HashMap};

use crate::{
    api::clusters::CapacityProviderInfo,
    domain::{
        capacity::{check_provider, daemons_after, group_instances, InstanceGroup, Size},
        deployment::DeploySpec,
    },
    services::gateway::error::GatewayError,
};

use super::EcsGateway;

/// A task group marks daemon tasks `daemon:<name>`; everything else is an application task.
pub(super) fn is_daemon_group(group: Option<&str>) -> bool {
    group.is_some_and(|g| g.starts_with("daemon:"))
}

fn units(s: Option<&str>) -> u32 {
    s.and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(0)
}

impl EcsGateway {
    /// The guard. `providers` are the cluster's; only those `spec` chooses are checked.
    pub(crate) async fn check_fits(
        &self,
        spec: &DeploySpec,
        td_arn: &str,
        providers: &[CapacityProviderInfo],
    ) -> Result<(), GatewayError> {
        let (cpu, mem) = self.reservation(td_arn).await?;
        let existing = self.daemon_reservations(&spec.cluster).await?;
        let loads = self.instance_loads(&spec.cluster).await?;
        let mut misfits = Vec::new();
        for name in &spec.capacity_providers {
            let Some(p) = providers.iter().find(|p| &p.name == name) else { continue };
            let others = existing.get(name.as_str()).map(Vec::as_slice).unwrap_or_default();
            let total = daemons_after(Size::new(cpu, mem), &spec.daemon_name, others);
            let groups = loads.get(name.as_str()).map(Vec::as_slice).unwrap_or_default();
            if let Err(m) = check_provider(name, total, Size::new(p.instance_cpu, p.instance_memory), groups)
            {
                misfits.push(m);
            }
        }
        if misfits.is_empty() {
            Ok(())
        } else {
            Err(GatewayError::invalid("capacity_providers", misfits.join(" ")))
        }
    }

    /// Provider → (daemon name, CPU units, MiB) of each ACTIVE daemon on it. A daemon caught
    /// between revisions counts at the larger of each, as either may end up running.
    pub(crate) async fn daemon_reservations(
        &self,
        cluster: &str,
    ) -> Result<BTreeMap<String, Vec<(String, u32, u32)>>, GatewayError> {
        let mut out: BTreeMap<String, Vec<(String, u32, u32)>> = BTreeMap::new();
        for d in self.list_daemons(cluster).await?.iter().filter(|d| d.status == "ACTIVE") {
            let (mut cpu, mut mem) = (0, 0);
            for rev in &d.revisions {
                let (c, m) = self.reservation(rev).await?;
                cpu = cpu.max(c);
                mem = mem.max(m);
            }
            for p in &d.capacity_providers {
                out.entry(p.clone()).or_default().push((d.name.clone(), cpu, mem));
            }
        }
        Ok(out)
    }

    /// Provider name → its ACTIVE instances, grouped by registered size and by what their
    /// application tasks reserve. Instances registering or draining are in flux and left out.
    pub(crate) async fn instance_loads(
        &self,
        cluster: &str,
    ) -> Result<HashMap<String, Vec<InstanceGroup>>, GatewayError> {
        let described = self.container_instances(cluster).await?;
        let mut instances = Vec::new();
        for ci in described {
            if ci.status.as_deref() != Some("ACTIVE") {
                continue;
            }
            let registered = ci.registered_resources.as_deref().unwrap_or_default();
            let value = |name: &str| {
                registered
                    .iter()
                    .find(|r| r.name.as_deref() == Some(name))
                    .map(|r| r.integer_value.max(0) as u32)
                    .unwrap_or(0)
            };
            instances.push((
                ci.container_instance_arn.clone().unwrap_or_default(),
                ci.capacity_provider_name.clone().unwrap_or_default(),
                ci.ec2_instance_id.clone().unwrap_or_default(),
                Size::new(value("CPU"), value("MEMORY")),
            ));
        }
        let apps = self.app_task_reservations(cluster).await?;
        let mut rows: BTreeMap<String, Vec<(String, Size, Size)>> = BTreeMap::new();
        for (arn, provider, ec2, registered) in instances {
            let used = apps.get(&arn).copied().unwrap_or_default();
            rows.entry(provider).or_default().push((ec2, registered, used));
        }
        Ok(rows.into_iter().map(|(p, r)| (p, group_instances(r))).collect())
    }

    /// Container instance ARN → what its live application tasks reserve.
    async fn app_task_reservations(&self, cluster: &str) -> Result<HashMap<String, Size>, GatewayError> {
        // desiredStatus defaults to RUNNING: pending and running tasks, not stopping ones.
        let tasks = self.tasks(cluster, None).await?;
        let mut used: HashMap<String, Size> = HashMap::new();
        for t in tasks {
            if is_daemon_group(t.group.as_deref()) || t.last_status.as_deref() == Some("STOPPED") {
                continue;
            }
            let Some(instance) = t.container_instance_arn.clone() else { continue };
            let size = Size::new(units(t.cpu.as_deref()), units(t.memory.as_deref()));
            let e = used.entry(instance).or_default();
            *e = e.plus(size);
        }
        Ok(used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_tasks_are_told_apart_by_group() {
        assert!(is_daemon_group(Some("daemon:agent")));
        assert!(!is_daemon_group(Some("service:web")));
        assert!(!is_daemon_group(None));
        assert_eq!(units(Some("512")), 512);
        assert_eq!(units(Some("0.5")), 0);
        assert_eq!(units(None), 0);
    }
}
