//! `PromotionError`: why a pipeline or promotion could not be saved, started or moved.

use crate::{
    api::PortalError,
    domain::FieldErrors,
    services::{changes::ChangeError, error::storage_failed, gateway::error::GatewayError},
};

#[derive(Debug, thiserror::Error)]
pub enum PromotionError {
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("the database did not answer")]
    Db(#[from] sqlx::Error),
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    NotAllowed(String),
    /// Not in a state that allows this; the message says what is possible.
    #[error("{0}")]
    Conflict(String),
}

impl From<FieldErrors> for PromotionError {
    fn from(e: FieldErrors) -> Self {
        PromotionError::Invalid(e)
    }
}

impl From<PortalError> for PromotionError {
    fn from(e: PortalError) -> Self {
        match e {
            PortalError::Forbidden(m) => PromotionError::NotAllowed(m),
            PortalError::NotFound(m) => PromotionError::NotFound(m),
            PortalError::Invalid(f) => PromotionError::Invalid(f),
            other => PromotionError::Conflict(other.to_string()),
        }
    }
}

impl PromotionError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, message);
        PromotionError::Invalid(e)
    }
}

impl From<PromotionError> for PortalError {
    fn from(e: PromotionError) -> Self {
        match e {
            PromotionError::Change(e) => e.into(),
            PromotionError::Gateway(e) => e.into(),
            PromotionError::Db(e) => storage_failed(&e),
            PromotionError::Invalid(f) => PortalError::Invalid(f),
            PromotionError::NotFound(m) => PortalError::NotFound(m),
            PromotionError::NotAllowed(m) => PortalError::Forbidden(m),
            PromotionError::Conflict(m) => PortalError::Conflict(m),
        }
    }
}
