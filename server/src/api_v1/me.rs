//! `GET /api/v1/me`: who the credentials stand for, as this API sees them (a token's
//! identity is narrowed to its scope).

use axum::Json;

use super::{
    dto::{
        common::ErrorBody,
        me::{Me, TeamRole},
    },
    extract::ApiUser,
};

#[utoipa::path(get, path = "/me", tag = "identity",
    responses((status = 200, description = "The caller.", body = Me),
              (status = 401, description = "No credentials, or an unknown, expired or revoked token.", body = ErrorBody)))]
pub async fn me(caller: ApiUser) -> Json<Me> {
    let u = caller.user;
    Json(Me {
        username: u.username,
        is_admin: u.is_admin,
        teams: u
            .teams
            .iter()
            .map(|(t, r)| TeamRole { team: t.clone(), role: r.as_str().to_string() })
            .collect(),
        auth: if caller.token_id.is_some() { "token" } else { "session" }.to_string(),
        token_id: caller.token_id,
    })
}
