//! `EcsGateway`: every ECS read the pages need, through the one cache (`cache.rs`) and the one
//! nextToken/batch helper (`ecs_paging.rs`). SDK types become view models in the mapping
//! functions of each file, which are pure and unit-tested with SDK builders.
//!
//! - `ecs_queries`: clusters, providers, instances, tasks (cached);
//! - `daemons`: daemons, revisions, deployments, the deploy form's options;
//! - `daemon_live`: whether the cached view lags behind the newest change request;
//! - `task_definitions`: daemon task definitions (register, list, describe, delete);
//! - `capacity_guard`: whether a daemon fits on every instance (`domain::capacity`);
//! - `to_sdk`: domain types → SDK input; `error`: SDK errors → `PortalError`.

pub mod alarms;
pub mod blast_radius;
pub mod cache;
pub mod capacity_guard;
pub mod clusters;
pub mod daemon_live;
pub mod daemons;
pub mod ecs_paging;
pub mod ecs_queries;
pub mod error;
pub mod tags;
pub mod task_definitions;
pub mod to_sdk;

use std::{sync::Arc, time::Duration};

use cache::EcsCaches;

/// The ECS client, pointed at AWS or at an emulator.
#[derive(Clone)]
pub struct Ecs {
    pub client: aws_sdk_ecs::Client,
    /// CloudWatch in the same account and region (alarm states).
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// `Some` in embedded mode: the emulator's base URL, for its control API.
    pub sim_endpoint: Option<String>,
    /// The region ECS calls go to (also used for CloudWatch Logs configuration).
    pub region: String,
}

#[derive(Clone)]
pub struct EcsGateway {
    pub ecs: Ecs,
    /// Short-lived caches in front of ECS reads (per replica; ECS stays the truth).
    pub cache: Arc<EcsCaches>,
    /// For the embedded emulator's control API (alarm names).
    http: reqwest::Client,
    /// IAM role ARNs configured for everyone (`PORTAL_ROLES`).
    pub roles: Vec<String>,
}

impl EcsGateway {
    pub fn new(ecs: Ecs, live_ttl: Duration, http: reqwest::Client, roles: Vec<String>) -> Self {
        Self { ecs, cache: Arc::new(EcsCaches::new(live_ttl)), http, roles }
    }

    /// Drops a cluster's live state after a change there (see `cache.rs`).
    pub fn invalidate_cluster(&self, cluster: &str) {
        self.cache.invalidate_cluster(cluster);
    }
}
