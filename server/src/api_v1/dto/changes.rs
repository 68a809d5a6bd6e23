//! Change requests: what `POST /change-requests` takes and what the change-request routes answer.

use std::collections::BTreeMap;

use app::{
    api::changes::{ChangeRequestDetail, ChangeRequestRow, EventView, ReviewView},
    domain::{
        change::{ChangeKind, ChangeState},
        deletion::{DeleteDaemonDraft, RevisionDraft},
        deployment::DeployDraft,
    },
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of `POST /change-requests`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NewChange {
    /// Create a daemon, or update it when `daemon_arn` is given.
    Deploy(DeployBody),
    DeleteDaemon(DeleteDaemonBody),
    DeleteRevision(DeleteRevisionBody),
}

/// A deploy or update: the deploy form's fields, checked by the same rules.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeployBody {
    /// Set to update this daemon; absent to create one.
    pub daemon_arn: Option<String>,
    pub cluster: String,
    pub daemon: String,
    pub family: String,
    /// Absent: the family's latest ACTIVE revision.
    pub revision: Option<u32>,
    pub capacity_providers: Vec<String>,
    /// 1–100; absent: 25.
    pub drain_percent: Option<f64>,
    /// Absent: no bake time.
    pub bake_time_minutes: Option<u32>,
    pub alarms: Vec<String>,
    /// Absent: true.
    pub rollback_on_alarm: Option<bool>,
    /// Absent: true.
    pub critical: Option<bool>,
    pub tags: BTreeMap<String, String>,
    pub propagate_tags: bool,
    pub ecs_managed_tags: bool,
    pub execute_command: bool,
    /// The update goes back to an earlier revision (recorded as a rollback).
    pub rollback: bool,
}

