//! Application state shared by every request handler (crates.io style: one struct, parts
//! extracted with `FromRef`).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::{cache::EcsCaches, db::Db, ecs::Ecs};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub ecs: Ecs,
    /// IAM role ARNs the forms offer (configured; see `PORTAL_ROLES`).
    pub roles: Vec<String>,
    /// Short-lived caches in front of ECS reads.
    pub cache: Arc<EcsCaches>,
    /// For the embedded emulator's control API (alarm names).
    pub http: reqwest::Client,
    /// Sign-in settings (demo accounts, cookie flags).
    pub auth: crate::auth::AuthSettings,
    /// This replica's name in leases (random per process).
    pub instance: String,
    /// Where change request notifications go (`PORTAL_WEBHOOK_URL`).
    pub webhook_url: Option<String>,
    /// The background worker's timing.
    pub worker: WorkerSettings,
    /// `/readyz`'s last result, reused for a few seconds.
    pub readiness: Arc<crate::health::ReadyCache>,
    /// Change requests a task of this process is working on right now. The database lease
    /// keeps other replicas out; this keeps this replica's request handlers and its worker
    /// from stepping the same request at once.
    pub working: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

#[derive(Clone, Copy, Debug)]
pub struct WorkerSettings {
    /// How often the worker runs.
    pub interval: std::time::Duration,
    /// How often one replica looks for out-of-band changes (zero: never).
    pub drift_interval: std::time::Duration,
}
