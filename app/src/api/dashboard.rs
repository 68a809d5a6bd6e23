//! The home dashboard: what needs attention, in counts with links, and the newest rollouts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{history::RolloutView, PortalError};

/// How far back "recently" reaches on the dashboard.
pub const RECENT_DAYS: i64 = 7;
/// Rollouts in the dashboard's table of the newest.
pub const NEWEST_ROLLOUTS: i64 = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Pending requests the current user may approve.
    pub waiting_for_me: u32,
    /// The current user's requests still open.
    pub my_open_requests: u32,
    pub rollouts_in_progress: Vec<RolloutInProgress>,
    /// Rollouts that failed, stopped or rolled back in the last `RECENT_DAYS` days.
    pub failures_recently: u32,
    /// Changes made outside the portal (drift), last `RECENT_DAYS` days.
    pub drift_recently: u32,
    /// Daemons with instances that should run them but do not; `Err` when ECS did not answer
    /// (the rest of the dashboard still shows).
    pub missing_daemons: Result<Vec<MissingDaemon>, String>,
    pub newest_rollouts: Vec<RolloutView>,
}

impl Dashboard {
    /// Instances, over every daemon, without a daemon they should run (0 if ECS did not answer).
    pub fn instances_without_daemon(&self) -> u32 {
        self.missing_daemons.as_ref().map(|m| m.iter().map(|d| d.instances).sum()).unwrap_or(0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutInProgress {
    pub rollout: RolloutView,
    /// Percent of instances on the target; `None` for a change made outside the portal.
    pub percent: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingDaemon {
    pub cluster: String,
    pub daemon: String,
    /// Instances of the daemon's capacity providers without a running copy of it.
    pub instances: u32,
}

/// Any signed-in user's dashboard. Reads the database and the gateway's cached inventory
/// (the same ECS reads as the Clusters and Daemons pages, so a few calls at most per cache
/// period).
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, PortalError> {
    use crate::services::history::views::rollout_view;

    let user = crate::auth::require_user()?;
    let s = crate::services::services()?;
    let counts = s.changes.approval_counts(&user).await?;
    let since = crate::services::clock::now_ms() - RECENT_DAYS * 24 * 3_600_000;
    let summary = s.history.summary(since, NEWEST_ROLLOUTS).await?;
    let missing_daemons = s.gateway.missing_daemons().await.map_err(|e| PortalError::from(e).to_string());
    Ok(Dashboard {
        waiting_for_me: counts.waiting,
        my_open_requests: counts.mine_open,
        rollouts_in_progress: summary
            .running
            .into_iter()
            .map(|(r, p)| RolloutInProgress {
                rollout: {
                    let mut r = rollout_view(r);
                    r.environment_prefix = s.path_in(&r.environment, "");
                    r
                },
                percent: p.map(|p| p.clamp(0, 100) as u32),
            })
            .collect(),
        failures_recently: summary.failed_recently as u32,
        drift_recently: summary.out_of_band_recently as u32,
        missing_daemons,
        newest_rollouts: summary
            .newest
            .into_iter()
            .map(rollout_view)
            .map(|mut r| {
                r.environment_prefix = s.path_in(&r.environment, "");
                r
            })
            .collect(),
    })
}
