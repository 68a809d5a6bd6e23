//! `ChangeError`: why a change request could not be submitted, reviewed, edited or stepped.

use crate::{
    api::PortalError,
    domain::FieldErrors,
    services::{
        error::{from_sdk_error, storage_failed, EcsFailure},
        gateway::error::GatewayError,
        policies::PolicyError,
    },
};

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// ECS refused or could not answer, or refused what the request asks (via the gateway).
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Environment(#[from] crate::services::environments::EnvironmentsError),
    /// The detail goes to the log (`storage_failed`), never into a message.
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
    #[error("There is no change request {0}.")]
    NoSuchRequest(String),
    /// The input, by field.
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    /// The caller may not do this (not the requester, not an approver, not the owning team).
    #[error("{0}")]
    NotAllowed(String),
    /// The request is not in a state that allows this (expired, stale version, already
    /// reviewed, frozen); the message says what to do.
    #[error("{0}")]
    Conflict(String),
    /// Something the portal itself stored is unusable (an unreadable stored ECS call, a
    /// deployment ARN another request already records).
    #[error("{0}")]
    Corrupt(String),
}

from_sdk_error!(ChangeError);

impl From<FieldErrors> for ChangeError {
    fn from(e: FieldErrors) -> Self {
        ChangeError::Invalid(e)
    }
}

impl From<EcsFailure> for ChangeError {
    fn from(e: EcsFailure) -> Self {
        ChangeError::Gateway(e.into())
    }
}

impl ChangeError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, message);
        ChangeError::Invalid(e)
    }

    /// The ECS failure behind this error, if it is one.
    pub fn ecs(&self) -> Option<&EcsFailure> {
        match self {
            ChangeError::Gateway(g) => g.ecs(),
            _ => None,
        }
    }
}

impl From<ChangeError> for PortalError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::Gateway(e) => e.into(),
            ChangeError::Policy(e) => e.into(),
            ChangeError::Environment(e) => e.into(),
            ChangeError::Db(e) => storage_failed(&e),
            e @ ChangeError::NoSuchRequest(_) => PortalError::NotFound(e.to_string()),
            ChangeError::Invalid(f) => PortalError::Invalid(f),
            ChangeError::NotAllowed(m) => PortalError::Forbidden(m),
            ChangeError::Conflict(m) => PortalError::Conflict(m),
            ChangeError::Corrupt(m) => PortalError::Internal(m),
        }
    }
}
