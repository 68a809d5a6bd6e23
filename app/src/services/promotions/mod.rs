//! Progressive delivery: pipelines and promotions (`domain::pipeline`, `domain::promotion`).
//!
//! A promotion's stage deploys through an ordinary change request, made for whoever started
//! the promotion, so approval policies, freezes, ownership, exactly-once execution and the
//! rollout history apply to it as to any change. The worker drives promotions from database
//! state only (`drive.rs`), each under a lease and each step one conditional UPDATE
//! (`store.rs`), so after a restart every promotion goes on where it was and with several
//! replicas each is advanced by one.
//!
//! - `store`: SQL; `pipelines`: saving and listing pipelines, the embedded example;
//! - `control`: what people do (start, pause, resume, abort, promote, roll back stages);
//! - `drive`: the worker's step of one promotion, gate by gate;
//! - `gates`: what a gate reads (instances on the revision, alarms, delivery windows);
//! - `views`: what the pages show.

pub mod blast_radius;
pub mod calendar;
pub mod control;
pub mod drive;
pub mod error;
pub mod gates;
pub mod pipelines;
pub mod store;
pub mod views;

pub use error::PromotionError;

use super::ChangeEngine;

/// Pipelines and promotions. Acts through the change engine (one per environment, `within`).
#[derive(Clone)]
pub struct Promotions {
    pub changes: ChangeEngine,
}

impl Promotions {
    pub fn db(&self) -> &super::Db {
        &self.changes.db
    }
}

/// How long a replica holds a promotion while it steps it.
pub const LEASE_MS: i64 = 30_000;
