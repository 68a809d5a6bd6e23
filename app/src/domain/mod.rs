//! Domain types that parse user input. Compiled into both the browser (for immediate, inline
//! validation) and the server (which validates again): the rules live only here.

pub mod account;
pub mod api_token;
pub mod blast_radius;
pub mod capacity;
pub mod change;
pub mod copy;
pub mod deletion;
pub mod delivery;
pub mod delivery_window;
pub mod deployment;
pub mod diff;
pub mod environment;
pub mod errors;
pub mod form;
pub mod freeze;
pub mod history;
pub mod iac;
pub mod names;
pub mod pipeline;
pub mod policy;
pub mod promotion;
pub mod role_allowlist;
pub mod role_arn;
pub mod sizes;
pub mod task_definition;
pub mod utc;

pub use errors::{FieldErrors, ForField};
