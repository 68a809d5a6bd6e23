//! `EnvironmentsError`: why an environment could not be added, removed or found.

use crate::{api::PortalError, domain::FieldErrors, services::error::storage_failed};

#[derive(Debug, thiserror::Error)]
pub enum EnvironmentsError {
    /// The detail goes to the log (`storage_failed`), never into a message.
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
    #[error("There is no environment {0}.")]
    NoSuchEnvironment(String),
    #[error("An environment named {0} already exists.")]
    NameTaken(String),
    /// One side of a comparison names no definition the portal can read.
    #[error("{message}")]
    BadSide { field: &'static str, message: String },
    #[error("{0} is defined in the PORTAL_ENVIRONMENTS file; change it there.")]
    FromFile(String),
    #[error(
        "{0} is the default environment, which holds the portal's existing history; it cannot be removed."
    )]
    IsDefault(String),
}

impl From<EnvironmentsError> for PortalError {
    fn from(e: EnvironmentsError) -> Self {
        match e {
            EnvironmentsError::Db(e) => storage_failed(&e),
            e @ EnvironmentsError::NameTaken(_) => {
                let mut f = FieldErrors::new();
                f.add("name", e.to_string());
                PortalError::Invalid(f)
            }
            EnvironmentsError::BadSide { field, message } => {
                let mut f = FieldErrors::new();
                f.add(field, message);
                PortalError::Invalid(f)
            }
            e @ EnvironmentsError::NoSuchEnvironment(_) => PortalError::NotFound(e.to_string()),
            e @ (EnvironmentsError::FromFile(_) | EnvironmentsError::IsDefault(_)) => {
                PortalError::Conflict(e.to_string())
            }
        }
    }
}
