//! Change requests: what kinds there are, the states they move through, and the rules for
//! reviews. Plain data and pure functions, compiled for wasm and server; the server applies the
//! transitions atomically in the database (server/src/changes/).

use serde::{Deserialize, Serialize};

/// Longest review comment or override reason.
pub const MAX_COMMENT: usize = 2000;

/// What a change request does to the fleet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Create a daemon.
    Deploy,
    /// Move a daemon to another revision or other settings.
    Update,
    /// Move a daemon back to an earlier revision (an update started from the history).
    Rollback,
    DeleteDaemon,
    DeleteRevision,
    /// Register a daemon task definition revision (a copy from another environment).
    RegisterRevision,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 6] = [
        ChangeKind::Deploy,
        ChangeKind::Update,
        ChangeKind::Rollback,
        ChangeKind::DeleteDaemon,
        ChangeKind::DeleteRevision,
        ChangeKind::RegisterRevision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Deploy => "deploy",
            ChangeKind::Update => "update",
            ChangeKind::Rollback => "rollback",
            ChangeKind::DeleteDaemon => "delete_daemon",
            ChangeKind::DeleteRevision => "delete_revision",
            ChangeKind::RegisterRevision => "register_revision",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Deploy => "Deploy",
            ChangeKind::Update => "Update",
            ChangeKind::Rollback => "Roll back",
            ChangeKind::DeleteDaemon => "Delete daemon",
            ChangeKind::DeleteRevision => "Delete revision",
            ChangeKind::RegisterRevision => "Register revision",
        }
    }
}

/// How storage reads a kind (`#[sqlx(try_from = "String")]` on the server's rows).
impl TryFrom<String> for ChangeKind {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown change kind {s:?}"))
    }
}

impl TryFrom<String> for ChangeState {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown change state {s:?}"))
    }
}

/// Where a change request is in its life.
///
/// ```text
/// pending ─approve (enough)─▶ approved ─worker─▶ executing ─▶ succeeded | failed | rolled_back | stopped
///    ├─reject─▶ rejected
///    ├─cancel (requester)─▶ cancelled   (also from approved, before it executes)
///    └─expiry─▶ expired
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    Pending,
    Approved,
    Executing,
    Succeeded,
    Failed,
    RolledBack,
    Stopped,
    Rejected,
    Cancelled,
    Expired,
}

impl ChangeState {
    pub const ALL: [ChangeState; 10] = [
        ChangeState::Pending,
        ChangeState::Approved,
        ChangeState::Executing,
        ChangeState::Succeeded,
        ChangeState::Failed,
        ChangeState::RolledBack,
        ChangeState::Stopped,
        ChangeState::Rejected,
        ChangeState::Cancelled,
        ChangeState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeState::Pending => "pending",
            ChangeState::Approved => "approved",
            ChangeState::Executing => "executing",
            ChangeState::Succeeded => "succeeded",
            ChangeState::Failed => "failed",
            ChangeState::RolledBack => "rolled_back",
            ChangeState::Stopped => "stopped",
            ChangeState::Rejected => "rejected",
            ChangeState::Cancelled => "cancelled",
            ChangeState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// As shown in badges: "Pending approval", "Rolled back", …
    pub fn label(self) -> &'static str {
        match self {
            ChangeState::Pending => "Pending approval",
            ChangeState::Approved => "Approved",
            ChangeState::Executing => "Executing",
            ChangeState::Succeeded => "Succeeded",
            ChangeState::Failed => "Failed",
            ChangeState::RolledBack => "Rolled back",
            ChangeState::Stopped => "Stopped",
            ChangeState::Rejected => "Rejected",
            ChangeState::Cancelled => "Cancelled",
            ChangeState::Expired => "Expired",
        }
    }

    /// No transition leaves this state.
    pub fn is_final(self) -> bool {
        !matches!(self, ChangeState::Pending | ChangeState::Approved | ChangeState::Executing)
    }

    /// The request's state once its ECS deployment ends with `status`; `None` while it runs.
    pub fn after_deployment(status: &str) -> Option<ChangeState> {
        match status {
            "SUCCESSFUL" => Some(ChangeState::Succeeded),
            "ROLLBACK_SUCCESSFUL" => Some(ChangeState::RolledBack),
            "ROLLBACK_FAILED" => Some(ChangeState::Failed),
            "STOPPED" => Some(ChangeState::Stopped),
            _ => None,
        }
    }
}

