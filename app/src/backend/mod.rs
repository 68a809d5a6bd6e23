//! The seam between server functions (declared in this crate) and the IO that serves them
//! (implemented in `server/`). Server functions take a [`BackendHandle`] from the Leptos
//! context. One trait per area, so each area's server side lives in its own file.

mod admin;
mod audit;
mod auth;
mod changes;
mod clusters;
mod daemons;
mod history;
mod role_allowlist;
mod task_definitions;
mod tokens;

use std::sync::Arc;

pub use admin::AdminBackend;
pub use audit::AuditBackend;
pub use auth::AuthBackend;
pub use changes::ChangesBackend;
pub use clusters::ClustersBackend;
pub use daemons::DaemonsBackend;
pub use history::HistoryBackend;
pub use role_allowlist::RoleAllowlistBackend;
pub use task_definitions::TaskDefinitionsBackend;
pub use tokens::TokensBackend;

use crate::api::PortalError;

/// Everything the UI's server functions need from storage and ECS.
pub trait Backend:
    TaskDefinitionsBackend
    + DaemonsBackend
    + ClustersBackend
    + ChangesBackend
    + AuthBackend
    + AuditBackend
    + AdminBackend
    + HistoryBackend
    + TokensBackend
    + RoleAllowlistBackend
    + Send
    + Sync
    + 'static
{
}
impl<
        T: TaskDefinitionsBackend
            + DaemonsBackend
            + ClustersBackend
            + ChangesBackend
            + AuthBackend
            + AuditBackend
            + AdminBackend
            + HistoryBackend
            + TokensBackend
            + RoleAllowlistBackend
            + Send
            + Sync
            + 'static,
    > Backend for T
{
}

pub type BackendHandle = Arc<dyn Backend>;

/// The backend provided by the server for this request.
pub fn backend() -> Result<BackendHandle, PortalError> {
    leptos::prelude::use_context::<BackendHandle>()
        .ok_or_else(|| PortalError::Internal("the server did not provide a backend".into()))
}
