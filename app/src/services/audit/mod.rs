//! `Audit`: the append-only audit log. `log` appends (inserts only, never updates or deletes);
//! `query` is the keyset-paginated, filtered read the Audit page and its exports use; `views`
//! shapes it for the page.

pub mod log;
pub mod query;
mod record;
pub mod views;

use super::{error::storage_failed, Db};
use crate::api::PortalError;

#[derive(Clone)]
pub struct Audit {
    pub db: Db,
}

/// The audit log can only fail by its database not answering.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The detail goes to the log (`storage_failed`), never into a message.
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
}

impl From<AuditError> for PortalError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Db(e) => storage_failed(&e),
        }
    }
}
