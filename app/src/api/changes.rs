//! Change requests and approvals: view models and server functions.
//!
//! Deploying, updating, rolling back and deleting a daemon, and deleting a task definition
//! revision, create a change request (see `ChangeInput`); the request executes once its
//! policy's approvals are in, through the server's worker.

#[cfg(feature = "ssr")]
use crate::domain::ForField;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::{
    change::{ChangeKind, ChangeState},
    deployment::DeploySpec,
};

/// What a user asks to change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeInput {
    /// Create a daemon, or update it when `spec.daemon_arn` is set; `rollback` marks an update
    /// back to an earlier revision started from the history.
    Deploy {
        spec: DeploySpec,
        #[serde(default)]
        rollback: bool,
    },
    DeleteDaemon {
        cluster: String,
        daemon: String,
    },
    DeleteRevision {
        family: String,
        revision: u32,
    },
    /// Register `definition` (checked by the domain rules) as the next revision of its family;
    /// `source` says where it was copied from (`cwagent:2 in default`).
    RegisterRevision {
        definition: crate::domain::task_definition::TaskDefinitionSpec,
        source: String,
    },
}

/// The policies that govern a request, combined, as recorded on it (and recomputed by an
/// edit): the counts, who may review, and which policies apply and why (`requirements`).
pub type PolicySnapshot = crate::domain::policy::CombinedPolicy;

/// A row of the approvals lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeRequestRow {
    pub id: String,
    pub kind: ChangeKind,
    pub state: ChangeState,
    pub cluster: String,
    pub daemon: String,
    pub family: String,
    pub from_revision: String,
    pub to_revision: String,
    pub team: String,
    pub requester: String,
    pub summary: String,
    pub approvals: u32,
    pub approvals_required: u32,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: i64,
    pub progress: u32,
    /// The environment it acts in ("" only on rows from before environments, until the first
    /// start claims them for the default one).
    #[serde(default)]
    pub environment: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub reviewer: String,
    pub approve: bool,
    pub comment: String,
    pub version: u32,
    pub at: i64,
    /// Given on the request's current version (approvals on older versions are void).
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

/// Everything the request page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeRequestDetail {
    pub row: ChangeRequestRow,
    /// Bumped by every edit; a review names the version its reviewer saw.
    pub version: u32,
    pub policy: PolicySnapshot,
    /// While pending: what each policy still needs (`prod/mi-prod-a: 1 more approval from
    /// security`); empty once every policy is satisfied.
    #[serde(default)]
    pub approvals_missing: Vec<String>,
    /// The exact ECS call the execution sends (operation and input), pretty JSON.
    pub ecs_input: String,
    /// Line diff against what runs now.
    pub diff: String,
    pub deployment_arn: String,
    pub outcome: String,
    pub override_reason: String,
    pub executed_at: i64,
    pub finished_at: i64,
    pub reviews: Vec<ReviewView>,
    pub events: Vec<EventView>,
    /// Why the current user may not review, or `None` if they may (only while pending).
    pub review_refusal: Option<String>,
    /// The current user requested it and it can still be cancelled.
    pub can_cancel: bool,
    /// The current user may edit it (requester, still pending, a deploy/update/rollback).
    pub can_edit: bool,
    /// An admin may execute it now despite a freeze window.
    pub can_override_freeze: bool,
    /// Freeze windows holding the approved request back, by reason.
    pub frozen_by: Vec<String>,
    /// The deploy settings, for the edit form (deploy/update/rollback only).
    pub spec: Option<crate::domain::deployment::DeployDraft>,
    /// Where the request's pages are: `/e/<environment>` for an environment other than the
    /// default one, "" for the default one.
    #[serde(default)]
    pub environment_prefix: String,
    /// The promotion whose stage made (or rolled back) this request: (its id, the stage's name).
    #[serde(default)]
    pub promotion: Option<(String, String)>,
}

/// Which requests the Approvals page lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inbox {
    /// Pending requests the current user may approve.
    #[default]
    Waiting,
    Mine,
    All,
}

