//! "Copy to environment": a revision registered in another environment, with its account and
//! region rewritten (`domain::copy`), as a change request under the target environment's
//! policies. The preview and the submission compute the copy the same way on the server; the
//! browser never sends the definition itself.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::copy::Substitution;

/// What the copy page shows before anything is submitted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CopyPreview {
    pub family: String,
    pub revision: u32,
    /// The source environment's name.
    pub from: String,
    /// The target environment's name ("" when there is no other environment).
    pub to: String,
    /// Environments a copy may go to (every one but the source).
    pub targets: Vec<String>,
    /// Pretty JSON of the source revision and of what the target would register.
    pub source_json: String,
    pub target_json: String,
    pub substitutions: Vec<Substitution>,
    /// Account ids were left as they are: one side's account is not configured.
    pub account_unknown: bool,
}

/// The copy of `family:revision` from environment `from` (""= default) to `to` (""= the first
/// other one).
#[cfg(feature = "ssr")]
async fn prepare(
    s: &crate::services::Services,
    family: &str,
    revision: u32,
    from: &str,
    to: &str,
) -> Result<(CopyPreview, Option<crate::domain::task_definition::TaskDefinitionSpec>), PortalError> {
    use crate::domain::copy::{substitute, Place};
    let spec = crate::domain::deletion::RevisionDraft { family: family.to_string(), revision }.validate()?;
    let (from_env, gw) = s.gateways.get(Some(from)).await?;
    let record = gw.describe_task_definition(spec.family.as_str(), spec.revision).await?;
    let rows = s.environments.list().await?;
    let targets: Vec<String> =
        rows.iter().map(|r| r.env.name.clone()).filter(|n| *n != from_env.name).collect();
    let to_name = if to.trim().is_empty() {
        targets.first().cloned().unwrap_or_default()
    } else {
        to.trim().to_string()
    };
    let mut preview = CopyPreview {
        family: record.family.clone(),
        revision: record.revision,
        from: from_env.name.clone(),
        to: to_name.clone(),
        targets,
        source_json: record.spec.to_json_pretty(),
        ..Default::default()
    };
    if to_name.is_empty() {
        return Ok((preview, None));
    }
    if to_name == from_env.name {
        return Err(PortalError::invalid(
            "to",
            "Choose another environment than the one the revision is in.",
        ));
    }
    let Some(target) = rows.iter().find(|r| r.env.name == to_name).map(|r| r.env.clone()) else {
        return Err(PortalError::invalid("to", crate::domain::environment::no_such_environment(&to_name)));
    };
    let place = |e: &crate::domain::environment::Environment| Place {
        account_id: e.account_id.clone(),
        region: e.region.clone(),
    };
    let (json, substitutions) = substitute(&record.spec.to_json(), &place(&from_env), &place(&target));
    let copied = crate::domain::task_definition::TaskDefinitionSpec::from_value(&json)
        .map_err(|e| PortalError::invalid("to", format!("The copy is not a valid definition: {e}")))?;
    preview.account_unknown = from_env.account_id.is_none() || target.account_id.is_none();
    preview.target_json = copied.to_json_pretty();
    preview.substitutions = substitutions;
    Ok((preview, Some(copied)))
}

#[server(prefix = "/api", endpoint = "preview-copy")]
pub async fn preview_copy(
    family: String,
    revision: u32,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<CopyPreview, PortalError> {
    crate::auth::require_user()?;
    let s = crate::services::services()?;
    Ok(prepare(&s, &family, revision, &from, &to).await?.0)
}

/// Requests the registration of the copy in `to`, under `to`'s policies. Where they need no
/// approval it runs at once and the browser goes to the new revision; otherwise to the request.
#[server(prefix = "/api", endpoint = "copy-to-environment")]
pub async fn copy_to_environment(
    family: String,
    revision: u32,
    #[server(default)] from: String,
    to: String,
) -> Result<super::changes::ChangeRequestRow, PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let s = crate::services::services()?;
    if to.trim().is_empty() {
        return Err(PortalError::invalid("to", "Choose the environment to copy to."));
    }
    let (preview, copied) = prepare(&s, &family, revision, &from, &to).await?;
    let definition =
        copied.ok_or_else(|| PortalError::invalid("to", "Choose the environment to copy to."))?;
    let source = format!("{}:{} in {}", preview.family, preview.revision, preview.from);
    let row = s
        .changes_in(&preview.to)
        .await?
        .submit_change(
            &user,
            &crate::auth::client_ip(),
            super::changes::ChangeInput::RegisterRevision { definition, source },
        )
        .await?;
    let outcome = match row.state {
        crate::domain::change::ChangeState::Succeeded => s.changes.get_change(&user, &row.id).await?.outcome,
        _ => String::new(),
    };
    let next = match crate::domain::copy::registered_revision(&outcome) {
        Some(rev) => s.path_in(&preview.to, &format!("/task-definitions/{}/{rev}", preview.family)),
        None => format!("/approvals/{}", row.id),
    };
    leptos_axum::redirect(&next);
    Ok(row)
}
