//! What a deployment would touch: each capacity provider's ACTIVE instances and the
//! application tasks on them.

use std::collections::HashMap;

use super::{capacity_guard::is_daemon_group, error::GatewayError, EcsGateway};

impl EcsGateway {
    /// Capacity provider → (ACTIVE instances, live application tasks on them: what draining
    /// them moves). From the cached inventory, like the resource guard's numbers.
    pub async fn blast_counts(&self, cluster: &str) -> Result<HashMap<String, (u32, u32)>, GatewayError> {
        let instances = self.container_instances(cluster).await?;
        let provider_of: HashMap<String, String> = instances
            .iter()
            .filter(|ci| ci.status.as_deref() == Some("ACTIVE"))
            .filter_map(|ci| Some((ci.container_instance_arn.clone()?, ci.capacity_provider_name.clone()?)))
            .collect();
        let mut counts: HashMap<String, (u32, u32)> = HashMap::new();
        for p in provider_of.values() {
            counts.entry(p.clone()).or_default().0 += 1;
        }
        for t in self.tasks(cluster, None).await? {
            if is_daemon_group(t.group.as_deref()) || t.last_status.as_deref() == Some("STOPPED") {
                continue;
            }
            if let Some(p) = t.container_instance_arn.as_ref().and_then(|a| provider_of.get(a)) {
                counts.entry(p.clone()).or_default().1 += 1;
            }
        }
        Ok(counts)
    }
}
