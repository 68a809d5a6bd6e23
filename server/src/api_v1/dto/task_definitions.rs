//! Daemon task definitions: the register body (what `aws ecs register-daemon-task-definition
//! --cli-input-json` takes) and what the task-definition routes answer.

use std::collections::BTreeMap;

use app::{
    api::task_definitions::{FamilyRow, RevisionSummary, TaskDefinitionRecord},
    domain::task_definition::TaskDefinitionSpec,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A daemon task definition as the AWS CLI writes it (`--cli-input-json`). On input, `cpu`
/// and `memory` may also be numbers; fields the portal does not model are refused.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskDefinitionJson {
    pub family: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    /// CPU units, as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// MiB, as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    pub container_definitions: Vec<ContainerJson>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerJson {
    pub name: String,
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub essential: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Vec<EnvJson>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_configuration: Option<LogJson>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvJson {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogJson {
    /// `awslogs`.
    pub log_driver: String,
    pub options: BTreeMap<String, String>,
}

impl TaskDefinitionJson {
    /// The CLI form of a definition the portal holds.
    pub fn from_spec(spec: &TaskDefinitionSpec) -> Self {
        // `to_json` is the one writer of the CLI form; this type only gives it a schema.
        serde_json::from_value(spec.to_json()).expect("TaskDefinitionSpec::to_json fits TaskDefinitionJson")
    }
}

/// A family of daemon task definitions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub family: String,
    pub latest_revision: u32,
    /// RFC 3339, ECS's clock.
    pub registered_at: Option<String>,
    pub active_revisions: u32,
    /// Whether a daemon runs or targets one of its revisions; null when unknown.
    pub deployed: Option<bool>,
}

impl From<FamilyRow> for Family {
    fn from(r: FamilyRow) -> Self {
        Self {
            family: r.family,
            latest_revision: r.latest_revision,
            registered_at: r.registered_at,
            active_revisions: r.active_revisions,
            deployed: r.deployed,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyPage {
    pub items: Vec<Family>,
    pub next: Option<String>,
}

/// A revision as lists show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub arn: String,
    pub family: String,
    pub revision: u32,
    /// `ACTIVE`, `INACTIVE` or `DELETE_IN_PROGRESS`.
    pub status: String,
    pub registered_at: Option<String>,
}

impl From<RevisionSummary> for Revision {
    fn from(r: RevisionSummary) -> Self {
        Self {
            arn: r.arn,
            family: r.family,
            revision: r.revision,
            status: r.status,
            registered_at: r.registered_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionPage {
    pub items: Vec<Revision>,
    pub next: Option<String>,
}

/// One revision in full.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDefinition {
    pub arn: String,
    pub family: String,
    pub revision: u32,
    pub status: String,
    pub registered_at: Option<String>,
    /// The definition, as `register` takes it.
    pub definition: TaskDefinitionJson,
}

impl From<TaskDefinitionRecord> for TaskDefinition {
    fn from(r: TaskDefinitionRecord) -> Self {
        Self {
            definition: TaskDefinitionJson::from_spec(&r.spec),
            arn: r.arn,
            family: r.family,
            revision: r.revision,
            status: r.status,
            registered_at: r.registered_at,
        }
    }
}