impl Inbox {
    pub fn parse(s: &str) -> Self {
        match s {
            "mine" => Inbox::Mine,
            "all" => Inbox::All,
            _ => Inbox::Waiting,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Inbox::Waiting => "waiting",
            Inbox::Mine => "mine",
            Inbox::All => "all",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestFilter {
    #[serde(default)]
    pub inbox: Inbox,
    /// A state name, or empty for every state.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub cluster: String,
    /// An environment's name, or empty for every environment.
    #[serde(default)]
    pub environment: String,
    /// Keyset cursor: `created_at:id` of the last row of the previous page.
    #[serde(default)]
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestPage {
    pub rows: Vec<ChangeRequestRow>,
    /// Cursor of the next (older) page.
    pub next: Option<String>,
}

/// Counts for the navigation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalCounts {
    /// Pending requests the current user may approve.
    pub waiting: u32,
    /// The current user's requests still open (pending, approved, executing).
    pub mine_open: u32,
}

/// Rows per page of the approvals lists.
pub const REQUESTS_PER_PAGE: usize = 50;

#[server(prefix = "/api", endpoint = "list-change-requests")]
pub async fn list_change_requests(filter: RequestFilter) -> Result<RequestPage, PortalError> {
    let user = crate::auth::require_user()?;
    if !filter.state.is_empty() && ChangeState::parse(&filter.state).is_none() {
        return Err(PortalError::invalid("state", format!("Unknown state {}.", filter.state)));
    }
    let s = crate::services::services()?;
    Ok(s.changes.list_changes(&user, filter).await?)
}

#[server(prefix = "/api", endpoint = "get-change-request")]
pub async fn get_change_request(id: String) -> Result<ChangeRequestDetail, PortalError> {
    let user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    Ok(s.changes.get_change(&user, id.trim()).await?)
}

/// The navigation's counts; `None` when nobody is signed in (the login page has a navigation
/// too, and must not answer 401 for it).
#[server(prefix = "/api", endpoint = "approval-counts")]
pub async fn get_approval_counts() -> Result<Option<ApprovalCounts>, PortalError> {
    let Some(user) = crate::auth::current_user() else { return Ok(None) };
    let s = crate::services::services()?;
    Ok(Some(s.changes.approval_counts(&user).await?))
}

/// Approves (`decision` = `approve`) or rejects (`reject`, comment required) a pending request.
/// `version` is the version the reviewer saw (the page's hidden field): a request edited since
/// is refused with 409 and nothing is counted.
#[server(prefix = "/api", endpoint = "review-change-request")]
pub async fn review_change_request(
    id: String,
    decision: String,
    comment: String,
    #[server(default)] version: String,
) -> Result<(), PortalError> {
    let user = crate::auth::require_user()?;
    user.require_approver()?;
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(PortalError::invalid("decision", "Choose Approve or Reject.")),
    };
    let comment = crate::domain::change::parse_comment(&comment, !approve).for_field("comment")?;
    let version = crate::domain::policy::parse_review_version(&version).for_field("version")?;
    let s = crate::services::services()?;
    s.changes.review(&user, &crate::auth::client_ip(), id.trim(), version, approve, &comment).await?;
    leptos_axum::redirect(&format!("/approvals/{}", id.trim()));
    Ok(())
}

/// The requester withdraws a request that has not started executing.
#[server(prefix = "/api", endpoint = "cancel-change-request")]
pub async fn cancel_change_request(id: String) -> Result<(), PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let s = crate::services::services()?;
    s.changes.cancel(&user, &crate::auth::client_ip(), id.trim()).await?;
    leptos_axum::redirect(&format!("/approvals/{}", id.trim()));
    Ok(())
}

/// The requester changes a pending deploy/update/rollback; approvals given so far are void.
#[server(prefix = "/api", endpoint = "edit-change-request")]
pub async fn edit_change_request(
    id: String,
    form: crate::domain::deployment::DeployForm,
) -> Result<(), PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let spec = form.parse()?;
    let s = crate::services::services()?;
    s.changes.edit(&user, &crate::auth::client_ip(), id.trim(), spec).await?;
    leptos_axum::redirect(&format!("/approvals/{}", id.trim()));
    Ok(())
}

/// An admin executes an approved request during a freeze window, with a written reason.
#[server(prefix = "/api", endpoint = "override-freeze")]
pub async fn override_freeze(id: String, reason: String) -> Result<(), PortalError> {
    let user = crate::auth::require_user()?;
    if !user.is_admin() {
        return Err(PortalError::Forbidden("Only admins may override a freeze window.".into()));
    }
    let reason = crate::domain::change::parse_override_reason(&reason).for_field("reason")?;
    let s = crate::services::services()?;
    s.changes.override_freeze(&user, &crate::auth::client_ip(), id.trim(), &reason).await?;
    leptos_axum::redirect(&format!("/approvals/{}", id.trim()));
    Ok(())
}
