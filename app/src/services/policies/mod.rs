//! Approval policies (`approval_policies`, with `combined_for`: every policy of a request's scope),
//! freeze windows, the embedded default policies (`seed`) and the role allowlist's grants.

mod admin;
pub mod approval_policies;
pub mod delivery_windows;
pub mod error;
pub mod freezes;
pub mod recurrence;
mod role_allowlist;
pub mod role_grants;
pub mod rows;
pub mod seed;
pub mod windows;

use super::Db;

pub use error::PolicyError;

/// `Policies`: the rules a change must pass: approval policies, freeze windows, and which
/// IAM roles a team's task definitions may name.
#[derive(Clone)]
pub struct Policies {
    pub db: Db,
    /// IAM role ARNs configured for everyone (`PORTAL_ROLES`).
    pub roles: Vec<String>,
}
