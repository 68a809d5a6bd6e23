//! Conversions from the portal's validated domain types to `aws-sdk-ecs` input types.
use super::error::GatewayError;
use crate::domain::task_definition::ContainerSpec;
use aws_sdk_ecs::types::{DaemonContainerDefinition, KeyValuePair, LogConfiguration, LogDriver};

/// The RegisterDaemonTaskDefinition call for `spec`, ready to send (the create form's
/// registration and a change request's both send this).
pub fn register(
    client: &aws_sdk_ecs::Client,
    spec: &crate::domain::task_definition::TaskDefinitionSpec,
) -> Result<aws_sdk_ecs::operation::register_daemon_task_definition::builders::RegisterDaemonTaskDefinitionFluentBuilder, GatewayError>
{
    Ok(client
        .register_daemon_task_definition()
        .family(spec.family.as_str())
        .set_task_role_arn(spec.task_role_arn.clone())
        .set_execution_role_arn(spec.execution_role_arn.clone())
        .set_cpu(spec.cpu.map(|c| c.to_string()))
        .set_memory(spec.memory.map(|m| m.to_string()))
        .set_container_definitions(Some(
            spec.containers.iter().map(container).collect::<Result<Vec<_>, _>>()?,
        )))
}

pub fn container(c: &ContainerSpec) -> Result<DaemonContainerDefinition, GatewayError> {
    let mut b = DaemonContainerDefinition::builder()
        .name(&c.name)
        .image(&c.image)
        .essential(c.essential)
        .cpu(c.cpu as i32)
        .memory(c.memory as i32);
    for (k, v) in &c.environment {
        b = b.environment(KeyValuePair::builder().name(k).value(v).build());
    }
    if let Some(l) = &c.logs {
        b = b.log_configuration(
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .options("awslogs-group", &l.group)
                .options("awslogs-region", &l.region)
                .options("awslogs-stream-prefix", &l.stream_prefix)
                .options("awslogs-create-group", if l.create_group { "true" } else { "false" })
                .build()
                .map_err(|e| GatewayError::Unexpected(e.to_string()))?,
        );
    }
    b.build().map_err(|e| GatewayError::Unexpected(e.to_string()))
}
