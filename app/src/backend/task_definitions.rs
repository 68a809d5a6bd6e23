use std::collections::HashMap;

use crate::api::task_definitions::{DaemonUse, RevisionSummary, TaskDefinitionRecord};
use crate::api::PortalError;
use crate::domain::task_definition::TaskDefinitionSpec;

#[async_trait::async_trait]
pub trait TaskDefinitionsBackend {
    /// The roles the create form offers for the task and execution roles.
    fn configured_roles(&self) -> Vec<String>;
    /// The region used for auto-configured CloudWatch Logs.
    fn region(&self) -> String;
    /// The partition and account role names expand in (from a cluster ARN); `None` when unknown.
    async fn role_scope(&self) -> Option<crate::domain::role_arn::RoleScope>;
    /// Registers `spec`, role names expanded to ARNs in [`Self::role_scope`] (422 when unknown).
    /// Expands role names, refuses roles not on `user`'s allowlist (on their fields), registers.
    async fn register_task_definition(
        &self,
        user: &crate::auth::CurrentUser,
        spec: TaskDefinitionSpec,
    ) -> Result<String, PortalError>;

    /// One page of families: the latest ACTIVE revision of each (ListDaemonTaskDefinitions with
    /// `revision=LAST_REGISTERED`), and the API's token for the next page.
    async fn list_task_definition_families(
        &self,
        family_prefix: Option<String>,
        next_token: Option<String>,
        page_size: i32,
    ) -> Result<(Vec<RevisionSummary>, Option<String>), PortalError>;

    /// Revisions sorted by family then revision. `family`: only that family; otherwise those
    /// starting with `family_prefix`, stopping after family `until_family`.
    /// `all_statuses`: also DELETE_IN_PROGRESS (and DELETED, where ECS lists them).
    async fn list_task_definition_revisions(
        &self,
        family: Option<String>,
        family_prefix: Option<String>,
        until_family: Option<String>,
        all_statuses: bool,
    ) -> Result<Vec<RevisionSummary>, PortalError>;

    async fn describe_task_definition(
        &self,
        family: &str,
        revision: u32,
    ) -> Result<TaskDefinitionRecord, PortalError>;

    /// Every daemon's revisions (target and still running), keyed by daemon task definition ARN.
    async fn task_definition_usage(&self) -> Result<HashMap<String, Vec<DaemonUse>>, PortalError>;
}
