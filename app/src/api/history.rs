//! Rollout history and the audit log: view models and server functions. Any signed-in user
//! may read the history; only admins may read the audit log.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::history::{AuditQuery, HistoryQuery};

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// One rollout, as the History page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutView {
    pub id: String,
    pub request_id: String,
    /// `portal` or `out_of_band`.
    pub source: String,
    pub kind: String,
    #[serde(default)]
    pub environment: String,
    /// Where the daemon's pages are: `/e/<environment>`, or "" for the default environment.
    #[serde(default)]
    pub environment_prefix: String,
    pub cluster: String,
    pub daemon: String,
    pub team: String,
    pub requester: String,
    pub approvers: Vec<String>,
    /// `family:revision`, or "".
    pub from_revision: String,
    pub to_revision: String,
    pub diff: String,
    pub deployment_arn: String,
    pub status: String,
    pub reason: String,
    /// Epoch ms.
    pub started_at: i64,
    /// Epoch ms; 0 while it runs.
    pub ended_at: i64,
    /// A newer rollout of the same daemon exists.
    pub superseded: bool,
}

impl RolloutView {
    pub fn out_of_band(&self) -> bool {
        self.source == "out_of_band"
    }

    /// The revision a "Roll back to this revision" link targets: only a successful rollout
    /// that is not the daemon's newest.
    pub fn rollback_revision(&self) -> Option<u32> {
        if self.status == "SUCCESSFUL" && self.superseded {
            crate::domain::history::revision_number(&self.to_revision)
        } else {
            None
        }
    }

    /// Milliseconds from start to end, once ended.
    pub fn duration_ms(&self) -> Option<i64> {
        (self.ended_at > 0).then(|| (self.ended_at - self.started_at).max(0))
    }
}

/// A page of the history, newest first, with the cursors (encoded) of its neighbours.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub rows: Vec<RolloutView>,
    pub older: Option<String>,
    pub newer: Option<String>,
}

/// One audit log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub id: String,
    pub at: i64,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub target: String,
    /// JSON text.
    pub detail: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditView>,
    pub older: Option<String>,
    pub newer: Option<String>,
}

/// One page of rollout history matching the filters in `query`.
#[server(prefix = "/api", endpoint = "list-history")]
pub async fn list_history(#[server(default)] query: HistoryQuery) -> Result<HistoryPage, PortalError> {
    let _user = crate::auth::require_user()?;
    let (filter, at) = query.parse()?;
    let s = crate::services::services()?;
    let mut page = s.history.list_history(&filter, at, PAGE_SIZE).await?;
    for r in &mut page.rows {
        r.environment_prefix = s.path_in(&r.environment, "");
    }
    Ok(page)
}

/// One page of the audit log (admins only).
#[server(prefix = "/api", endpoint = "list-audit")]
pub async fn list_audit(#[server(default)] query: AuditQuery) -> Result<AuditPage, PortalError> {
    let user = crate::auth::require_user()?;
    if !user.is_admin() {
        return Err(PortalError::Forbidden("Only administrators may read the audit log.".into()));
    }
    let (filter, at) = query.parse()?;
    let s = crate::services::services()?;
    Ok(s.audit.list_audit(&filter, at, PAGE_SIZE).await?)
}
