//! Daemons: view models and server functions.

#[cfg(feature = "ssr")]
use crate::domain::ForField;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{
    clusters::{CapacityProviderInfo, InstanceRow},
    PortalError,
};
use crate::domain::deployment::{DeployDraft, DeployForm};

/// A row of the daemon list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DaemonRow {
    pub name: String,
    pub arn: String,
    pub cluster: String,
    pub status: String,
    /// `family:revision` of each current revision.
    pub revisions: Vec<String>,
    pub capacity_providers: Vec<String>,
    pub running: i32,
    pub without_daemon: i32,
    pub latest_deployment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderCount {
    pub name: String,
    pub running: i32,
    pub without_daemon: i32,
    pub draining: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevisionView {
    pub arn: String,
    /// `family:revision`.
    pub definition: String,
    pub providers: Vec<ProviderCount>,
    pub total_running: i32,
    pub total_without_daemon: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploymentView {
    pub arn: String,
    pub id: String,
    pub status: String,
    pub status_reason: Option<String>,
    /// `family:revision` the deployment moves to.
    pub target: String,
    /// `family:revision` it moves from.
    pub sources: Vec<String>,
    pub on_target: i32,
    pub total_instances: i32,
    pub draining: i32,
    pub percent: u32,
    pub rollback_reason: Option<String>,
    pub circuit_breaker: Option<(i32, i32)>,
    pub triggered_alarms: Vec<String>,
    pub drain_percent: Option<f64>,
    pub bake_time_minutes: Option<i32>,
    pub created_at: Option<f64>,
    pub finished_at: Option<f64>,
}

impl DeploymentView {
    pub fn is_active(&self) -> bool {
        matches!(self.status.as_str(), "PENDING" | "IN_PROGRESS" | "STOP_REQUESTED" | "ROLLBACK_IN_PROGRESS")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DaemonDetail {
    pub name: String,
    pub arn: String,
    pub cluster: String,
    pub status: String,
    pub created_at: Option<f64>,
    pub updated_at: Option<f64>,
    pub current_revisions: Vec<RevisionView>,
    pub deployment: Option<DeploymentView>,
    pub past_deployments: Vec<DeploymentView>,
    /// A change request on this daemon that is approved or executing but has no deployment
    /// yet (its id): the page refreshes until the deployment shows.
    #[serde(default)]
    pub request_in_flight: Option<String>,
    /// One page of the daemon's instances (see `instances_page`).
    pub instances: Vec<InstanceRow>,
    /// Instances in the daemon's capacity providers, all pages.
    #[serde(default)]
    pub instances_total: usize,
    /// Of those, instances whose daemon task is RUNNING.
    #[serde(default)]
    pub instances_running: usize,
    /// 1-based page of `instances`.
    #[serde(default)]
    pub instances_page: usize,
    /// The daemon's current settings as ECS reports them (unchecked), to prefill Update.
    pub settings: DeployDraft,
}

impl DaemonDetail {
    /// Sets `instances_total` and `instances_running` from `instances` (all of them, before
    /// any paging).
    pub fn count_instances(&mut self) {
        self.instances_total = self.instances.len();
        self.instances_running = self
            .instances
            .iter()
            .filter(|i| i.daemon_tasks.iter().any(|t| t.group == self.name && t.status == "RUNNING"))
            .count();
    }

    pub fn is_changing(&self) -> bool {
        self.status == "DELETE_IN_PROGRESS"
            || self.request_in_flight.is_some()
            || self.deployment.as_ref().is_some_and(DeploymentView::is_active)
    }
}

/// The capacity a provider has and what daemons already reserve on each of its instances.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderCapacity {
    pub provider: CapacityProviderInfo,
    /// (daemon name, CPU units, MiB) of each daemon already on this provider.
    pub daemons: Vec<(String, u32, u32)>,
    /// Its ACTIVE instances with what their application tasks reserve, for the resource guard.
    #[serde(default)]
    pub instances: Vec<crate::domain::capacity::InstanceGroup>,
    /// Live application tasks on its ACTIVE instances (what a deployment's drains move).
    #[serde(default)]
    pub app_tasks: u32,
    /// How long past deployments on it took, as the blast-radius preview says it (written on
    /// the server, so the estimate's arithmetic stays out of the wasm).
    #[serde(default)]
    pub estimate: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FamilyRevisions {
    pub family: String,
    /// ACTIVE revisions, newest first, with (CPU units, MiB) one copy reserves.
    pub revisions: Vec<(u32, u32, u32)>,
}

/// Everything the deploy form offers for a cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeployOptions {
    /// The environment's name (what the form shows; "" on options that failed to load).
    #[serde(default)]
    pub environment: String,
    pub clusters: Vec<String>,
    pub cluster: String,
    pub providers: Vec<ProviderCapacity>,
    pub families: Vec<FamilyRevisions>,
    pub alarms: Vec<String>,
}

#[server(prefix = "/api", endpoint = "list-daemons")]
pub async fn list_daemons(
    cluster: String,
    #[server(default)] environment: String,
) -> Result<Vec<DaemonRow>, PortalError> {
    let _user = crate::auth::require_user()?;
    let cluster = crate::domain::names::ResourceName::parse("cluster", &cluster).for_field("cluster")?;
    let s = crate::services::services()?;
    Ok(s.gateway_in(&environment).await?.list_daemons(cluster.as_str()).await?)
}

#[server(prefix = "/api", endpoint = "get-daemon")]
pub async fn get_daemon(
    cluster: String,
    name: String,
    #[server(default)] page: u32,
    #[server(default)] environment: String,
) -> Result<DaemonDetail, PortalError> {
    let _user = crate::auth::require_user()?;
    use crate::domain::names::ResourceName;
    let cluster = ResourceName::parse("cluster", &cluster).for_field("cluster")?;
    let name = ResourceName::parse("daemon name", &name).for_field("name")?;
    let s = crate::services::services()?;
    let engine = s.changes_in(&environment).await?;
    let requests = engine.newest_requests(cluster.as_str(), name.as_str()).await?;
    let mut d = engine.gateway.daemon_detail(cluster.as_str(), name.as_str(), requests).await?;
    d.count_instances();
    let pages = d.instances_total.div_ceil(INSTANCES_PER_PAGE).max(1);
    d.instances_page = (page.max(1) as usize).min(pages);
    d.instances = std::mem::take(&mut d.instances)
        .into_iter()
        .skip((d.instances_page - 1) * INSTANCES_PER_PAGE)
        .take(INSTANCES_PER_PAGE)
        .collect();
    Ok(d)
}

/// Rows of the daemon page's Managed instances table per page.
pub const INSTANCES_PER_PAGE: usize = 100;

#[server(prefix = "/api", endpoint = "deploy-options")]
pub async fn load_deploy_options(
    cluster: String,
    #[server(default)] environment: String,
) -> Result<DeployOptions, PortalError> {
    let _user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let (env, gw) = s.gateways.get(Some(&environment)).await?;
    let mut options = gw.deploy_options(cluster.trim()).await?;
    let durations = s.history.provider_durations(&env.name, &options.cluster).await?;
    for p in &mut options.providers {
        let estimate = durations
            .get(&p.provider.name)
            .and_then(|d| crate::domain::blast_radius::DurationEstimate::from_samples(d));
        p.estimate = crate::domain::blast_radius::estimate_text(estimate.as_ref());
    }
    options.environment = env.name;
    Ok(options)
}

/// What submitting a change gives back: the change request, and where the browser goes next.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submitted {
    pub request: super::changes::ChangeRequestRow,
    /// The daemon page when the change started at once (no approval needed), else the request page.
    pub next: String,
}

/// Where to go after submitting `row`: the daemon while it changes, otherwise the request.
#[cfg(feature = "ssr")]
fn submitted(s: &crate::services::Services, row: super::changes::ChangeRequestRow) -> Submitted {
    use crate::domain::change::{ChangeKind, ChangeState};
    let started = matches!(row.state, ChangeState::Executing | ChangeState::Succeeded);
    let next = if started && row.kind != ChangeKind::DeleteRevision {
        s.path_in(&row.environment, &format!("/daemons/{}/{}", row.cluster, row.daemon))
    } else {
        format!("/approvals/{}", row.id)
    };
    leptos_axum::redirect(&next);
    Submitted { request: row, next }
}

/// Requests a new daemon (or, with `daemon_arn` set, an update; with `rollback` set, a rollback
/// to an earlier revision). Under a policy needing no approval it starts at once and the
/// browser goes to the daemon's page; otherwise to the change request's page.
#[server(prefix = "/api", endpoint = "deploy-daemon")]
pub async fn deploy_daemon(
    form: DeployForm,
    #[server(default)] environment: String,
) -> Result<Submitted, PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let spec = form.parse()?;
    let rollback = form.is_rollback();
    let s = crate::services::services()?;
    let row = s
        .changes_in(&environment)
        .await?
        .submit_change(
            &user,
            &crate::auth::client_ip(),
            super::changes::ChangeInput::Deploy { spec, rollback },
        )
        .await?;
    Ok(submitted(&s, row))
}

/// Requests the deletion of a daemon (its tasks drain off every instance).
#[server(prefix = "/api", endpoint = "delete-daemon")]
pub async fn delete_daemon(
    cluster: String,
    name: String,
    #[server(default)] environment: String,
) -> Result<Submitted, PortalError> {
    let user = crate::auth::require_user()?;
    user.require_deployer()?;
    let crate::domain::deletion::DeleteDaemonSpec { cluster, daemon: name } =
        crate::domain::deletion::DeleteDaemonDraft { cluster, daemon: name }.validate("name")?;
    let s = crate::services::services()?;
    let input = super::changes::ChangeInput::DeleteDaemon {
        cluster: cluster.as_str().to_string(),
        daemon: name.as_str().to_string(),
    };
    let row =
        s.changes_in(&environment).await?.submit_change(&user, &crate::auth::client_ip(), input).await?;
    Ok(submitted(&s, row))
}
