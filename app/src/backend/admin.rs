use crate::api::{admin::*, PortalError};
use crate::auth::Role;
use crate::domain::policy::{FreezeWindow, Policy};

/// Users, teams, memberships, approval policies and freeze windows. Callers have checked that
/// the user is an admin; these only do the IO. `NotFound`/`Conflict` for missing or taken names.
#[async_trait::async_trait]
pub trait AdminBackend {
    async fn admin_list_users(&self) -> Result<Vec<UserView>, PortalError>;
    /// Hashes the password (Argon2id) and creates the account.
    async fn admin_create_user(
        &self,
        username: &str,
        password: &str,
        is_admin: bool,
    ) -> Result<(), PortalError>;
    /// Sets a new password and ends the user's sessions.
    async fn admin_reset_password(&self, username: &str, password: &str) -> Result<(), PortalError>;
    /// Disabling also ends the user's sessions.
    async fn admin_set_disabled(&self, username: &str, disabled: bool) -> Result<(), PortalError>;
    async fn admin_set_admin(&self, username: &str, is_admin: bool) -> Result<(), PortalError>;

    async fn admin_list_teams(&self) -> Result<TeamsOverview, PortalError>;
    async fn admin_create_team(&self, name: &str) -> Result<(), PortalError>;
    async fn admin_delete_team(&self, name: &str) -> Result<(), PortalError>;
    /// The previous role, if the user was already a member.
    async fn admin_set_membership(
        &self,
        username: &str,
        team: &str,
        role: Role,
    ) -> Result<Option<Role>, PortalError>;
    async fn admin_remove_membership(&self, username: &str, team: &str) -> Result<(), PortalError>;

    async fn admin_list_policies(&self) -> Result<Vec<PolicyView>, PortalError>;
    async fn admin_save_policy(&self, policy: &Policy, actor: &str) -> Result<(), PortalError>;
    async fn admin_delete_policy(&self, cluster: &str, capacity_provider: &str) -> Result<(), PortalError>;

    async fn admin_list_freezes(&self) -> Result<Vec<FreezeView>, PortalError>;
    /// Returns the window's id (a new one when `window.id` is empty).
    async fn admin_save_freeze(&self, window: &FreezeWindow, actor: &str) -> Result<String, PortalError>;
    async fn admin_delete_freeze(&self, id: &str) -> Result<(), PortalError>;
}
