//! Response shapes, serialized with the model's member names.

use super::Timestamp;
use serde::Serialize;

macro_rules! wire {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        #[derive(Serialize, Debug, Clone, Default, PartialEq)]
        #[serde(rename_all = "camelCase")]
        pub struct $name { $($body)* }
    };
}

wire!(
    pub struct Tag {
        pub key: String,
        pub value: String,
    }
);

wire!(
    pub struct Failure {
        pub arn: String,
        pub reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub detail: Option<String>,
    }
);

wire!(
    pub struct DaemonTaskDefinition {
        pub daemon_task_definition_arn: String,
        pub family: String,
        pub revision: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub task_role_arn: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub execution_role_arn: Option<String>,
        pub container_definitions: Vec<serde_json::Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub volumes: Option<Vec<serde_json::Value>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub cpu: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub memory: Option<String>,
        pub status: String,
        pub registered_at: Timestamp,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub delete_requested_at: Option<Timestamp>,
        pub registered_by: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub pid_mode: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub ipc_mode: Option<String>,
    }
);

wire!(
    pub struct DaemonTaskDefinitionSummary {
        pub arn: String,
        pub registered_at: Timestamp,
        pub registered_by: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub delete_requested_at: Option<Timestamp>,
        pub status: String,
    }
);

wire!(
    pub struct DaemonCapacityProvider {
        pub arn: String,
        pub running_count: u32,
        pub without_daemon_count: u32,
    }
);

wire!(
    pub struct DaemonRevisionDetail {
        pub arn: String,
        pub capacity_providers: Vec<DaemonCapacityProvider>,
        pub total_running_count: u32,
        pub total_without_daemon_count: u32,
    }
);

wire!(
    pub struct DaemonDetail {
        pub daemon_arn: String,
        pub cluster_arn: String,
        pub status: String,
        pub current_revisions: Vec<DaemonRevisionDetail>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub deployment_arn: Option<String>,
        pub created_at: Timestamp,
        pub updated_at: Timestamp,
    }
);

wire!(
    pub struct DaemonSummary {
        pub daemon_arn: String,
        pub status: String,
        pub created_at: Timestamp,
        pub updated_at: Timestamp,
    }
);

wire!(
    pub struct DaemonContainerImage {
        pub container_name: String,
        pub image_digest: String,
        pub image: String,
    }
);

wire!(
    pub struct DaemonRevision {
        pub daemon_revision_arn: String,
        pub cluster_arn: String,
        pub daemon_arn: String,
        pub daemon_task_definition_arn: String,
        pub created_at: Timestamp,
        pub container_images: Vec<DaemonContainerImage>,
        pub propagate_tags: String,
        #[serde(rename = "enableECSManagedTags")]
        pub enable_ecs_managed_tags: bool,
        pub enable_execute_command: bool,
        pub critical: bool,
    }
);

wire!(
    pub struct DaemonAlarmConfiguration {
        pub alarm_names: Vec<String>,
        pub enable: bool,
    }
);

wire!(
    pub struct DaemonDeploymentConfiguration {
        pub drain_percent: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub alarms: Option<DaemonAlarmConfiguration>,
        pub bake_time_in_minutes: u32,
    }
);

wire!(
    pub struct DaemonDeploymentCapacityProvider {
        pub arn: String,
        pub running_instance_count: u32,
        pub without_daemon_instance_count: u32,
        pub draining_instance_count: u32,
    }
);

wire!(
    pub struct DaemonDeploymentRevisionDetail {
        pub arn: String,
        pub capacity_providers: Vec<DaemonDeploymentCapacityProvider>,
        pub total_running_instance_count: u32,
        pub total_without_daemon_instance_count: u32,
        pub total_draining_instance_count: u32,
    }
);

wire!(
    pub struct DaemonCircuitBreaker {
        pub failure_count: u32,
        pub status: String,
        pub threshold: u32,
    }
);

wire!(
    pub struct DaemonDeploymentAlarms {
        pub status: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub alarm_names: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub triggered_alarm_names: Vec<String>,
    }
);

wire!(
    pub struct DaemonRollback {
        pub reason: String,
        pub started_at: Timestamp,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub rollback_target_daemon_revision_arn: Option<String>,
        pub rollback_capacity_providers: Vec<String>,
    }
);

wire!(
    pub struct DaemonDeployment {
        pub daemon_deployment_arn: String,
        pub cluster_arn: String,
        pub status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status_reason: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub target_daemon_revision: Option<DaemonDeploymentRevisionDetail>,
        pub source_daemon_revisions: Vec<DaemonDeploymentRevisionDetail>,
        pub circuit_breaker: DaemonCircuitBreaker,
        pub alarms: DaemonDeploymentAlarms,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub rollback: Option<DaemonRollback>,
        pub deployment_configuration: DaemonDeploymentConfiguration,
        pub created_at: Timestamp,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub started_at: Option<Timestamp>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub stopped_at: Option<Timestamp>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub finished_at: Option<Timestamp>,
    }
);

