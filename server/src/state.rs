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
}
