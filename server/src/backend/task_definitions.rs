use app::{api::PortalError, backend::TaskDefinitionsBackend, domain::task_definition::TaskDefinitionSpec};

use crate::{ecs::to_sdk, ecs_error::ecs_error, state::AppState};

#[async_trait::async_trait]
impl TaskDefinitionsBackend for AppState {
    fn configured_roles(&self) -> Vec<String> {
        self.roles.clone()
    }

    fn region(&self) -> String {
        self.ecs.region.clone()
    }

    async fn register_task_definition(&self, spec: TaskDefinitionSpec) -> Result<String, PortalError> {
        let out = self
            .ecs
            .client
            .register_daemon_task_definition()
            .family(&spec.family)
            .set_task_role_arn(spec.task_role_arn.clone())
            .set_execution_role_arn(spec.execution_role_arn.clone())
            .set_cpu(spec.cpu.map(|c| c.to_string()))
            .set_memory(spec.memory.map(|m| m.to_string()))
            .set_container_definitions(Some(
                spec.containers.iter().map(to_sdk::container).collect::<Result<Vec<_>, _>>()?,
            ))
            .send()
            .await
            .map_err(ecs_error)?;
        out.daemon_task_definition_arn
            .ok_or_else(|| PortalError::Internal("ECS returned no daemon task definition ARN".into()))
    }
}
