//! Daemon task definitions: view models and server functions.

#[cfg(feature = "ssr")]
use crate::domain::ForField;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::task_definition::{TaskDefinitionForm, TaskDefinitionSpec};

/// What the create form needs from the server before the user types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionFormOptions {
    /// Role ARNs configured for this portal, offered in the role selects.
    pub roles: Vec<String>,
    /// Region used for auto-configured CloudWatch Logs.
    pub region: String,
    /// Where role names expand, for the editor's preview; `None` when unknown.
    #[serde(default)]
    pub role_scope: Option<crate::domain::role_arn::RoleScope>,
}

/// One revision as ListDaemonTaskDefinitions reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevisionSummary {
    pub arn: String,
    pub family: String,
    pub revision: u32,
    pub status: String,
    /// RFC 3339.
    pub registered_at: Option<String>,
}

/// One revision in full, as DescribeDaemonTaskDefinition reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionRecord {
    pub arn: String,
    pub family: String,
    pub revision: u32,
    pub status: String,
    pub registered_at: Option<String>,
    pub spec: TaskDefinitionSpec,
}

/// A daemon that targets or still runs a daemon task definition revision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DaemonUse {
    pub daemon_arn: String,
    pub daemon_name: String,
    pub cluster: String,
    pub status: String,
    pub task_definition_arn: String,
}

/// A row of the families list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FamilyRow {
    pub family: String,
    pub latest_revision: u32,
    pub registered_at: Option<String>,
    pub active_revisions: u32,
    /// `None` when the daemons could not be listed.
    pub deployed: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FamilyPage {
    pub rows: Vec<FamilyRow>,
    /// The API's token for the next page.
    pub next_token: Option<String>,
    /// Set when the daemons could not be listed (deployment state unknown).
    pub usage_error: Option<String>,
}

/// Everything the revision page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionDetail {
    pub record: TaskDefinitionRecord,
    /// The `--cli-input-json` form of the definition.
    pub json: String,
    /// Every revision of the family (any status), oldest first.
    pub revisions: Vec<RevisionSummary>,
    /// The daemons using this revision.
    pub daemons: Vec<DaemonUse>,
    pub usage_error: Option<String>,
}

pub const FAMILY_PAGE_SIZE: i32 = 25;

#[server(prefix = "/api", endpoint = "task-definition-form-options")]
pub async fn load_task_definition_form_options(
    #[server(default)] environment: String,
) -> Result<TaskDefinitionFormOptions, PortalError> {
    let user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let gw = s.gateway_in(&environment).await?;
    Ok(TaskDefinitionFormOptions {
        // The roles this user may name (the role allowlist); the server checks them again.
        roles: s.policies.allowed_roles(&user).await?,
        region: gw.region(),
        role_scope: gw.role_scope().await,
    })
}

/// Registers a new daemon task definition (a new family, or a new revision of one).
/// On success, plain form posts are redirected to the revision's page; the ARN is returned.
#[server(prefix = "/api", endpoint = "create-task-definition")]
pub async fn create_task_definition(
    form: TaskDefinitionForm,
    #[server(default)] environment: String,
) -> Result<String, PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let s = crate::services::services()?;
    let gw = s.gateway_for_form(&environment).await?;
    let spec = form.parse()?;
    s.changes.claim_family(&user, &spec.family).await?;
    // A definition may name only the roles its author's teams may use (domain::role_allowlist).
    let allowed = s.policies.allowed_roles(&user).await?;
    let arn = gw.register_task_definition(spec, &allowed).await?;
    crate::auth::audit(
        &user,
        "task_definition.create",
        &arn,
        serde_json::json!({"environment": environment}),
    )
    .await;
    if let Some((family, revision)) = family_and_revision(&arn) {
        leptos_axum::redirect(&s.path_in(&environment, &format!("/task-definitions/{family}/{revision}")));
    }
    Ok(arn)
}

/// `…:daemon-task-definition/FAMILY:REV` → (FAMILY, REV).
pub fn family_and_revision(arn: &str) -> Option<(String, u32)> {
    let tail = arn.rsplit('/').next()?;
    let (family, rev) = tail.rsplit_once(':')?;
    Some((family.to_string(), rev.parse().ok()?))
}

/// The family filter of the list: a prefix, with the characters a family may have.
pub fn parse_family_filter(s: &str) -> Result<Option<String>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    crate::domain::names::ResourceName::parse("filter", s)
        .map(|n| Some(n.as_str().to_string()))
        .map_err(|e| format!("{e} The filter matches the start of family names."))
}

