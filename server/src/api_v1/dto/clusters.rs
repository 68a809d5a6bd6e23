//! Clusters, capacity providers and instances (read only).

use app::api::clusters::{CapacityProviderInfo, ClusterSummary, InstanceRow, TaskRow};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub instances: i32,
    pub running_tasks: i32,
    pub capacity_providers: Vec<String>,
}

impl From<ClusterSummary> for Cluster {
    fn from(c: ClusterSummary) -> Self {
        Self {
            name: c.name,
            arn: c.arn,
            status: c.status,
            instances: c.instances,
            running_tasks: c.running_tasks,
            capacity_providers: c.capacity_providers,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterPage {
    pub items: Vec<Cluster>,
    pub next: Option<String>,
}

/// A Managed Instances capacity provider.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityProvider {
    pub name: String,
    pub arn: String,
    pub status: String,
    /// CPU units every instance is guaranteed to have.
    pub instance_cpu: u32,
    /// MiB every instance is guaranteed to have.
    pub instance_memory: u32,
    /// ACTIVE instances.
    pub instances: u32,
}

impl From<CapacityProviderInfo> for CapacityProvider {
    fn from(p: CapacityProviderInfo) -> Self {
        Self {
            name: p.name,
            arn: p.arn,
            status: p.status,
            instance_cpu: p.instance_cpu,
            instance_memory: p.instance_memory,
            instances: p.instances,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityProviderPage {
    pub items: Vec<CapacityProvider>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub arn: String,
    /// The daemon's name for daemon tasks, the service's for application tasks.
    pub group: String,
    pub status: String,
    /// `family:revision`.
    pub definition: String,
}

impl From<TaskRow> for Task {
    fn from(t: TaskRow) -> Self {
        Self { arn: t.arn, group: t.group, status: t.status, definition: t.definition }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub id: String,
    pub arn: String,
    pub capacity_provider: String,
    pub status: String,
    pub health: String,
    pub daemon_tasks: Vec<Task>,
    pub app_tasks: Vec<Task>,
}

impl From<InstanceRow> for Instance {
    fn from(i: InstanceRow) -> Self {
        Self {
            id: i.id,
            arn: i.arn,
            capacity_provider: i.capacity_provider,
            status: i.status,
            health: i.health,
            daemon_tasks: i.daemon_tasks.into_iter().map(Task::from).collect(),
            app_tasks: i.app_tasks.into_iter().map(Task::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstancePage {
    pub items: Vec<Instance>,
    pub next: Option<String>,
}
