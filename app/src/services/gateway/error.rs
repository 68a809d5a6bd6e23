//! Turns `aws-sdk-ecs` errors into the portal's error, keeping ECS's error code and message.

use std::error::Error as _;

use crate::api::PortalError;
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};

pub fn ecs_error<E, R>(err: SdkError<E, R>) -> PortalError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
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
        SdkError::DispatchFailure(e) => (
            "EndpointUnreachable".into(),
            format!(
                "The ECS endpoint could not be reached{}.",
                e.as_connector_error().and_then(|c| c.source()).map(|s| format!(": {s}")).unwrap_or_default()
            ),
        ),
        SdkError::ResponseError(_) => {
            ("InvalidResponse".into(), "ECS sent a response the portal could not read.".into())
        }
        other => ("Unknown".into(), other.to_string()),
    };
    tracing::warn!(%code, %message, "ECS call failed");
    PortalError::Ecs { code, message }
}
