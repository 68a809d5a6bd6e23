//! Errors: the AWS-facing `ApiError` (an exception name plus message, as the
//! awsJson1_1 protocol carries it) and `SimError` for starting the emulator.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// An error answered to an AWS client: `{"__type": kind, "message": ...}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", message)
    }
    pub fn client(message: impl Into<String>) -> Self {
        Self::new("ClientException", message)
    }
    pub fn cluster_not_found() -> Self {
        Self::new("ClusterNotFoundException", "Cluster not found.")
    }
    pub fn daemon_not_found(arn: &str) -> Self {
        Self::new("DaemonNotFoundException", format!("Daemon not found: {arn}"))
    }
    pub fn server(message: impl Into<String>) -> Self {
        Self::new("ServerException", message)
    }

    pub fn status(&self) -> StatusCode {
        match self.kind {
            "ServerException" => StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceUnavailableException" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "__type": self.kind, "message": self.message });
        let mut resp = (self.status(), body.to_string()).into_response();
        let headers = resp.headers_mut();
        headers.insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
        headers.insert("x-amzn-errortype", HeaderValue::from_static(self.kind));
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Errors starting or configuring the emulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid world file {path}: {message}")]
    World { path: String, message: String },
    #[error("invalid state file {path}: {message}")]
    StateFile { path: String, message: String },
}
