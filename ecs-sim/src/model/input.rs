//! Request shapes. Unknown members are ignored (as AWS does); a member with
//! the wrong JSON type is a `SerializationException`.

use serde::Deserialize;

#[derive(Deserialize, Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tag {
    pub key: Option<String>,
    pub value: Option<String>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmConfiguration {
    pub alarm_names: Option<Vec<String>>,
    pub enable: Option<bool>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    pub drain_percent: Option<f64>,
    pub alarms: Option<AlarmConfiguration>,
    pub bake_time_in_minutes: Option<i64>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct RegisterDaemonTaskDefinition {
    pub family: Option<String>,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub container_definitions: Option<Vec<serde_json::Value>>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub volumes: Option<Vec<serde_json::Value>>,
    pub tags: Option<Vec<Tag>>,
    pub pid_mode: Option<String>,
    pub ipc_mode: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DaemonTaskDefinitionRef {
    pub daemon_task_definition: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListDaemonTaskDefinitions {
    pub family_prefix: Option<String>,
    pub family: Option<String>,
    pub revision: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDaemon {
    pub daemon_name: Option<String>,
    pub cluster_arn: Option<String>,
    pub daemon_task_definition_arn: Option<String>,
    pub capacity_provider_arns: Option<Vec<String>>,
    pub deployment_configuration: Option<DeploymentConfiguration>,
    pub tags: Option<Vec<Tag>>,
    pub propagate_tags: Option<String>,
    #[serde(rename = "enableECSManagedTags")]
    pub enable_ecs_managed_tags: Option<bool>,
    pub enable_execute_command: Option<bool>,
    pub client_token: Option<String>,
    pub critical: Option<bool>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDaemon {
    pub daemon_arn: Option<String>,
    pub daemon_task_definition_arn: Option<String>,
    pub capacity_provider_arns: Option<Vec<String>>,
    pub deployment_configuration: Option<DeploymentConfiguration>,
    pub propagate_tags: Option<String>,
    #[serde(rename = "enableECSManagedTags")]
    pub enable_ecs_managed_tags: Option<bool>,
    pub enable_execute_command: Option<bool>,
    pub critical: Option<bool>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DaemonRef {
    pub daemon_arn: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResource {
    pub resource_arn: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListDaemons {
    pub cluster_arn: Option<String>,
    pub capacity_provider_arns: Option<Vec<String>>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DescribeDaemonRevisions {
    pub daemon_revision_arns: Option<Vec<String>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DescribeDaemonDeployments {
    pub daemon_deployment_arns: Option<Vec<String>>,
}

#[derive(Deserialize, Debug, Default)]
pub struct CreatedAtFilter {
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListDaemonDeployments {
    pub daemon_arn: Option<String>,
    pub status: Option<Vec<String>>,
    pub created_at: Option<CreatedAtFilter>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListClusters {
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Deserialize, Debug, Default)]
pub struct DescribeClusters {
    pub clusters: Option<Vec<String>>,
    pub include: Option<Vec<String>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DescribeCapacityProviders {
    pub capacity_providers: Option<Vec<String>>,
    pub cluster: Option<String>,
    pub include: Option<Vec<String>>,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListContainerInstances {
    pub cluster: Option<String>,
    pub filter: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub status: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DescribeContainerInstances {
    pub cluster: Option<String>,
    pub container_instances: Option<Vec<String>>,
    pub include: Option<Vec<String>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListTasks {
    pub cluster: Option<String>,
    pub container_instance: Option<String>,
    pub family: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
    pub started_by: Option<String>,
    pub service_name: Option<String>,
    pub desired_status: Option<String>,
    pub launch_type: Option<String>,
    pub daemon_name: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
pub struct DescribeTasks {
    pub cluster: Option<String>,
    pub tasks: Option<Vec<String>>,
    pub include: Option<Vec<String>>,
}
