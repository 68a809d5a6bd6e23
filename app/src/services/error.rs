//! How storage and ECS failures become the portal's one error type, so `?` works in services
//! and server functions alike. Database details go to the log, never to the client; ECS errors
//! keep ECS's code and message (`gateway::error`).

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};

use crate::api::PortalError;

impl From<sqlx::Error> for PortalError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        PortalError::Internal("the database did not answer".into())
    }
}

impl<E, R> From<SdkError<E, R>> for PortalError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(e: SdkError<E, R>) -> Self {
        super::gateway::error::ecs_error(e)
    }
}

/// A database error as the portal's error type, for `map_err` where `?` does not apply.
pub fn db_error(e: sqlx::Error) -> PortalError {
    e.into()
}
