//! The Daemon Portal server: configuration, the HTTP router and its layers, `/api/v1`, and the
//! process (ECS client, worker). What the portal does lives in `app::services`.

pub mod api_status;
pub mod api_v1;
pub mod auth;
pub mod config;
pub mod ecs;
pub mod environments;
pub mod export;
pub mod health;
pub mod iac_export;
pub mod metrics;
pub mod sim_proxy;
pub mod startup;
pub mod state;
pub mod telemetry;

// The services layer's modules under their former names (tests and tools use these paths).
pub use app::services::{changes, db, history};
pub mod admin {
    pub use app::services::accounts::teams as accounts;
    pub use app::services::policies::{approval_policies as policies, freezes, role_grants, seed};
}
