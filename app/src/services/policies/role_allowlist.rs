//! `RoleAllowlistBackend` (see `crate::domain::role_allowlist` for the rule).

use crate::{
    api::role_allowlist::RoleGrantView,
    auth::{CurrentUser, Role},
    domain::role_allowlist::RoleGrant,
};

use super::{error::PolicyError, role_grants, Policies};

impl Policies {
    pub async fn list_role_grants(&self) -> Result<Vec<RoleGrantView>, PolicyError> {
        Ok(role_grants::list(&self.db)
            .await?
            .into_iter()
            .map(|r| RoleGrantView { grant: r.grant, granted_by: r.granted_by, granted_at: r.granted_at })
            .collect())
    }

    pub async fn grant_role(&self, grant: &RoleGrant, actor: &str) -> Result<(), PolicyError> {
        if role_grants::grant(&self.db, grant, actor).await? {
            Ok(())
        } else {
            Err(PolicyError::NoSuchTeam(grant.team.clone()))
        }
    }

    pub async fn revoke_role(&self, grant: &RoleGrant) -> Result<(), PolicyError> {
        if role_grants::revoke(&self.db, grant).await? {
            Ok(())
        } else {
            Err(PolicyError::NoSuchGrant { team: grant.team.clone(), role_arn: grant.role_arn.clone() })
        }
    }

    pub async fn allowed_roles(&self, user: &CurrentUser) -> Result<Vec<String>, PolicyError> {
        let teams: Vec<String> =
            user.teams.iter().filter(|(_, r)| *r == Role::Deployer).map(|(t, _)| t.clone()).collect();
        let mut roles = role_grants::for_teams(&self.db, &teams).await?;
        roles.extend(self.roles.iter().cloned());
        roles.sort();
        roles.dedup();
        Ok(roles)
    }
}
