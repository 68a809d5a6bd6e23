use serde::Serialize;
use utoipa::ToSchema;

/// Who the credentials stand for (a token's identity narrowed to its scope).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Me {
    pub username: String,
    pub is_admin: bool,
    pub teams: Vec<TeamRole>,
    /// `token` or `session`.
    pub auth: String,
    /// The token's id when the call came with one.
    pub token_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRole {
    pub team: String,
    /// `viewer`, `deployer` or `approver`.
    pub role: String,
}
