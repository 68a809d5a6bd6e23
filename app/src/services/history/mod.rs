//! Rollout history: one row per rollout in `rollouts` (from the portal, or noticed out of band).
//!
//! `store` is the small write API the change-request worker and the drift check call;
//! `query` is the keyset-paginated, filtered read the History page and its exports use;
//! `views` shapes it for the pages.

pub mod query;
pub mod rows;
pub mod store;
pub mod views;

pub use query::{list_rollouts, Cursor, PageAt, RolloutFilter, RolloutPage, RolloutRow};
pub use store::{finish_rollout, insert_rollout, set_deployment, NewRollout};

use super::Db;

/// `History`: the rollouts the History page, its exports and /api/v1 read.
#[derive(Clone)]
pub struct History {
    pub db: Db,
}
