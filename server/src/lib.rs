//! The Daemon Portal server: configuration, storage, the ECS client, the HTTP router.

pub mod admin;
pub mod api_v1;
pub mod auth;
pub mod backend;
pub mod cache;
pub mod changes;
pub mod config;
pub mod db;
pub mod ecs;
pub mod ecs_error;
pub mod error;
pub mod health;
pub mod history;
pub mod ids;
pub mod legacy_ids;
pub mod sim_proxy;
pub mod sql_builder;
pub mod startup;
pub mod state;
pub mod telemetry;
