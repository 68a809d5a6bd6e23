use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::domain::FieldErrors;

/// The one error type of every server function. Serialized as JSON, so API clients get a
/// body like `{"Invalid": {"family": "…"}}` with a 4xx status; the UI shows field errors next
/// to their fields and everything else at the top of the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum PortalError {
    /// Input that failed validation, keyed by field.
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    /// An error answered by ECS (or the failure to reach it), with the ECS error code.
    #[error("{message}")]
    Ecs { code: String, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    /// A login with a wrong username or password.
    #[error("Wrong username or password.")]
    WrongCredentials,
    /// Too many failed logins; the message says when to try again.
    #[error("{0}")]
    TooManyAttempts(String),
    /// The request itself was malformed (undecodable arguments, too large, …).
    #[error("{0}")]
    BadRequest(String),
    #[error("Something went wrong on the server: {0}")]
    Internal(String),
}

impl From<FieldErrors> for PortalError {
    fn from(e: FieldErrors) -> Self {
        PortalError::Invalid(e)
    }
}

impl PortalError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::new();
        e.add(field, message);
        PortalError::Invalid(e)
    }

    /// The HTTP status the server answers this error with: the one rule, applied to server
    /// function calls by the server's `/api` layer (`server/src/api_status.rs`) and to page
    /// renders by `components::alert::LoadError`.
    pub fn status(&self) -> u16 {
        match self {
            PortalError::Invalid(_) => 422,
            PortalError::BadRequest(_) => 400,
            PortalError::Ecs { code, .. } => match code.as_str() {
                "ThrottlingException" => 429,
                "ServerException" | "EndpointUnreachable" | "Timeout" => 502,
                c if c.ends_with("NotFoundException") => 404,
                _ => 400,
            },
            PortalError::NotFound(_) => 404,
            PortalError::Conflict(_) => 409,
            PortalError::Unauthenticated => 401,
            PortalError::Forbidden(_) => 403,
            PortalError::WrongCredentials => 401,
            PortalError::TooManyAttempts(_) => 429,
            PortalError::Internal(_) => 500,
        }
    }

    /// Field errors, if this is a validation error.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            PortalError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}

/// A browser's plain form post (no JavaScript): a POST that asks for HTML. (A page view is a
/// GET that asks for HTML too; its errors keep their status.)
#[cfg(feature = "ssr")]
pub(crate) fn plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>()
        .filter(|p| p.method == http::Method::POST)
        .and_then(|p| p.headers.get(http::header::ACCEPT)?.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false)
}

impl FromServerFnError for PortalError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::Deserialization(m) => {
                PortalError::BadRequest(format!("The request could not be read: {m}"))
            }
            ServerFnErrorErr::Request(m) => PortalError::Ecs {
                code: "Request".into(),
                message: format!("The portal did not answer: {m}"),
            },
            other => PortalError::Internal(other.to_string()),
        }
    }
}
