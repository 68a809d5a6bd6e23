//! Rollout history: one row per rollout in `rollouts` (from the portal, or noticed out of band).
//!
//! `store` is the small write API the change-request worker and the drift check call;
//! `query` is the keyset-paginated, filtered read the History page and its exports use;
//! `audit` the same read over the (append-only) audit log; `export` the CSV/JSON downloads.

pub mod audit;
pub mod export;
pub mod query;
pub mod rows;
pub mod store;

pub use query::{list_rollouts, Cursor, PageAt, RolloutFilter, RolloutPage, RolloutRow};
pub use store::{finish_rollout, insert_rollout, set_deployment, NewRollout};
