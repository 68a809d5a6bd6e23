//! Reads from ECS shared by the areas: clusters, providers, instances and tasks, batched so a
//! page costs a few calls whatever the number of rows (Describe* take up to 100 or 20 ARNs).
//! Part of the ECS gateway: answers are kept in `EcsGateway.cache` (see `cache.rs`).

use std::collections::HashMap;

use super::error::GatewayError;
use crate::api::clusters::{CapacityProviderInfo, ClusterSummary, InstanceRow, TaskRow};
use aws_sdk_ecs::types::{ContainerInstance, ContainerInstanceField, Task};

use super::ecs_paging::{all_pages, in_batches, MAX_PAGES, WIDE_BATCH};
use super::{
    cache::{cluster_name, SLOW_TTL},
    EcsGateway,
};

/// `arn:…:daemon-task-definition/FAMILY:REV` (or any ARN) → `FAMILY:REV`, the last path part.
pub fn short_name(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

fn not_found_cluster(cluster: &str) -> GatewayError {
    GatewayError::NotFound(format!("There is no cluster named {cluster}."))
}

impl EcsGateway {
    pub async fn cluster_summaries(
        &self,
        names: Option<Vec<String>>,
    ) -> Result<Vec<ClusterSummary>, GatewayError> {
        let key = names.as_ref().map(|n| n.join(","));
        if let Some(hit) = self.cache.clusters.get(&key) {
            return Ok(hit);
        }
        let names = match names {
            Some(n) => n,
            None => {
                all_pages(MAX_PAGES, |token| async move {
                    let out =
                        self.ecs.client.list_clusters().set_next_token(token).max_results(100).send().await?;
                    Ok((out.cluster_arns.unwrap_or_default(), out.next_token))
                })
                .await?
            }
        };
        let mut clusters = in_batches(&names, WIDE_BATCH, |chunk| async move {
            let out = self.ecs.client.describe_clusters().set_clusters(Some(chunk)).send().await?;
            Ok(out
                .clusters
                .unwrap_or_default()
                .into_iter()
                .map(|c| ClusterSummary {
                    name: c.cluster_name.unwrap_or_default(),
                    arn: c.cluster_arn.unwrap_or_default(),
                    status: c.status.unwrap_or_default(),
                    instances: c.registered_container_instances_count,
                    running_tasks: c.running_tasks_count,
                    capacity_providers: c.capacity_providers.unwrap_or_default(),
                })
                .collect())
        })
        .await?;
        clusters.sort_by(|a, b| a.name.cmp(&b.name));
        self.cache.clusters.insert(key, clusters.clone(), Some(SLOW_TTL));
        Ok(clusters)
    }

    pub async fn cluster_summary(&self, cluster: &str) -> Result<ClusterSummary, GatewayError> {
        self.cluster_summaries(Some(vec![cluster.to_string()]))
            .await?
            .into_iter()
            .find(|c| c.status != "INACTIVE")
            .ok_or_else(|| not_found_cluster(cluster))
    }

    /// The cluster's Managed Instances capacity providers, with instance sizes.
    pub async fn providers(
        &self,
        cluster: &ClusterSummary,
    ) -> Result<Vec<CapacityProviderInfo>, GatewayError> {
        if cluster.capacity_providers.is_empty() {
            return Ok(vec![]);
        }
        if let Some(hit) = self.cache.providers.get(&cluster.name) {
            return Ok(hit);
        }
        let out = self
            .ecs
            .client
            .describe_capacity_providers()
            .set_capacity_providers(Some(cluster.capacity_providers.clone()))
            .send()
            .await?;
        let mut providers: Vec<CapacityProviderInfo> = out
            .capacity_providers
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| {
                let mi = p.managed_instances_provider.as_ref()?;
                let req = mi.instance_launch_template.as_ref()?.instance_requirements.as_ref()?;
                // The minimum is what every instance is guaranteed to have.
                let vcpu = req.v_cpu_count.as_ref().map(|r| r.min).unwrap_or(0);
                let mem = req.memory_mib.as_ref().map(|r| r.min).unwrap_or(0);
                Some(CapacityProviderInfo {
                    name: p.name.clone().unwrap_or_default(),
                    arn: p.capacity_provider_arn.clone().unwrap_or_default(),
                    status: p.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default(),
                    instance_cpu: (vcpu.max(0) as u32) * 1024,
                    instance_memory: mem.max(0) as u32,
                    instances: 0,
                })
            })
            .collect();
        providers.sort_by(|a, b| a.name.cmp(&b.name));
        self.cache.providers.insert(cluster.name.clone(), providers.clone(), Some(SLOW_TTL));
        Ok(providers)
    }

    /// Every container instance of the cluster as ECS describes it (with its health), read
    /// fresh: the instances view and the resource guard both start here.
    pub(crate) async fn container_instances(
        &self,
        cluster: &str,
    ) -> Result<Vec<ContainerInstance>, GatewayError> {
        let client = &self.ecs.client;
        let arns = all_pages(MAX_PAGES, |token| async move {
            let out = client
                .list_container_instances()
                .cluster(cluster)
                .set_next_token(token)
                .max_results(100)
                .send()
                .await?;
            Ok((out.container_instance_arns.unwrap_or_default(), out.next_token))
        })
        .await?;
        Ok(in_batches(&arns, WIDE_BATCH, |chunk| async move {
            let out = client
                .describe_container_instances()
                .cluster(cluster)
                .set_container_instances(Some(chunk))
                .include(ContainerInstanceField::ContainerInstanceHealth)
                .send()
                .await?;
            Ok(out.container_instances.unwrap_or_default())
        })
        .await?)
    }

    /// Every container instance of the cluster with its tasks. `daemon`: only that daemon's tasks.
    pub async fn instances(
        &self,
        cluster: &str,
        daemon: Option<&str>,
    ) -> Result<Vec<InstanceRow>, GatewayError> {
        let cluster = cluster_name(cluster);
        let key = (cluster.to_string(), daemon.map(str::to_string));
        if let Some(hit) = self.cache.instances.get(&key) {
            return Ok(hit);
        }
        let epoch = self.cache.epoch();
        let mut rows: Vec<InstanceRow> =
            self.container_instances(cluster).await?.into_iter().map(instance_row).collect();
        let tasks = self.tasks(cluster, daemon).await?;
        let mut by_instance: HashMap<String, Vec<TaskRow>> = HashMap::new();
        for t in tasks {
            let instance = t.container_instance_arn.clone().unwrap_or_default();
            by_instance.entry(instance).or_default().push(task_row(t));
        }
        for row in &mut rows {
            for t in by_instance.remove(&row.arn).unwrap_or_default() {
                if t.is_daemon {
                    row.daemon_tasks.push(t);
                } else {
                    row.app_tasks.push(t);
                }
            }
        }
        rows.sort_by(|a, b| a.capacity_provider.cmp(&b.capacity_provider).then(a.id.cmp(&b.id)));
        self.cache.store(&self.cache.instances, epoch, key, rows.clone());
        Ok(rows)
    }

    /// Every task of the cluster (`daemon`: only that daemon's) as ECS describes it, read fresh.
    pub(crate) async fn tasks(&self, cluster: &str, daemon: Option<&str>) -> Result<Vec<Task>, GatewayError> {
        let client = &self.ecs.client;
        let daemon = daemon.map(str::to_string);
        let arns = all_pages(MAX_PAGES, |token| {
            let daemon = daemon.clone();
            async move {
                let out = client
                    .list_tasks()
                    .cluster(cluster)
                    .set_daemon_name(daemon)
                    .set_next_token(token)
                    .max_results(100)
                    .send()
                    .await?;
                Ok((out.task_arns.unwrap_or_default(), out.next_token))
            }
        })
        .await?;
        Ok(in_batches(&arns, WIDE_BATCH, |chunk| async move {
            let out = client.describe_tasks().cluster(cluster).set_tasks(Some(chunk)).send().await?;
            Ok(out.tasks.unwrap_or_default())
        })
        .await?)
    }
}

fn instance_row(ci: aws_sdk_ecs::types::ContainerInstance) -> InstanceRow {
    let arn = ci.container_instance_arn.unwrap_or_default();
    InstanceRow {
        id: short_name(&arn),
        arn,
        capacity_provider: ci.capacity_provider_name.unwrap_or_default(),
        status: ci.status.unwrap_or_default(),
        health: ci
            .health_status
            .and_then(|h| h.overall_status)
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "UNKNOWN".into()),
        daemon_tasks: vec![],
        app_tasks: vec![],
    }
}

fn task_row(t: Task) -> TaskRow {
    let group = t.group.unwrap_or_default();
    let (is_daemon, name) = match group.split_once(':') {
        Some(("daemon", n)) => (true, n.to_string()),
        Some((_, n)) => (false, n.to_string()),
        None => (false, group.clone()),
    };
    TaskRow {
        arn: t.task_arn.unwrap_or_default(),
        group: name,
        is_daemon,
        status: t.last_status.unwrap_or_default(),
        definition: short_name(&t.task_definition_arn.unwrap_or_default()),
    }
}