impl DeployBody {
    pub fn into_draft(self) -> DeployDraft {
        let defaults = DeployDraft::default();
        DeployDraft {
            daemon_arn: self.daemon_arn,
            cluster: self.cluster,
            daemon_name: self.daemon,
            family: self.family,
            revision: self.revision,
            capacity_providers: self.capacity_providers,
            drain_percent: self.drain_percent,
            bake_time: self.bake_time_minutes,
            alarms: self.alarms,
            rollback_on_alarm: self.rollback_on_alarm.unwrap_or(defaults.rollback_on_alarm),
            critical: self.critical.unwrap_or(defaults.critical),
            tags: self.tags,
            propagate_tags: self.propagate_tags,
            ecs_managed_tags: self.ecs_managed_tags,
            execute_command: self.execute_command,
            rollback: self.rollback,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteDaemonBody {
    pub cluster: String,
    pub daemon: String,
}

impl DeleteDaemonBody {
    pub fn into_draft(self) -> DeleteDaemonDraft {
        DeleteDaemonDraft { cluster: self.cluster, daemon: self.daemon }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeleteRevisionBody {
    pub family: String,
    pub revision: u32,
}

impl DeleteRevisionBody {
    pub fn into_draft(self) -> RevisionDraft {
        RevisionDraft { family: self.family, revision: self.revision }
    }
}

/// The body of `PUT /change-requests/{id}`: the requester's new settings for a pending deploy,
/// update or rollback (approvals given so far are void).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditChange {
    pub settings: DeployBody,
}

/// The body of `POST /change-requests/{id}/approve` and `/reject`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewBody {
    /// Required to reject.
    pub comment: String,
    /// The `version` of the request the reviewer read; a request edited since answers 409.
    pub version: Option<i64>,
}

/// The body of `POST /change-requests/{id}/override-freeze` (admins).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OverrideBody {
    pub reason: String,
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Deploy,
    Update,
    Rollback,
    DeleteDaemon,
    DeleteRevision,
    RegisterRevision,
}

impl From<ChangeKind> for Kind {
    fn from(k: ChangeKind) -> Self {
        match k {
            ChangeKind::Deploy => Kind::Deploy,
            ChangeKind::Update => Kind::Update,
            ChangeKind::Rollback => Kind::Rollback,
            ChangeKind::DeleteDaemon => Kind::DeleteDaemon,
            ChangeKind::DeleteRevision => Kind::DeleteRevision,
            ChangeKind::RegisterRevision => Kind::RegisterRevision,
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
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

impl From<ChangeState> for State {
    fn from(s: ChangeState) -> Self {
        match s {
            ChangeState::Pending => State::Pending,
            ChangeState::Approved => State::Approved,
            ChangeState::Executing => State::Executing,
            ChangeState::Succeeded => State::Succeeded,
            ChangeState::Failed => State::Failed,
            ChangeState::RolledBack => State::RolledBack,
            ChangeState::Stopped => State::Stopped,
            ChangeState::Rejected => State::Rejected,
            ChangeState::Cancelled => State::Cancelled,
            ChangeState::Expired => State::Expired,
        }
    }
}

/// A change request as lists show it. Times are the portal's clock, in ms since the epoch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    pub id: String,
    pub kind: Kind,
    pub state: State,
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub family: String,
    /// `family:revision` before ("" for a create).
    pub from_revision: String,
    /// `family:revision` after ("" for a delete).
    pub to_revision: String,
    pub team: String,
    pub requester: String,
    pub summary: String,
    pub approvals: u32,
    pub approvals_required: u32,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: i64,
    /// Percent of instances on the target while it runs.
    pub progress: u32,
}

impl From<ChangeRequestRow> for ChangeRequest {
    fn from(r: ChangeRequestRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind.into(),
            state: r.state.into(),
            environment: r.environment,
            cluster: r.cluster,
            daemon: r.daemon,
            family: r.family,
            from_revision: r.from_revision,
            to_revision: r.to_revision,
            team: r.team,
            requester: r.requester,
            summary: r.summary,
            approvals: r.approvals,
            approvals_required: r.approvals_required,
            created_at: r.created_at,
            updated_at: r.updated_at,
            expires_at: r.expires_at,
            progress: r.progress,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequestPage {
    pub items: Vec<ChangeRequest>,
    /// Pass as `after` for the next (older) page; null on the last page.
    pub next: Option<String>,
}

/// Which approvals the request needs, as decided when it was made.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub approvals_required: u32,
    /// Empty when approvers of any team may review.
    pub approver_teams: Vec<String>,
    pub allow_self_approval: bool,
    pub expiry_hours: u32,
    /// Which policies apply, for people.
    pub source: String,
    /// Each policy that applies, and why.
    pub requirements: Vec<PolicyRequirement>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequirement {
    pub label: String,
    pub approvals_required: u32,
    pub approver_teams: Vec<String>,
    pub why: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub reviewer: String,
    pub approve: bool,
    pub comment: String,
    /// The request's version the reviewer saw.
    pub version: u32,
    pub at: i64,
    /// False once the request was edited after it (the approval is void).
    pub current: bool,
}

impl From<ReviewView> for Review {
    fn from(r: ReviewView) -> Self {
        Self {
            reviewer: r.reviewer,
            approve: r.approve,
            comment: r.comment,
            version: r.version,
            at: r.at,
            current: r.current,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

impl From<EventView> for Event {
    fn from(e: EventView) -> Self {
        Self { at: e.at, actor: e.actor, kind: e.kind, detail: e.detail }
    }
}

/// The deploy settings of a deploy, update or rollback.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploySettings {
    pub daemon_arn: Option<String>,
    pub cluster: String,
    pub daemon: String,
    pub family: String,
    pub revision: Option<u32>,
    pub capacity_providers: Vec<String>,
    pub drain_percent: Option<f64>,
    pub bake_time_minutes: Option<u32>,
    pub alarms: Vec<String>,
    pub rollback_on_alarm: bool,
    pub critical: bool,
    pub tags: BTreeMap<String, String>,
    pub propagate_tags: bool,
    pub ecs_managed_tags: bool,
    pub execute_command: bool,
}

impl From<DeployDraft> for DeploySettings {
    fn from(d: DeployDraft) -> Self {
        Self {
            daemon_arn: d.daemon_arn,
            cluster: d.cluster,
            daemon: d.daemon_name,
            family: d.family,
            revision: d.revision,
            capacity_providers: d.capacity_providers,
            drain_percent: d.drain_percent,
            bake_time_minutes: d.bake_time,
            alarms: d.alarms,
            rollback_on_alarm: d.rollback_on_alarm,
            critical: d.critical,
            tags: d.tags,
            propagate_tags: d.propagate_tags,
            ecs_managed_tags: d.ecs_managed_tags,
            execute_command: d.execute_command,
        }
    }
}

/// One change request in full.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequestDetails {
    pub request: ChangeRequest,
    /// Bumped by every edit; a review names the version its reviewer saw.
    pub version: u32,
    pub policy: Policy,
    /// While pending: what each policy still needs.
    pub approvals_missing: Vec<String>,
    /// The exact ECS call the execution sends: `{"operation", "input"}`.
    #[schema(value_type = Object)]
    pub ecs_call: serde_json::Value,
    /// Line diff against what runs now.
    pub diff: String,
    /// "" until ECS answered.
    pub deployment_arn: String,
    pub outcome: String,
    pub override_reason: String,
    /// 0 until it happened (portal clock, ms).
    pub executed_at: i64,
    pub finished_at: i64,
    pub reviews: Vec<Review>,
    pub events: Vec<Event>,
    /// Freeze windows holding the approved request back.
    pub frozen_by: Vec<String>,
    /// Deploy, update and rollback only.
    pub settings: Option<DeploySettings>,
    /// The promotion whose stage made this request.
    pub promotion: Option<PromotionRef>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionRef {
    pub id: String,
    pub stage: String,
}

impl From<ChangeRequestDetail> for ChangeRequestDetails {
    fn from(d: ChangeRequestDetail) -> Self {
        let p = d.policy;
        Self {
            request: d.row.into(),
            version: d.version,
            policy: Policy {
                approvals_required: p.approvals_required,
                approver_teams: p.approver_teams,
                allow_self_approval: p.allow_self_approval,
                expiry_hours: p.expiry_hours,
                source: p.source,
                requirements: p
                    .requirements
                    .into_iter()
                    .map(|r| PolicyRequirement {
                        label: r.label,
                        approvals_required: r.policy.approvals_required,
                        approver_teams: r.policy.approver_teams,
                        why: r.why,
                    })
                    .collect(),
            },
            approvals_missing: d.approvals_missing,
            ecs_call: serde_json::from_str(&d.ecs_input).unwrap_or(serde_json::Value::Null),
            diff: d.diff,
            deployment_arn: d.deployment_arn,
            outcome: d.outcome,
            override_reason: d.override_reason,
            executed_at: d.executed_at,
            finished_at: d.finished_at,
            reviews: d.reviews.into_iter().map(Review::from).collect(),
            events: d.events.into_iter().map(Event::from).collect(),
            frozen_by: d.frozen_by,
            settings: d.spec.map(DeploySettings::from),
            promotion: d.promotion.map(|(id, stage)| PromotionRef { id, stage }),
        }
    }
}
