//! `GET /api/v1/me`: who the credentials stand for, as this API sees them (a token's
//! identity is narrowed to its scope).

use axum::Json;
use serde_json::{json, Value};

use super::extract::ApiUser;

pub async fn me(caller: ApiUser) -> Json<Value> {
    let u = caller.user;
    Json(json!({
        "username": u.username,
        "is_admin": u.is_admin,
        "teams": u.teams.iter().map(|(t, r)| json!({"team": t, "role": r.as_str()})).collect::<Vec<_>>(),
        "auth": if caller.token_id.is_some() { "token" } else { "session" },
        "token_id": caller.token_id,
    }))
}
