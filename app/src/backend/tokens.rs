use crate::{
    api::{
        tokens::{ApiTokenRow, CreatedToken},
        PortalError,
    },
    auth::CurrentUser,
    domain::api_token::TokenSpec,
};

/// API tokens for automation: created, listed and revoked by their owner.
#[async_trait::async_trait]
pub trait TokensBackend {
    /// Stores a new token for `user` (its SHA-256 only) and records the creation in the audit
    /// log; the caller has checked that the scope is within the user's roles. Returns the
    /// secret, which is never shown again.
    async fn create_token(
        &self,
        user: &CurrentUser,
        spec: &TokenSpec,
        ip: &str,
    ) -> Result<CreatedToken, PortalError>;

    /// The user's tokens, newest first (revoked ones included, marked).
    async fn list_tokens(&self, user: &CurrentUser) -> Result<Vec<ApiTokenRow>, PortalError>;

    /// Revokes one of the user's tokens (`NotFound` for someone else's) and records it.
    async fn revoke_token(&self, user: &CurrentUser, id: &str, ip: &str) -> Result<(), PortalError>;
}
