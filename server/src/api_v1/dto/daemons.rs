//! Daemons and their deployments, as the daemon routes answer them. ECS times (`created_at`,
//! `finished_at`) are ECS's clock, in seconds since the epoch.

use app::api::daemons::{DaemonDetail, DaemonRow, DeploymentView, ProviderCount, RevisionView};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DaemonSummary {
    pub cluster: String,
    pub name: String,
    pub arn: String,
    pub status: String,
    /// `family:revision` of each current revision.
    pub revisions: Vec<String>,
    pub capacity_providers: Vec<String>,
    /// Instances whose daemon task is RUNNING.
    pub running: i32,
    /// Instances of its providers without a daemon task.
    pub without_daemon: i32,
    /// The latest deployment's status.
    pub latest_deployment: Option<String>,
}

impl From<DaemonRow> for DaemonSummary {
    fn from(r: DaemonRow) -> Self {
        Self {
            cluster: r.cluster,
            name: r.name,
            arn: r.arn,
            status: r.status,
            revisions: r.revisions,
            capacity_providers: r.capacity_providers,
            running: r.running,
            without_daemon: r.without_daemon,
            latest_deployment: r.latest_deployment,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DaemonPage {
    pub items: Vec<DaemonSummary>,
    /// Pass as `after` for the next page.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderCounts {
    pub capacity_provider: String,
    pub running: i32,
    pub without_daemon: i32,
    pub draining: i32,
}

impl From<ProviderCount> for ProviderCounts {
    fn from(p: ProviderCount) -> Self {
        Self {
            capacity_provider: p.name,
            running: p.running,
            without_daemon: p.without_daemon,
            draining: p.draining,
        }
    }
}

/// A revision the daemon runs now, with where it runs.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrentRevision {
    /// `family:revision`.
    pub definition: String,
    pub arn: String,
    pub running: i32,
    pub without_daemon: i32,
    pub providers: Vec<ProviderCounts>,
}

impl From<RevisionView> for CurrentRevision {
    fn from(r: RevisionView) -> Self {
        Self {
            definition: r.definition,
            arn: r.arn,
            running: r.total_running,
            without_daemon: r.total_without_daemon,
            providers: r.providers.into_iter().map(ProviderCounts::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    pub id: String,
    pub arn: String,
    /// `PENDING`, `IN_PROGRESS`, `SUCCESSFUL`, `FAILED`, `ROLLBACK_IN_PROGRESS`, …
    pub status: String,
    pub status_reason: Option<String>,
    /// `family:revision` it moves to.
    pub target: String,
    /// `family:revision` it moves from.
    pub sources: Vec<String>,
    /// Instances on the target revision.
    pub on_target: i32,
    pub total_instances: i32,
    pub draining: i32,
    /// `on_target` of `total_instances`, in percent.
    pub percent: u32,
    pub rollback_reason: Option<String>,
    pub triggered_alarms: Vec<String>,
    pub drain_percent: Option<f64>,
    pub bake_time_minutes: Option<i32>,
    pub created_at: Option<f64>,
    pub finished_at: Option<f64>,
    /// Still moving.
    pub active: bool,
}

impl From<DeploymentView> for Deployment {
    fn from(d: DeploymentView) -> Self {
        Self {
            active: d.is_active(),
            id: d.id,
            arn: d.arn,
            status: d.status,
            status_reason: d.status_reason,
            target: d.target,
            sources: d.sources,
            on_target: d.on_target,
            total_instances: d.total_instances,
            draining: d.draining,
            percent: d.percent,
            rollback_reason: d.rollback_reason,
            triggered_alarms: d.triggered_alarms,
            drain_percent: d.drain_percent,
            bake_time_minutes: d.bake_time_minutes,
            created_at: d.created_at,
            finished_at: d.finished_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentPage {
    pub items: Vec<Deployment>,
    pub next: Option<String>,
}

/// One daemon: its current revisions with counts, and the deployment in progress.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Daemon {
    pub cluster: String,
    pub name: String,
    pub arn: String,
    pub status: String,
    pub created_at: Option<f64>,
    pub updated_at: Option<f64>,
    pub current_revisions: Vec<CurrentRevision>,
    /// The latest deployment (moving or not).
    pub deployment: Option<Deployment>,
    /// A change request approved or executing on it whose deployment has not shown yet.
    pub request_in_flight: Option<String>,
    pub instances: i64,
    pub instances_running: i64,
    /// Its settings as ECS reports them.
    pub settings: super::changes::DeploySettings,
}

impl From<DaemonDetail> for Daemon {
    fn from(d: DaemonDetail) -> Self {
        Self {
            cluster: d.cluster,
            name: d.name,
            arn: d.arn,
            status: d.status,
            created_at: d.created_at,
            updated_at: d.updated_at,
            current_revisions: d.current_revisions.into_iter().map(CurrentRevision::from).collect(),
            deployment: d.deployment.map(Deployment::from),
            request_in_flight: d.request_in_flight,
            instances: d.instances_total as i64,
            instances_running: d.instances_running as i64,
            settings: d.settings.into(),
        }
    }
}
