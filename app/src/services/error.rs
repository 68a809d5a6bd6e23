//! The two failures every service can meet: an ECS call that failed (`EcsFailure`) and a
//! database that did not answer (`sqlx::Error`). Each service has its own small error type
//! (`GatewayError`, `ChangeError`, `AccountsError`, `PolicyError`, `HistoryError`,
//! `AuditError`) that names its own reasons, wraps these two with `From` so `?` works, and
//! converts to `PortalError` in one place; server functions then use `?` on any of them.

use std::error::Error as _;

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};

use crate::api::PortalError;

/// An ECS call that failed: ECS's error code and message, or the transport failure in the
/// same shape (`Timeout`, `EndpointUnreachable`, `InvalidResponse`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct EcsFailure {
    pub code: String,
    pub message: String,
}

impl EcsFailure {
    pub fn is(&self, code: &str) -> bool {
        self.code == code
    }

    /// "Not now", or an answer that leaves unknown whether the call took effect: a caller
    /// tries again later (a mutating call is then looked for before it is sent again).
    pub fn transient(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ThrottlingException"
                | "ServerException"
                | "ServiceUnavailableException"
                | "InternalFailure"
                | "EndpointUnreachable"
                | "Timeout"
                | "InvalidResponse"
        )
    }
}

impl<E, R> From<SdkError<E, R>> for EcsFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(err: SdkError<E, R>) -> Self {
        let (code, message) = match &err {
            SdkError::ServiceError(e) => {
                let inner = e.err();
                let code = inner.code().unwrap_or("Unknown").to_string();
                let message = inner.message().map(str::to_string).unwrap_or_else(|| inner.to_string());
                let message = match code.as_str() {
                    "ThrottlingException" => {
                        format!("ECS is throttling requests; wait a moment and try again. ({message})")
                    }
                    _ => message,
                };
                (code, message)
            }
            SdkError::TimeoutError(_) => ("Timeout".into(), "ECS did not answer in time; try again.".into()),
            // Credentials are resolved before a request is sent: a refused AssumeRole is a
            // failure to send, with STS's answer among its causes. Still "not now" (nothing
            // reached ECS; the role may be fixed), but said as what it is.
            SdkError::DispatchFailure(_)
                if aws_sdk_ecs::error::DisplayErrorContext(&err).to_string().contains("credentials") =>
            {
                let chain = aws_sdk_ecs::error::DisplayErrorContext(&err).to_string();
                let sts = crate::services::environments::checks::sts_code(&chain)
                    .map(|c| format!(" (STS answered {c})"))
                    .unwrap_or_default();
                (
                    "EndpointUnreachable".into(),
                    format!(
                        "The environment's credentials could not be obtained{sts}; nothing was sent to ECS."
                    ),
                )
            }
            SdkError::DispatchFailure(e) => (
                "EndpointUnreachable".into(),
                format!(
                    "The ECS endpoint could not be reached{}.",
                    e.as_connector_error()
                        .and_then(|c| c.source())
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default()
                ),
            ),
            SdkError::ResponseError(_) => {
                ("InvalidResponse".into(), "ECS sent a response the portal could not read.".into())
            }
            other => ("Unknown".into(), other.to_string()),
        };
        // "Not found" is how the portal asks whether something exists: not worth a warning.
        if code.ends_with("NotFoundException") {
            tracing::debug!(%code, %message, "ECS call answered not found");
        } else {
            tracing::warn!(%code, %message, "ECS call failed");
        }
        EcsFailure { code, message }
    }
}

impl From<EcsFailure> for PortalError {
    fn from(e: EcsFailure) -> Self {
        PortalError::Ecs { code: e.code, message: e.message }
    }
}

/// A database failure as the client sees it: the detail goes to the log, never to the client.
pub fn storage_failed(e: &sqlx::Error) -> PortalError {
    tracing::error!(error = %e, "database error");
    PortalError::Internal("the database did not answer".into())
}

/// Implements `From<SdkError<…>>` for a service error that holds ECS failures, for every
/// operation's error type at once.
macro_rules! from_sdk_error {
    ($service_error:ty) => {
        impl<E, R> From<aws_sdk_ecs::error::SdkError<E, R>> for $service_error
        where
            E: aws_sdk_ecs::error::ProvideErrorMetadata + std::error::Error + 'static,
            R: std::fmt::Debug,
        {
            fn from(e: aws_sdk_ecs::error::SdkError<E, R>) -> Self {
                crate::services::error::EcsFailure::from(e).into()
            }
        }
    };
}
pub(crate) use from_sdk_error;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_and_lost_answers_are_transient_and_refusals_are_not() {
        let f = |code: &str| EcsFailure { code: code.into(), message: String::new() };
        assert!(f("ThrottlingException").transient());
        assert!(f("ServerException").transient());
        assert!(f("Timeout").transient());
        assert!(!f("ClientException").transient());
        assert!(!f("DaemonNotFoundException").transient());
    }

    #[test]
    fn an_ecs_failure_keeps_its_code_for_the_client() {
        let e: PortalError = EcsFailure { code: "ClientException".into(), message: "no".into() }.into();
        assert_eq!(e, PortalError::Ecs { code: "ClientException".into(), message: "no".into() });
        assert_eq!(e.status(), 400);
    }
}
