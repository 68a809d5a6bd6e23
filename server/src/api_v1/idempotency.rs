//! `Idempotency-Key` on POST: a client that retries a call (its connection dropped, it timed
//! out) with the same key and body gets the first call's answer, and the call is not made
//! twice. Keys are per caller and kept 24 hours (`api_idempotency`).
//!
//! - The first call inserts the key (one conditional INSERT, so of two calls at once exactly
//!   one runs) and stores the answer when it is done. A 5xx is not stored: the key is freed
//!   so the retry runs.
//! - The same key with another method, path or body: 422 `idempotency_key_reused`.
//! - The same key while the first call still runs: 409 `idempotency_in_progress`. A call
//!   claimed more than [`ABANDONED_MS`] ago without an answer was cut off (its replica died);
//!   the next call takes the key over.

use app::{auth::CurrentUser, services::clock::now_ms};
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::error::ApiError;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
/// Answers are replayed for this long.
pub const KEEP_MS: i64 = 24 * 3600 * 1000;
/// A claim older than this without an answer belongs to a call that will never finish.
pub const ABANDONED_MS: i64 = 120_000;
/// The largest answer stored (bigger ones are sent but not kept, and the key is freed).
const MAX_ANSWER: usize = 1024 * 1024;

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    let Some(user) = req.extensions().get::<CurrentUser>().map(|u| u.username.clone()) else {
        // Unauthenticated: the handler answers 401; nothing to remember.
        return next.run(req).await;
    };
    let key = match parse_key(&key) {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, super::MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return super::extract::too_large().into_response(),
    };
    let hash = call_hash(&parts.method, parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(""), &bytes);
    let db = &state.services.db;
    match claim(db, &user, &key, &hash).await {
        Ok(Claim::Ours) => {}
        Ok(Claim::Answered { call_hash, status, content_type, body }) => {
            if call_hash != hash {
                return reused();
            }
            return replay(status, &content_type, body);
        }
        Ok(Claim::Running { call_hash }) => {
            if call_hash != hash {
                return reused();
            }
            return ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "A call with this Idempotency-Key is still running; retry in a moment.",
            )
            .into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "idempotency key");
            return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Could not record the key.")
                .into_response();
        }
    }
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (res_parts, res_body) = res.into_parts();
    let answer = to_bytes(res_body, MAX_ANSWER).await;
    let stored = match &answer {
        Ok(b) if !res_parts.status.is_server_error() => {
            let content_type = res_parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            store(db, &user, &key, res_parts.status.as_u16(), &content_type, b).await
        }
        _ => release(db, &user, &key).await,
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "idempotency answer");
    }
    match answer {
        Ok(b) => Response::from_parts(res_parts, Body::from(b)),
        Err(_) => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "The answer could not be read.")
                .into_response()
        }
    }
}

fn parse_key(v: &HeaderValue) -> Result<String, ApiError> {
    let k = v.to_str().unwrap_or("").trim();
    if k.is_empty() || k.len() > 255 || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Idempotency-Key must be 1 to 255 printable ASCII characters (a UUID is a good choice).",
        ));
    }
    Ok(k.to_string())
}

fn call_hash(method: &Method, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn reused() -> Response {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "This Idempotency-Key was used for another call (another path or body); use a new key per call.",
    )
    .into_response()
}

fn replay(status: i64, content_type: &str, body: String) -> Response {
    let status =
        u16::try_from(status).ok().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::OK);
    let mut res = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}

enum Claim {
    Ours,
    Running { call_hash: String },
    Answered { call_hash: String, status: i64, content_type: String, body: String },
}

async fn claim(db: &app::services::db::Db, user: &str, key: &str, hash: &str) -> Result<Claim, sqlx::Error> {
    let now = now_ms();
    sqlx::query("DELETE FROM api_idempotency WHERE created_at < $1")
        .bind(now - KEEP_MS)
        .execute(db.pool())
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO api_idempotency (username, idem_key, call_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (username, idem_key) DO NOTHING",
    )
    .bind(user)
    .bind(key)
    .bind(hash)
    .bind(now)
    .execute(db.pool())
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Ours);
    }
    // Take over a claim whose call was cut off (same call only).
    let taken = sqlx::query(
        "UPDATE api_idempotency SET created_at = $1 \
         WHERE username = $2 AND idem_key = $3 AND call_hash = $4 AND status = 0 AND created_at < $5",
    )
    .bind(now)
    .bind(user)
    .bind(key)
    .bind(hash)
    .bind(now - ABANDONED_MS)
    .execute(db.pool())
    .await?;
    if taken.rows_affected() == 1 {
        return Ok(Claim::Ours);
    }
    let row = sqlx::query(
        "SELECT call_hash, status, content_type, response FROM api_idempotency WHERE username = $1 AND idem_key = $2",
    )
    .bind(user)
    .bind(key)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        // Freed between the insert and the read (the first call failed): run this one.
        return Box::pin(claim(db, user, key, hash)).await;
    };
    let call_hash: String = row.try_get("call_hash")?;
    let status: i64 = row.try_get("status")?;
    if status == 0 {
        return Ok(Claim::Running { call_hash });
    }
    Ok(Claim::Answered {
        call_hash,
        status,
        content_type: row.try_get("content_type")?,
        body: row.try_get("response")?,
    })
}

async fn store(
    db: &app::services::db::Db,
    user: &str,
    key: &str,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    let Ok(text) = std::str::from_utf8(body) else {
        return release(db, user, key).await;
    };
    sqlx::query(
        "UPDATE api_idempotency SET status = $1, content_type = $2, response = $3 \
         WHERE username = $4 AND idem_key = $5",
    )
    .bind(i64::from(status))
    .bind(content_type)
    .bind(text)
    .bind(user)
    .bind(key)
    .execute(db.pool())
    .await?;
    Ok(())
}

async fn release(db: &app::services::db::Db, user: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM api_idempotency WHERE username = $1 AND idem_key = $2 AND status = 0")
        .bind(user)
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_tells_calls_apart() {
        let a = call_hash(&Method::POST, "/change-requests", b"{}");
        assert_eq!(a, call_hash(&Method::POST, "/change-requests", b"{}"));
        assert_ne!(a, call_hash(&Method::POST, "/change-requests", b"{ }"));
        assert_ne!(a, call_hash(&Method::POST, "/task-definitions", b"{}"));
    }

    #[test]
    fn keys_are_printable_and_bounded() {
        assert!(parse_key(&HeaderValue::from_static("3f1c-ab")).is_ok());
        assert!(parse_key(&HeaderValue::from_static("")).is_err());
        assert!(parse_key(&HeaderValue::from_str(&"k".repeat(256)).unwrap()).is_err());
        assert!(parse_key(&HeaderValue::from_static("a b")).is_err());
    }
}
