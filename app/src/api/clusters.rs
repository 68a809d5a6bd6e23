//! Clusters, capacity providers and instances: view models and server functions.

#[cfg(feature = "ssr")]
use crate::domain::ForField;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub name: String,
    pub arn: String,
    pub status: String,
    pub instances: i32,
    pub running_tasks: i32,
    pub capacity_providers: Vec<String>,
}

/// A Managed Instances capacity provider and the size of its instances.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapacityProviderInfo {
    pub name: String,
    pub arn: String,
    pub status: String,
    /// CPU units (1 vCPU = 1024) every instance is guaranteed to have.
    pub instance_cpu: u32,
    /// MiB every instance is guaranteed to have.
    pub instance_memory: u32,
    pub instances: u32,
}

/// One task running on an instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRow {
    pub arn: String,
    /// The daemon's name for daemon tasks, the service's for application tasks.
    pub group: String,
    pub is_daemon: bool,
    pub status: String,
    /// `family:revision` of the (daemon) task definition.
    pub definition: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceRow {
    pub id: String,
    pub arn: String,
    pub capacity_provider: String,
    pub status: String,
    pub health: String,
    pub daemon_tasks: Vec<TaskRow>,
    pub app_tasks: Vec<TaskRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterDetail {
    pub summary: ClusterSummary,
    pub providers: Vec<CapacityProviderInfo>,
    pub instances: Vec<InstanceRow>,
}

#[server(prefix = "/api", endpoint = "list-clusters")]
pub async fn list_clusters(
    #[server(default)] environment: String,
) -> Result<Vec<ClusterSummary>, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    Ok(s.gateway_in(&environment).await?.list_clusters().await?)
}

#[server(prefix = "/api", endpoint = "get-cluster")]
pub async fn get_cluster(
    name: String,
    #[server(default)] environment: String,
) -> Result<ClusterDetail, PortalError> {
    let _user = crate::auth::require_user()?;
    let name = crate::domain::names::ResourceName::parse("cluster", &name).for_field("name")?;
    let s = crate::services::services()?;
    Ok(s.gateway_in(&environment).await?.cluster_detail(name.as_str()).await?)
}
