//! Server functions and the types they exchange with the browser, one module per area.

pub mod admin;
pub mod auth;
pub mod changes;
pub mod clusters;
pub mod copy;
pub mod daemons;
pub mod dashboard;
pub mod delivery;
pub mod environments;
mod error;
pub mod fleet;
pub mod history;
pub mod promotions;
pub mod role_allowlist;
pub mod task_definitions;
pub mod tokens;
pub mod windows;

pub use error::PortalError;
