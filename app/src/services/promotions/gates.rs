//! What a stage's gates read: the daemon's instances (all on the revision, RUNNING), its
//! CloudWatch alarms, and the delivery windows of where it runs. Reads only; `drive.rs` decides.

use crate::{
    api::daemons::DaemonDetail,
    domain::pipeline::StageSpec,
    services::{changes::ChangeEngine, clock::now_ms, gateway::error::GatewayError},
};

/// The stage's instances and how many run `target` (`family:revision`) with a RUNNING daemon
/// task: the progress bar and the "every instance on the revision" gate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstanceCount {
    pub on_target: usize,
    pub total: usize,
}

impl InstanceCount {
    /// Every instance runs the revision (and there is at least one).
    pub fn all(&self) -> bool {
        self.total > 0 && self.on_target == self.total
    }
}

pub fn count_instances(detail: &DaemonDetail, stage: &StageSpec, target: &str) -> InstanceCount {
    let mine = detail.instances.iter().filter(|i| stage.capacity_providers.contains(&i.capacity_provider));
    let mut count = InstanceCount::default();
    for i in mine {
        count.total += 1;
        if i.daemon_tasks
            .iter()
            .any(|t| t.group == stage.daemon && t.status == "RUNNING" && t.definition == target)
        {
            count.on_target += 1;
        }
    }
    count
}

/// The stage's daemon as ECS shows it now (`fresh`: read again, not from this replica's cache),
/// `None` when it does not exist.
pub async fn daemon(
    engine: &ChangeEngine,
    stage: &StageSpec,
    fresh: bool,
) -> Result<Option<DaemonDetail>, GatewayError> {
    if fresh {
        engine.gateway.invalidate_cluster(&stage.cluster);
    }
    let requests = crate::services::gateway::daemon_live::Requests::default();
    match engine.gateway.daemon_detail(&stage.cluster, &stage.daemon, requests).await {
        Ok(d) => Ok(Some(d)),
        Err(GatewayError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// (alarm, state) for the stage's alarms, read from CloudWatch in the stage's environment (an
/// alarm CloudWatch does not know shows as `MISSING`: a gate cannot watch it, and says so).
pub async fn alarm_states(
    engine: &ChangeEngine,
    names: &[String],
) -> Result<Vec<(String, String)>, GatewayError> {
    if names.is_empty() {
        return Ok(vec![]);
    }
    let found = engine.gateway.alarm_states(names).await?;
    Ok(names
        .iter()
        .map(|n| {
            let state = found
                .iter()
                .find(|(f, _)| f == n)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| "MISSING".into());
            (n.clone(), state)
        })
        .collect())
}

/// When the stage may start, by the delivery windows and freeze windows where it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WindowGate {
    Open,
    /// Waits until this time (the portal's clock), for the reason given.
    Until(i64, String),
    /// No allowed time within the horizon searched.
    Closed(String),
}

pub async fn window(engine: &ChangeEngine, stage: &StageSpec) -> Result<WindowGate, sqlx::Error> {
    let environment = if stage.environment.is_empty() {
        engine.gateways.default_environment().name.clone()
    } else {
        stage.environment.clone()
    };
    crate::services::policies::windows::stage_gate(
        &engine.db,
        &environment,
        &stage.cluster,
        &stage.capacity_providers,
        now_ms(),
    )
    .await
}
