//! Application state shared by every request handler (crates.io style: one struct, parts
//! extracted with `FromRef`).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::{db::Db, ecs::Ecs};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub ecs: Ecs,
    /// IAM role ARNs the forms offer (configured; see `PORTAL_ROLES`).
    pub roles: Vec<String>,
    /// Daemon task definition ARN → (CPU units, MiB) per copy; definitions are immutable.
    pub reservations: Arc<Mutex<HashMap<String, (u32, u32)>>>,
    /// For the embedded emulator's control API (alarm names).
    pub http: reqwest::Client,
}
