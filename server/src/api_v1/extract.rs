//! Extractors that answer in the API's error format: the caller ([`ApiUser`]) and a JSON
//! body ([`ApiJson`]) whose rejections become `malformed_json` (400), `invalid_body` (422),
//! `unsupported_media_type` (415) or `payload_too_large` (413).

use app::auth::{ClientIp, CurrentUser, TokenAuth};
use axum::{
    extract::{rejection::JsonRejection, FromRequest, FromRequestParts, Request},
    http::{request::Parts, StatusCode},
    Json,
};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The authenticated caller (token, session or SSO proxy), with their address.
pub struct ApiUser {
    pub user: CurrentUser,
    pub ip: String,
    /// The token's id when the request came with one.
    pub token_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let user = parts.extensions.get::<CurrentUser>().cloned().ok_or_else(ApiError::unauthenticated)?;
        Ok(Self {
            user,
            ip: parts.extensions.get::<ClientIp>().map(|i| i.0.clone()).unwrap_or_default(),
            token_id: parts.extensions.get::<TokenAuth>().map(|t| t.token_id.clone()),
        })
    }
}

/// A JSON body, refused in the API's error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let detail = r.body_text();
    match r {
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("The body does not fit: {detail}"),
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("The body is not valid JSON: {detail}"),
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as `Content-Type: application/json`.",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("The body could not be read: {detail}"),
        ),
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("The body is larger than {} KiB.", super::MAX_BODY / 1024),
    )
}
