//! Change requests: every change to what runs on the fleet is requested, approved under the
//! cluster's policy, executed once (idempotently) and followed to its end by the worker.
//!
//! - `store`: SQL, with atomic conditional transitions;
//! - `engine`: submission, reviews, cancel, edit, freeze override (the policy rules);
//! - `call`: the exact ECS call stored on a request and the code that sends it;
//! - `adopt`: after a crash or an ambiguous answer, what the call started (ECS ordering only);
//! - `execute`: leases, write-before/after around the ECS call, resuming, following;
//! - `worker`: the background loop every replica runs; `notify`: the webhook outbox;
//! - `drift`: out-of-band changes; `ownership`: which team owns what; `history`: rollout rows;
//! - `scope`: where a daemon runs now (with its target, what decides policies and freezes).

pub mod adopt;
pub mod call;
pub mod drift;
pub mod engine;
pub mod error;
pub mod execute;
pub mod history;
pub mod notify;
pub mod ownership;
pub mod register;
pub mod requests;
pub mod rows;
pub mod scope;
pub mod store;
pub mod worker;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use super::{Db, EcsGateway, Policies};

pub use error::ChangeError;

/// `ChangeEngine`: the change-request workflow, from submission to the end of its deployment.
#[derive(Clone)]
pub struct ChangeEngine {
    pub db: Db,
    pub gateway: EcsGateway,
    /// The environment this engine acts in: the default one for `Services::changes`, the
    /// request's own for an engine from [`ChangeEngine::within`]; `gateway` is its gateway.
    pub environment: crate::domain::environment::Environment,
    pub environments: super::Environments,
    pub gateways: super::environments::Gateways,
    pub policies: Policies,
    /// For webhooks.
    pub http: reqwest::Client,
    /// This replica's name in leases (random per process).
    pub instance: String,
    /// Where change request notifications go, and how (`PORTAL_WEBHOOK_*`).
    pub webhook: notify::WebhookSettings,
    pub worker: WorkerSettings,
    /// When this replica's worker last finished a round (portal clock, ms; 0: not yet), for
    /// `/metrics`.
    pub last_round_ms: Arc<std::sync::atomic::AtomicI64>,
    /// Change requests a task of this process is working on right now. The database lease
    /// keeps other replicas out; this keeps this replica's request handlers and its worker
    /// from stepping the same request at once.
    pub working: Arc<Mutex<HashSet<String>>>,
}

impl ChangeEngine {
    /// This engine acting in environment `name` (`None`: the default): every ECS read and call
    /// of a request goes to its own environment, whichever engine picked it up.
    pub async fn within(&self, name: Option<&str>) -> Result<ChangeEngine, ChangeError> {
        let (environment, gateway) = self.gateways.get(name).await.map_err(|e| match e {
            super::environments::EnvironmentsError::NoSuchEnvironment(n) => {
                ChangeError::invalid("environment", crate::domain::environment::no_such_environment(&n))
            }
            other => ChangeError::Environment(other),
        })?;
        Ok(ChangeEngine { environment, gateway, ..self.clone() })
    }

    /// The ownership name of a daemon of this engine's environment (`ownership::daemon_key`).
    pub fn daemon_key(&self, cluster: &str, daemon: &str) -> String {
        let default = &self.gateways.default_environment().name;
        ownership::daemon_key(&self.environment.name, default, cluster, daemon)
    }

    /// The client that makes a change for `requester`: where a role is assumed, its session is
    /// named after them (`daemon-portal-alice`), so the account's CloudTrail says who asked.
    pub async fn acting_for(&self, requester: &str) -> super::Ecs {
        let session = crate::domain::environment::session_name(requester);
        self.environments.clients.ecs(&self.environment, &session).await
    }
}

/// The background worker's timing.
#[derive(Clone, Copy, Debug)]
pub struct WorkerSettings {
    /// How often the worker runs.
    pub interval: Duration,
    /// How often one replica looks for out-of-band changes (zero: never).
    pub drift_interval: Duration,
}
