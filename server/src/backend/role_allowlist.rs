//! `RoleAllowlistBackend` (see `app::domain::role_allowlist` for the rule).

use app::{
    api::{role_allowlist::RoleGrantView, PortalError},
    auth::{CurrentUser, Role},
    backend::RoleAllowlistBackend,
    domain::role_allowlist::RoleGrant,
};

use crate::{admin::role_grants, auth::db_error, state::AppState};

#[async_trait::async_trait]
impl RoleAllowlistBackend for AppState {
    async fn list_role_grants(&self) -> Result<Vec<RoleGrantView>, PortalError> {
        Ok(role_grants::list(&self.db)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|r| RoleGrantView { grant: r.grant, granted_by: r.granted_by, granted_at: r.granted_at })
            .collect())
    }

    async fn grant_role(&self, grant: &RoleGrant, actor: &str) -> Result<(), PortalError> {
        if role_grants::grant(&self.db, grant, actor).await.map_err(db_error)? {
            Ok(())
        } else {
            Err(PortalError::NotFound(format!("There is no team {}.", grant.team)))
        }
    }

    async fn revoke_role(&self, grant: &RoleGrant) -> Result<(), PortalError> {
        if role_grants::revoke(&self.db, grant).await.map_err(db_error)? {
            Ok(())
        } else {
            Err(PortalError::NotFound(format!("Team {} has no grant of {}.", grant.team, grant.role_arn)))
        }
    }

    async fn allowed_roles(&self, user: &CurrentUser) -> Result<Vec<String>, PortalError> {
        let teams: Vec<String> =
            user.teams.iter().filter(|(_, r)| *r == Role::Deployer).map(|(t, _)| t.clone()).collect();
        let mut roles = role_grants::for_teams(&self.db, &teams).await.map_err(db_error)?;
        roles.extend(self.roles.iter().cloned());
        roles.sort();
        roles.dedup();
        Ok(roles)
    }
}