/// One page of families with their latest revision, number of ACTIVE revisions and whether a
/// daemon uses them. ECS calls: one ListDaemonTaskDefinitions for the page, one (per 100
/// revisions) for the counts, and the daemon usage (cached per daemon).
#[server(prefix = "/api", endpoint = "list-task-definitions")]
pub async fn list_task_definitions(
    #[server(default)] filter: String,
    #[server(default)] token: String,
    #[server(default)] environment: String,
) -> Result<FamilyPage, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let gw = s.gateway_in(&environment).await?;
    let prefix = parse_family_filter(&filter).for_field("filter")?;
    if token.len() > 4096 {
        return Err(PortalError::BadRequest("The page token is too long.".into()));
    }
    let token = (!token.trim().is_empty()).then(|| token.trim().to_string());
    let (latest, next_token) =
        gw.list_task_definition_families(prefix.clone(), token, FAMILY_PAGE_SIZE).await?;
    let mut counts = std::collections::HashMap::<String, u32>::new();
    if let Some(last) = latest.last() {
        let revisions =
            gw.list_task_definition_revisions(None, prefix, Some(last.family.clone()), false).await?;
        for r in revisions.iter().filter(|r| r.status == "ACTIVE") {
            *counts.entry(r.family.clone()).or_default() += 1;
        }
    }
    let (used, usage_error) = match gw.task_definition_usage().await {
        Ok(usage) => (
            Some(
                usage
                    .keys()
                    .filter_map(|arn| family_and_revision(arn).map(|(f, _)| f))
                    .collect::<std::collections::HashSet<_>>(),
            ),
            None,
        ),
        Err(e) => (None, Some(e.to_string())),
    };
    let rows = latest
        .into_iter()
        .map(|r| FamilyRow {
            active_revisions: counts.get(&r.family).copied().unwrap_or(1),
            deployed: used.as_ref().map(|u| u.contains(&r.family)),
            family: r.family,
            latest_revision: r.revision,
            registered_at: r.registered_at,
        })
        .collect();
    Ok(FamilyPage { rows, next_token, usage_error })
}

/// A revision, its family's revisions and the daemons using it.
#[server(prefix = "/api", endpoint = "get-task-definition")]
pub async fn get_task_definition(
    family: String,
    revision: u32,
    #[server(default)] environment: String,
) -> Result<TaskDefinitionDetail, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let gw = s.gateway_in(&environment).await?;
    let spec = crate::domain::deletion::RevisionDraft { family, revision }.validate()?;
    let (family, revision) = (spec.family.to_string(), spec.revision);
    let record = gw.describe_task_definition(&family, revision).await?;
    let revisions = gw.list_task_definition_revisions(Some(family.clone()), None, None, true).await?;
    let (daemons, usage_error) = match gw.task_definition_usage().await {
        Ok(mut usage) => (usage.remove(&record.arn).unwrap_or_default(), None),
        Err(e) => (vec![], Some(e.to_string())),
    };
    let json = record.spec.to_json_pretty();
    Ok(TaskDefinitionDetail { record, json, revisions, daemons, usage_error })
}

/// Just the definition of a revision: for diffs and for "Create new revision".
#[server(prefix = "/api", endpoint = "get-task-definition-spec")]
pub async fn get_task_definition_spec(
    family: String,
    revision: u32,
    #[server(default)] environment: String,
) -> Result<TaskDefinitionSpec, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let spec = crate::domain::deletion::RevisionDraft { family, revision }.validate()?;
    let (family, revision) = (spec.family.to_string(), spec.revision);
    let record = s.gateway_in(&environment).await?.describe_task_definition(&family, revision).await?;
    Ok(record.spec)
}

/// Requests the deletion of one revision (DeleteDaemonTaskDefinition); daemons running it keep
/// running. Executed at once under a policy needing no approval (the list then says so),
/// otherwise the browser goes to the change request.
#[server(prefix = "/api", endpoint = "delete-task-definition")]
pub async fn delete_task_definition(
    family: String,
    revision: u32,
    #[server(default)] environment: String,
) -> Result<super::changes::ChangeRequestRow, PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let s = crate::services::services()?;
    let spec = crate::domain::deletion::RevisionDraft { family, revision }.validate()?;
    let (family, revision) = (spec.family.to_string(), spec.revision);
    let row = s
        .changes_in(&environment)
        .await?
        .submit_change(
            &user,
            &crate::auth::client_ip(),
            super::changes::ChangeInput::DeleteRevision { family: family.clone(), revision },
        )
        .await?;
    if row.state == crate::domain::change::ChangeState::Succeeded {
        leptos_axum::redirect(
            &s.path_in(&environment, &format!("/task-definitions?deleted={family}:{revision}")),
        );
    } else {
        leptos_axum::redirect(&format!("/approvals/{}", row.id));
    }
    Ok(row)
}
