use crate::api::{role_allowlist::RoleGrantView, PortalError};
use crate::auth::CurrentUser;
use crate::domain::role_allowlist::RoleGrant;

/// The role allowlist: grants (admins only; callers have checked) and what a user may use.
#[async_trait::async_trait]
pub trait RoleAllowlistBackend {
    async fn list_role_grants(&self) -> Result<Vec<RoleGrantView>, PortalError>;
    /// `NotFound` when the team does not exist.
    async fn grant_role(&self, grant: &RoleGrant, actor: &str) -> Result<(), PortalError>;
    /// `NotFound` when there was no such grant.
    async fn revoke_role(&self, grant: &RoleGrant) -> Result<(), PortalError>;
    /// The role ARNs `user` may name: configured for everyone, or granted to a team the user
    /// deploys for.
    async fn allowed_roles(&self, user: &CurrentUser) -> Result<Vec<String>, PortalError>;
}
