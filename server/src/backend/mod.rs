//! The server's implementation of `app::backend::Backend`: what server functions call.
//! One file per area, mirroring `app/src/backend/`.

mod admin;
mod audit;
mod auth;
mod capacity_guard;
mod changes;
mod clusters;
mod daemon_live;
pub(crate) mod daemons;
pub(crate) mod ecs_paging;
pub(crate) mod ecs_queries;
pub mod history;
mod role_allowlist;
mod task_definitions;
mod tokens;