/// Why a reviewer may not review, or `None` when they may. `approver_teams` empty means the
/// approvers of any team.
pub fn review_refusal(
    reviewer: &crate::auth::CurrentUser,
    requester: &str,
    approver_teams: &[String],
    allow_self_approval: bool,
) -> Option<String> {
    if reviewer.username == requester && !allow_self_approval {
        return Some("You requested this change; the policy needs someone else to approve it.".into());
    }
    if reviewer.is_admin {
        return None;
    }
    let approves = reviewer.teams.iter().any(|(team, role)| {
        *role == crate::auth::Role::Approver && (approver_teams.is_empty() || approver_teams.contains(team))
    });
    if approves {
        None
    } else if approver_teams.is_empty() {
        Some("Only approvers (or admins) may review change requests.".into())
    } else {
        Some(format!(
            "Only approvers of team {} (or admins) may review this request.",
            approver_teams.join(", ")
        ))
    }
}

/// A review comment: required for a rejection, at most [`MAX_COMMENT`] characters.
pub fn parse_comment(comment: &str, rejecting: bool) -> Result<String, String> {
    let c = comment.trim();
    if rejecting && c.is_empty() {
        return Err("Say why you reject the request: a rejection needs a comment.".into());
    }
    if c.chars().count() > MAX_COMMENT {
        return Err(format!("A comment has at most {MAX_COMMENT} characters."));
    }
    Ok(c.to_string())
}

/// The written reason an admin gives to execute during a freeze window.
pub fn parse_override_reason(reason: &str) -> Result<String, String> {
    let r = reason.trim();
    if r.chars().count() < 10 {
        return Err("Write why this change must run during the freeze (at least 10 characters).".into());
    }
    if r.chars().count() > MAX_COMMENT {
        return Err(format!("A reason has at most {MAX_COMMENT} characters."));
    }
    Ok(r.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{CurrentUser, Role};

    fn user(name: &str, teams: &[(&str, Role)], admin: bool) -> CurrentUser {
        CurrentUser {
            username: name.into(),
            is_admin: admin,
            teams: teams.iter().map(|(t, r)| (t.to_string(), *r)).collect(),
        }
    }

    #[test]
    fn names_round_trip() {
        for k in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(k.as_str()), Some(k));
        }
        for s in ChangeState::ALL {
            assert_eq!(ChangeState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ChangeState::parse("PENDING"), None);
    }

    #[test]
    fn final_states_and_deployment_outcomes() {
        assert!(!ChangeState::Pending.is_final());
        assert!(!ChangeState::Executing.is_final());
        assert!(ChangeState::Rejected.is_final());
        assert_eq!(ChangeState::after_deployment("SUCCESSFUL"), Some(ChangeState::Succeeded));
        assert_eq!(ChangeState::after_deployment("ROLLBACK_SUCCESSFUL"), Some(ChangeState::RolledBack));
        assert_eq!(ChangeState::after_deployment("STOPPED"), Some(ChangeState::Stopped));
        assert_eq!(ChangeState::after_deployment("IN_PROGRESS"), None);
        assert_eq!(ChangeState::after_deployment("ROLLBACK_IN_PROGRESS"), None);
    }

    #[test]
    fn who_may_review() {
        let teams = vec!["platform".to_string()];
        let bob = user("bob", &[("platform", Role::Approver)], false);
        assert_eq!(review_refusal(&bob, "alice", &teams, false), None);
        assert!(review_refusal(&bob, "bob", &teams, false).unwrap().contains("someone else"));
        assert_eq!(review_refusal(&bob, "bob", &teams, true), None);
        let other = user("eve", &[("payments", Role::Approver)], false);
        assert!(review_refusal(&other, "alice", &teams, false).unwrap().contains("platform"));
        assert_eq!(review_refusal(&other, "alice", &[], false), None);
        let deployer = user("alice", &[("platform", Role::Deployer)], false);
        assert!(review_refusal(&deployer, "carol", &teams, false).is_some());
        let admin = user("admin", &[], true);
        assert_eq!(review_refusal(&admin, "alice", &teams, false), None);
        assert!(review_refusal(&admin, "admin", &teams, false).is_some());
    }

    #[test]
    fn comments() {
        assert!(parse_comment("", true).is_err());
        assert_eq!(parse_comment("  ok  ", false).unwrap(), "ok");
        assert_eq!(parse_comment("", false).unwrap(), "");
        assert!(parse_comment(&"x".repeat(MAX_COMMENT + 1), false).is_err());
        assert!(parse_override_reason("short").is_err());
        assert!(parse_override_reason("hotfix for incident 42").is_ok());
    }
}
