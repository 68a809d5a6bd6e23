//! The one error body of `/api/v1`: `{"error": {"code": "…", "message": "…"}}` with a 4xx or
//! 5xx status. Codes are stable (clients branch on them); messages are for people.

use app::{
    api::PortalError,
    domain::FieldErrors,
    services::{changes::ChangeError, gateway::error::GatewayError, history::HistoryError},
};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Per-field messages of a validation error.
    pub fields: Option<serde_json::Value>,
}

/// Every code this API answers with (the OpenAPI document lists them: `dto::common::ErrorCode`).
#[cfg(test)]
pub fn codes() -> Vec<&'static str> {
    super::dto::common::ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: None }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Send an API token as `Authorization: Bearer dpt_…` (create one under API tokens).",
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(fields) = self.fields {
            error["fields"] = fields;
        }
        let mut res = (self.status, Json(json!({ "error": error }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// A query string that does not read as the route's parameters.
impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("The query string could not be read: {e}"),
        )
    }
}

impl From<PortalError> for ApiError {
    fn from(e: PortalError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = e.to_string();
        let code = match &e {
            PortalError::Invalid(_) => "invalid",
            PortalError::BadRequest(_) => "bad_request",
            PortalError::Ecs { .. } => "ecs_error",
            PortalError::NotFound(_) => "not_found",
            PortalError::Conflict(_) => "conflict",
            PortalError::Unauthenticated | PortalError::WrongCredentials => "unauthenticated",
            PortalError::Forbidden(_) => "forbidden",
            PortalError::TooManyAttempts(_) => "too_many_requests",
            PortalError::Internal(_) => "internal",
        };
        let fields = e.fields().and_then(|f| serde_json::to_value(&f.0).ok());
        Self { status, code, message, fields }
    }
}

/// A service's error (or a validation error) answers as the UI's would: through its one
/// conversion to `PortalError`.
macro_rules! from_service_error {
    ($($service_error:ty),*) => {$(
        impl From<$service_error> for ApiError {
            fn from(e: $service_error) -> Self {
                PortalError::from(e).into()
            }
        }
    )*};
}
from_service_error!(ChangeError, GatewayError, HistoryError, FieldErrors);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_sent_is_documented() {
        let codes = codes();
        for e in [
            PortalError::invalid("x", "y"),
            PortalError::BadRequest("x".into()),
            PortalError::NotFound("x".into()),
            PortalError::Conflict("x".into()),
            PortalError::Unauthenticated,
            PortalError::Forbidden("x".into()),
            PortalError::Internal("x".into()),
        ] {
            let code = ApiError::from(e).code;
            assert!(codes.contains(&code), "{code}");
        }
    }

    #[test]
    fn portal_errors_keep_their_status_and_get_a_code() {
        let e = ApiError::from(PortalError::invalid("comment", "Required."));
        assert_eq!((e.status.as_u16(), e.code), (422, "invalid"));
        assert_eq!(e.fields.unwrap()["comment"], "Required.");
        let e = ApiError::from(PortalError::Forbidden("no".into()));
        assert_eq!((e.status.as_u16(), e.code, e.message.as_str()), (403, "forbidden", "no"));
        assert_eq!(ApiError::from(PortalError::NotFound("x".into())).status, StatusCode::NOT_FOUND);
    }
}
