//! The server's integration tests, one binary (one link of Leptos and the AWS SDK instead of
//! one per file): each module spawns the whole portal on port 0 against SQLite or PostgreSQL
//! and its embedded ECS emulator through [`helpers::TestApp`].

#[macro_use]
mod helpers;

mod admin;
mod api_contract;
mod api_tokens;
mod api_v1;
mod auth;
mod capacity;
mod changes;
mod daemons;
mod dashboard;
mod delivery;
mod environment_scope;
mod environments;
mod fleet;
mod health;
mod history;
mod iac_export;
mod metrics;
mod policies;
mod promotions;
mod proxy_auth;
mod role_allowlist;
mod role_names;
mod storage;
mod task_definitions;
mod upgrade;
