//! Daemon task definitions: view models and server functions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::task_definition::TaskDefinitionForm;

/// What the create form needs from the server before the user types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionFormOptions {
    /// Role ARNs configured for this portal, offered in the role selects.
    pub roles: Vec<String>,
    /// Region used for auto-configured CloudWatch Logs.
    pub region: String,
}

#[server(prefix = "/api", endpoint = "task-definition-form-options")]
pub async fn load_task_definition_form_options() -> Result<TaskDefinitionFormOptions, PortalError> {
    let backend = crate::backend::backend()?;
    Ok(TaskDefinitionFormOptions { roles: backend.configured_roles(), region: backend.region() })
}

/// Registers a new daemon task definition (a new family, or a new revision of one).
/// On success, plain form posts are redirected to the revision's page; the ARN is returned.
#[server(prefix = "/api", endpoint = "create-task-definition")]
pub async fn create_task_definition(form: TaskDefinitionForm) -> Result<String, PortalError> {
    let backend = crate::backend::backend()?;
    let spec = form.parse().map_err(|e| PortalError::Invalid(e).respond())?;
    let arn = backend.register_task_definition(spec).await.map_err(PortalError::respond)?;
    if let Some((family, revision)) = family_and_revision(&arn) {
        leptos_axum::redirect(&format!("/task-definitions/{family}/{revision}"));
    }
    Ok(arn)
}

/// `…:daemon-task-definition/FAMILY:REV` → (FAMILY, REV).
pub fn family_and_revision(arn: &str) -> Option<(String, u32)> {
    let tail = arn.rsplit('/').next()?;
    let (family, rev) = tail.rsplit_once(':')?;
    Some((family.to_string(), rev.parse().ok()?))
}
