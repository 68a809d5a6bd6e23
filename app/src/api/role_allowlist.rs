//! Server functions of the role allowlist's admin page (`/admin/roles`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::role_allowlist::{RoleGrant, RoleGrantForm};

/// A grant as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoleGrantView {
    pub grant: RoleGrant,
    pub granted_by: String,
    pub granted_at: i64,
}

/// Every team's allowed roles, and the roles configured for everyone (`PORTAL_ROLES`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoleAllowlist {
    pub grants: Vec<RoleGrantView>,
    pub everyone: Vec<String>,
}

#[server(prefix = "/api", endpoint = "admin-list-role-grants")]
pub async fn admin_list_role_grants() -> Result<RoleAllowlist, PortalError> {
    super::admin::require_admin()?;
    let s = crate::services::services()?;
    let grants = s.policies.list_role_grants().await?;
    Ok(RoleAllowlist { grants, everyone: s.gateway.configured_roles() })
}

#[server(prefix = "/api", endpoint = "admin-grant-role")]
pub async fn admin_grant_role(form: RoleGrantForm) -> Result<(), PortalError> {
    // Like memberships, a grant widens what people may do: never from an API token.
    let user = super::admin::require_admin_session()?;
    let grant = form.parse()?;
    crate::services::services()?.policies.grant_role(&grant, &user.username).await?;
    let detail = serde_json::json!({"team": grant.team, "role_arn": grant.role_arn});
    crate::auth::audit(&user, "role.grant", &grant.team, detail).await;
    leptos_axum::redirect("/admin/roles");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin-revoke-role")]
pub async fn admin_revoke_role(form: RoleGrantForm) -> Result<(), PortalError> {
    let user = super::admin::require_admin_session()?;
    let grant = form.parse()?;
    crate::services::services()?.policies.revoke_role(&grant).await?;
    let detail = serde_json::json!({"team": grant.team, "role_arn": grant.role_arn});
    crate::auth::audit(&user, "role.revoke", &grant.team, detail).await;
    leptos_axum::redirect("/admin/roles");
    Ok(())
}