wire!(
    pub struct DaemonDeploymentSummary {
        pub daemon_deployment_arn: String,
        pub daemon_arn: String,
        pub cluster_arn: String,
        pub status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status_reason: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub target_daemon_revision_arn: Option<String>,
        pub created_at: Timestamp,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub started_at: Option<Timestamp>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub stopped_at: Option<Timestamp>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub finished_at: Option<Timestamp>,
    }
);

wire!(
    pub struct KeyValue {
        pub name: String,
        pub value: String,
    }
);

wire!(
    pub struct Cluster {
        pub cluster_arn: String,
        pub cluster_name: String,
        pub status: String,
        pub registered_container_instances_count: u32,
        pub running_tasks_count: u32,
        pub pending_tasks_count: u32,
        pub active_services_count: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub statistics: Option<Vec<KeyValue>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tags: Option<Vec<Tag>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub settings: Option<Vec<KeyValue>>,
        pub capacity_providers: Vec<String>,
        pub default_capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    }
);

wire!(
    pub struct CapacityProviderStrategyItem {
        pub capacity_provider: String,
        pub weight: u32,
        pub base: u32,
    }
);

wire!(
    pub struct Range {
        pub min: u32,
        pub max: u32,
    }
);

wire!(
    pub struct InstanceRequirements {
        pub v_cpu_count: Range,
        #[serde(rename = "memoryMiB")]
        pub memory_mib: Range,
    }
);

wire!(
    pub struct NetworkConfiguration {
        pub subnets: Vec<String>,
        pub security_groups: Vec<String>,
    }
);

wire!(
    pub struct StorageConfiguration {
        #[serde(rename = "storageSizeGiB")]
        pub storage_size_gib: u32,
    }
);

wire!(
    pub struct InstanceLaunchTemplate {
        pub ec2_instance_profile_arn: String,
        pub network_configuration: NetworkConfiguration,
        pub storage_configuration: StorageConfiguration,
        pub monitoring: String,
        pub instance_requirements: InstanceRequirements,
    }
);

wire!(
    pub struct ManagedInstancesProvider {
        pub infrastructure_role_arn: String,
        pub instance_launch_template: InstanceLaunchTemplate,
        pub propagate_tags: String,
    }
);

wire!(
    pub struct CapacityProvider {
        pub capacity_provider_arn: String,
        pub name: String,
        pub cluster: String,
        pub status: String,
        pub managed_instances_provider: ManagedInstancesProvider,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tags: Option<Vec<Tag>>,
        #[serde(rename = "type")]
        pub kind: String,
    }
);

wire!(
    pub struct Resource {
        pub name: String,
        #[serde(rename = "type")]
        pub kind: String,
        pub double_value: f64,
        pub long_value: i64,
        pub integer_value: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub string_set_value: Option<Vec<String>>,
    }
);

wire!(
    pub struct VersionInfo {
        pub agent_version: String,
        pub agent_hash: String,
        pub docker_version: String,
    }
);

wire!(
    pub struct Attribute {
        pub name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub value: Option<String>,
    }
);

wire!(
    pub struct InstanceHealthCheckResult {
        #[serde(rename = "type")]
        pub kind: String,
        pub status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status_reason: Option<String>,
        pub last_updated: Timestamp,
        pub last_status_change: Timestamp,
    }
);

wire!(
    pub struct ContainerInstanceHealthStatus {
        pub overall_status: String,
        pub details: Vec<InstanceHealthCheckResult>,
    }
);

wire!(
    pub struct ContainerInstance {
        pub container_instance_arn: String,
        pub ec2_instance_id: String,
        pub capacity_provider_name: String,
        pub version: i64,
        pub version_info: VersionInfo,
        pub remaining_resources: Vec<Resource>,
        pub registered_resources: Vec<Resource>,
        pub status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status_reason: Option<String>,
        pub agent_connected: bool,
        pub running_tasks_count: u32,
        pub pending_tasks_count: u32,
        pub attributes: Vec<Attribute>,
        pub registered_at: Timestamp,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tags: Option<Vec<Tag>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub health_status: Option<ContainerInstanceHealthStatus>,
    }
);

wire!(
    pub struct Container {
        pub container_arn: String,
        pub task_arn: String,
        pub name: String,
        pub image: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub image_digest: Option<String>,
        pub last_status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub exit_code: Option<i32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
        pub health_status: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub cpu: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub memory: Option<String>,
    }
);

wire!(
    pub struct Task {
        pub availability_zone: String,
        pub capacity_provider_name: String,
        pub cluster_arn: String,
        pub connectivity: String,
        pub connectivity_at: Timestamp,
        pub container_instance_arn: String,
        pub containers: Vec<Container>,
        pub cpu: String,
        pub created_at: Timestamp,
        pub desired_status: String,
        pub enable_execute_command: bool,
        pub group: String,
        pub health_status: String,
        pub last_status: String,
        pub launch_type: String,
        pub memory: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub pull_started_at: Option<Timestamp>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub pull_stopped_at: Option<Timestamp>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub started_at: Option<Timestamp>,
        pub started_by: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub stop_code: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub stopped_at: Option<Timestamp>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub stopped_reason: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub stopping_at: Option<Timestamp>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tags: Option<Vec<Tag>>,
        pub task_arn: String,
        pub task_definition_arn: String,
        pub version: i64,
    }
);
