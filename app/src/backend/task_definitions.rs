use crate::api::PortalError;
use crate::domain::task_definition::TaskDefinitionSpec;

#[async_trait::async_trait]
pub trait TaskDefinitionsBackend {
    /// The roles the create form offers for the task and execution roles.
    fn configured_roles(&self) -> Vec<String>;
    /// The region used for auto-configured CloudWatch Logs.
    fn region(&self) -> String;
    async fn register_task_definition(&self, spec: TaskDefinitionSpec) -> Result<String, PortalError>;
}
