//! Rows of the admin tables as sqlx reads them (`query_as`); `freezes.rs`, `policies.rs` and
//! `accounts.rs` turn them into the domain's types. Enums are converted here.

use crate::auth::Role;

/// `freeze_windows.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreezeKind {
    Once,
    Weekly,
}

impl FreezeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Once => "once",
            Self::Weekly => "weekly",
        }
    }
}

impl TryFrom<String> for FreezeKind {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        [Self::Once, Self::Weekly]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown kind {s:?}"))
    }
}

/// `freezes::COLUMNS`. The schedule columns a kind does not use hold their defaults.
#[derive(sqlx::FromRow)]
pub struct FreezeRow {
    pub id: String,
    pub environment: String,
    pub cluster: String,
    pub capacity_provider: String,
    #[sqlx(try_from = "String")]
    pub kind: FreezeKind,
    pub starts_at: i64,
    pub ends_at: i64,
    /// JSON array of weekdays.
    pub weekdays: String,
    pub start_minute: i64,
    pub end_minute: i64,
    pub reason: String,
    pub created_by: String,
    pub created_at: i64,
}

/// `policies::COLUMNS`.
#[derive(sqlx::FromRow)]
pub struct PolicyRow {
    pub environment: String,
    pub cluster: String,
    pub capacity_provider: String,
    pub approvals_required: i64,
    /// JSON array of team names.
    pub approver_teams: String,
    pub allow_self_approval: i64,
    pub expiry_hours: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// One membership, by names.
#[derive(sqlx::FromRow)]
pub struct MembershipRow {
    pub username: String,
    pub team: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
}
