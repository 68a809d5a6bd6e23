//! `GatewayError`: what can go wrong reading from or preparing a call to ECS.

use crate::{
    api::PortalError,
    domain::FieldErrors,
    services::error::{from_sdk_error, storage_failed, EcsFailure},
};

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// ECS answered with an error, or could not be reached.
    #[error(transparent)]
    Ecs(#[from] EcsFailure),
    /// The database (the change requests a daemon's live view is checked against). The detail
    /// goes to the log (`storage_failed`), never into a message.
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
    /// No such cluster, daemon or task definition; the message names it.
    #[error("{0}")]
    NotFound(String),
    /// What was asked cannot be done as given (a revision that is not ACTIVE, a provider the
    /// cluster lacks, a daemon that does not fit), by field.
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    /// ECS answered something the portal cannot use (a missing ARN, an unreadable definition).
    #[error("{0}")]
    Unexpected(String),
}

from_sdk_error!(GatewayError);

impl From<FieldErrors> for GatewayError {
    fn from(e: FieldErrors) -> Self {
        GatewayError::Invalid(e)
    }
}

impl GatewayError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, message);
        GatewayError::Invalid(e)
    }

    /// The ECS failure behind this error, if it is one.
    pub fn ecs(&self) -> Option<&EcsFailure> {
        match self {
            GatewayError::Ecs(e) => Some(e),
            _ => None,
        }
    }
}

impl From<GatewayError> for PortalError {
    fn from(e: GatewayError) -> Self {
        match e {
            GatewayError::Ecs(e) => e.into(),
            GatewayError::Db(e) => storage_failed(&e),
            GatewayError::NotFound(m) => PortalError::NotFound(m),
            GatewayError::Invalid(f) => PortalError::Invalid(f),
            GatewayError::Unexpected(m) => PortalError::Internal(m),
        }
    }
}
