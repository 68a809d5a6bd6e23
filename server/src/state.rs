//! Application state shared by every request handler (crates.io style: a bag of services, parts
//! extracted with `FromRef`). The services themselves live in `app::services`, where server
//! functions reach them too; this adds what only the HTTP server needs.

use std::sync::Arc;

use app::services::Services;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    /// Sign-in settings of the HTTP layers (trusted proxy, cookie flags, the emulator's control API).
    pub auth: crate::auth::AuthSettings,
    /// `/readyz`'s last result, reused for a few seconds.
    pub readiness: Arc<crate::health::ReadyCache>,
    /// For the emulator's control API behind `/_sim/` (the same client the services use).
    pub http: reqwest::Client,
    /// In embedded mode, the emulator the ECS client talks to, kept alive with the state.
    pub sim: Option<Arc<ecs_sim::SimHandle>>,
}
