//! The background worker every replica runs: expires pending requests, starts approved ones
//! (when no freeze holds them), follows executing ones until their deployment ends, resumes
//! what a stopped replica left, sends webhook messages and looks for out-of-band changes.
//! Safe with several replicas: each request and each message is worked under a lease.

use std::time::Duration;

use crate::domain::change::ChangeState;

use super::ChangeEngine;
use super::{drift, notify, store};
use crate::services::clock::now_ms;

/// Runs until the process ends.
pub fn spawn(state: ChangeEngine, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_beat: Option<std::time::Instant> = None;
        loop {
            tick.tick().await;
            let beat = Duration::from_millis(crate::services::replicas::HEARTBEAT_MS as u64);
            if last_beat.is_none_or(|t| t.elapsed() >= beat) {
                last_beat = Some(std::time::Instant::now());
                heartbeat(&state).await;
            }
            let started = std::time::Instant::now();
            run_once(&state).await;
            crate::services::metrics::worker_round(started.elapsed().as_secs_f64());
            state.last_round_ms.store(now_ms(), std::sync::atomic::Ordering::Relaxed);
        }
    })
}

/// Says this replica is alive, and shares every environment's ECS rate among the live ones.
pub async fn heartbeat(state: &ChangeEngine) {
    match crate::services::replicas::heartbeat(&state.db, &state.instance).await {
        Ok(alive) => state.environments.clients.share.set(alive),
        Err(e) => tracing::warn!(error = %e, "replica heartbeat failed"),
    }
}

/// One round of everything the worker does; errors are logged and the next round tries again.
pub async fn run_once(state: &ChangeEngine) {
    match store::expire_due(&state.db, now_ms()).await {
        Ok(expired) => {
            for id in expired {
                let _ = store::add_event(
                    &state.db,
                    &id,
                    "portal",
                    ChangeState::Expired.as_str(),
                    "nobody approved it in time",
                )
                .await;
                notify::enqueue(state, "request_ended", &id).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "expiring requests failed"),
    }
    match store::workable(&state.db, &state.instance, 50).await {
        Ok(ids) => {
            for id in ids {
                state.execute_now(&id).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "listing workable requests failed"),
    }
    crate::services::promotions::drive::run_once(&crate::services::promotions::Promotions {
        changes: state.clone(),
    })
    .await;
    if let Err(e) = notify::deliver_due(state).await {
        tracing::error!(error = %e, "webhook delivery round failed");
    }
    if let Err(e) = drift::check_if_due(state).await {
        tracing::warn!(error = ?e, "drift check failed");
    }
}
