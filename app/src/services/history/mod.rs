//! Rollout history: one row per rollout in `rollouts` (from the portal, or noticed out of band).
//!
//! `store` is the small write API the change-request worker and the drift check call;
//! `query` is the keyset-paginated, filtered read the History page and its exports use;
//! `views` shapes it for the pages.

pub mod dashboard;
pub mod durations;
pub mod query;
pub mod rows;
pub mod store;
pub mod views;

pub use query::{list_rollouts, Cursor, PageAt, RolloutFilter, RolloutPage, RolloutRow};
pub use store::{finish_rollout, insert_rollout, set_deployment, NewRollout};

use super::{error::storage_failed, Db};
use crate::api::PortalError;

/// `History`: the rollouts the History page, its exports and /api/v1 read.
#[derive(Clone)]
pub struct History {
    pub db: Db,
}

/// Reading history can only fail by its database not answering.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The detail goes to the log (`storage_failed`), never into a message.
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
}

impl From<HistoryError> for PortalError {
    fn from(e: HistoryError) -> Self {
        match e {
            HistoryError::Db(e) => storage_failed(&e),
        }
    }
}
