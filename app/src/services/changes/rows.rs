//! The rows of `change_requests`, `request_reviews` and `request_events` as sqlx reads them
//! (`query_as`), and their conversion to what the rest of the server uses. Kinds, states and
//! decisions become enums here, at the row boundary; JSON columns are parsed here.

use crate::{
    api::changes::{ChangeRequestRow, EventView, PolicySnapshot, ReviewView},
    domain::{
        change::{ChangeKind, ChangeState},
        policy::Approval,
    },
};

use super::store::StoredRequest;

/// `store::COLUMNS` of one request.
#[derive(sqlx::FromRow)]
pub struct RequestRecord {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub kind: ChangeKind,
    #[sqlx(try_from = "String")]
    pub state: ChangeState,
    pub cluster: String,
    pub daemon: String,
    pub family: String,
    pub from_revision: String,
    pub to_revision: String,
    pub team: String,
    pub requester: String,
    pub summary: String,
    pub approvals_required: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: i64,
    pub progress: i64,
    pub version: i64,
    pub policy: String,
    pub capacity_providers: String,
    pub input: String,
    pub diff: String,
    pub deployment_arn: Option<String>,
    pub outcome: String,
    pub override_reason: String,
    pub executed_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub lease_owner: String,
    pub lease_until: i64,
    pub attempts: i64,
    pub baseline_deployment_arn: Option<String>,
    pub environment: Option<String>,
    pub approvals: i64,
}

fn decode(what: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{what}: {e}").into())
}

impl TryFrom<RequestRecord> for StoredRequest {
    type Error = sqlx::Error;

    fn try_from(r: RequestRecord) -> Result<Self, sqlx::Error> {
        let policy: PolicySnapshot = serde_json::from_str(&r.policy).map_err(|e| decode("policy", e))?;
        let capacity_providers: Vec<String> = serde_json::from_str(&r.capacity_providers).unwrap_or_default();
        let providers_in_scope = if policy.requirements.is_empty() {
            capacity_providers.clone()
        } else {
            policy.scope.providers()
        };
        Ok(StoredRequest {
            row: ChangeRequestRow {
                id: r.id,
                kind: r.kind,
                state: r.state,
                cluster: r.cluster,
                daemon: r.daemon,
                family: r.family,
                from_revision: r.from_revision,
                to_revision: r.to_revision,
                team: r.team,
                requester: r.requester,
                summary: r.summary,
                approvals: r.approvals as u32,
                approvals_required: r.approvals_required as u32,
                created_at: r.created_at,
                updated_at: r.updated_at,
                expires_at: r.expires_at,
                progress: r.progress as u32,
                environment: r.environment.clone().unwrap_or_default(),
            },
            version: r.version,
            policy,
            capacity_providers,
            providers_in_scope,
            input: r.input,
            diff: r.diff,
            deployment_arn: r.deployment_arn,
            outcome: r.outcome,
            override_reason: r.override_reason,
            executed_at: r.executed_at,
            finished_at: r.finished_at,
            lease_owner: r.lease_owner,
            lease_until: r.lease_until,
            attempts: r.attempts,
            baseline_deployment_arn: r.baseline_deployment_arn,
            environment: r.environment,
        })
    }
}

/// `request_reviews.decision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    pub fn of(approve: bool) -> Self {
        if approve {
            Self::Approve
        } else {
            Self::Reject
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
        }
    }
}

impl TryFrom<String> for Decision {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        [Self::Approve, Self::Reject]
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown decision {s:?}"))
    }
}

#[derive(sqlx::FromRow)]
pub struct ReviewRecord {
    pub reviewer: String,
    pub version: i64,
    #[sqlx(try_from = "String")]
    pub decision: Decision,
    pub comment: String,
    pub at: i64,
}

impl ReviewRecord {
    pub fn view(self, current_version: i64) -> ReviewView {
        ReviewView {
            reviewer: self.reviewer,
            approve: self.decision == Decision::Approve,
            comment: self.comment,
            version: self.version as u32,
            at: self.at,
            current: self.version == current_version,
        }
    }
}

/// An approval with what its reviewer could approve for.
#[derive(sqlx::FromRow)]
pub struct ApprovalRecord {
    pub reviewer: String,
    /// JSON array; NULL on reviews given before migration 0009.
    pub approver_teams: Option<String>,
    pub approver_admin: i64,
}

impl TryFrom<ApprovalRecord> for Approval {
    type Error = sqlx::Error;

    fn try_from(r: ApprovalRecord) -> Result<Self, sqlx::Error> {
        Ok(match r.approver_teams {
            Some(t) => Approval {
                reviewer: r.reviewer,
                any_team: r.approver_admin != 0,
                teams: serde_json::from_str(&t).map_err(|e| decode("approver_teams", e))?,
            },
            // Given before reviews kept their teams (migration 0009): checked against the
            // request's single policy then, so it counts as it did.
            None => Approval { reviewer: r.reviewer, any_team: true, teams: vec![] },
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct EventRecord {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

impl From<EventRecord> for EventView {
    fn from(r: EventRecord) -> Self {
        EventView { at: r.at, actor: r.actor, kind: r.kind, detail: r.detail }
    }
}
