//! Administration: users, teams, memberships, approval policies and freeze windows. Every
//! server function here is for admins only and checks it itself; every change is written to
//! the audit log.

#[cfg(feature = "ssr")]
use crate::domain::ForField;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::auth::Role;
use crate::domain::account::NewUserForm;
use crate::domain::policy::{FreezeWindow, FreezeWindowForm, Policy, PolicyForm};

/// A row of the users table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub username: String,
    pub is_admin: bool,
    pub disabled: bool,
    /// Epoch ms.
    pub created_at: i64,
    pub teams: Vec<(String, Role)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    pub name: String,
    pub members: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembershipView {
    pub username: String,
    pub team: String,
    pub role: Role,
}

/// What the Teams page shows: teams, every membership, and the usernames for the "Add member"
/// form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TeamsOverview {
    pub teams: Vec<TeamView>,
    pub memberships: Vec<MembershipView>,
    pub usernames: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyView {
    pub policy: Policy,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FreezeView {
    pub window: FreezeWindow,
    /// e.g. `Weekly on Fri 22:00–06:00 UTC (ends the next day)`.
    pub description: String,
    /// Whether the window freezes changes right now.
    pub active_now: bool,
    pub created_by: String,
    pub created_at: i64,
}

/// `Forbidden` (403) unless the user is an admin.
#[cfg(feature = "ssr")]
pub(crate) fn require_admin() -> Result<crate::auth::CurrentUser, PortalError> {
    let user = crate::auth::require_user()?;
    if user.is_admin() {
        Ok(user)
    } else {
        Err(PortalError::Forbidden(format!(
            "{} may not administer the portal: that needs an administrator.",
            user.username
        )))
    }
}

/// [`require_admin`], and signed in with a session (or SSO), not an API token: accounts,
/// passwords and memberships are credentials, and a token that could create a user or reset a
/// password could mint itself a way round "tokens cannot create tokens".
#[cfg(feature = "ssr")]
pub(crate) fn require_admin_session() -> Result<crate::auth::CurrentUser, PortalError> {
    let user = require_admin()?;
    if crate::auth::via_token() {
        return Err(PortalError::Forbidden(
            "Accounts, teams and memberships are managed in the portal's UI, not with an API token.".into(),
        ));
    }
    Ok(user)
}

/// Sends a plain (no-JavaScript) form post back to the page it came from.
#[cfg(feature = "ssr")]
fn back_to(path: &str) {
    leptos_axum::redirect(path);
}

// ---- Users ----------------------------------------------------------------------------

#[server(prefix = "/api", endpoint = "admin-list-users")]
pub async fn admin_list_users() -> Result<Vec<UserView>, PortalError> {
    require_admin()?;
    Ok(crate::services::services()?.accounts.list_users().await?)
}

#[server(prefix = "/api", endpoint = "admin-create-user")]
pub async fn admin_create_user(form: NewUserForm) -> Result<(), PortalError> {
    let user = require_admin_session()?;
    let new = form.parse()?;
    crate::services::services()?.accounts.create_user(&new.username, &new.password, new.is_admin).await?;
    crate::auth::audit(&user, "user.create", &new.username, serde_json::json!({ "admin": new.is_admin }))
        .await;
    back_to("/admin");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin-reset-password")]
pub async fn admin_reset_password(username: String, password: String) -> Result<(), PortalError> {
    let user = require_admin_session()?;
    let username = crate::domain::account::parse_username(&username).for_field("username")?;
    crate::domain::account::check_password(&password).for_field("password")?;
    crate::services::services()?.accounts.reset_password(&username, &password).await?;
    crate::auth::audit(&user, "user.reset_password", &username, serde_json::json!({})).await;
    back_to("/admin");
    Ok(())
}

/// Disables (`disabled=true`: the user is signed out and cannot sign in) or enables an account.
#[server(prefix = "/api", endpoint = "admin-set-user-disabled")]
pub async fn admin_set_user_disabled(username: String, disabled: bool) -> Result<(), PortalError> {
    let user = require_admin_session()?;
    let username = crate::domain::account::parse_username(&username).for_field("username")?;
    if disabled && username == user.username {
        return Err(PortalError::Conflict("You cannot disable your own account.".into()));
    }
    crate::services::services()?.accounts.set_disabled(&username, disabled).await?;
    let action = if disabled { "user.disable" } else { "user.enable" };
    crate::auth::audit(&user, action, &username, serde_json::json!({})).await;
    back_to("/admin");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin-set-user-admin")]
pub async fn admin_set_user_admin(username: String, admin: bool) -> Result<(), PortalError> {
    let user = require_admin_session()?;
    let username = crate::domain::account::parse_username(&username).for_field("username")?;
    if !admin && username == user.username {
        return Err(PortalError::Conflict(
            "You cannot remove your own administrator flag; ask another administrator.".into(),
        ));
    }
    crate::services::services()?.accounts.set_admin(&username, admin).await?;
    let action = if admin { "user.grant_admin" } else { "user.revoke_admin" };
    crate::auth::audit(&user, action, &username, serde_json::json!({})).await;
    back_to("/admin");
    Ok(())
}

// ---- Teams and memberships -----------------------------------------------------------

#[server(prefix = "/api", endpoint = "admin-list-teams")]
pub async fn admin_list_teams() -> Result<TeamsOverview, PortalError> {
    require_admin()?;
    Ok(crate::services::services()?.accounts.list_teams().await?)
}

#[server(prefix = "/api", endpoint = "admin-create-team")]
pub async fn admin_create_team(name: String) -> Result<(), PortalError> {
    let user = require_admin_session()?;
    let name = crate::domain::account::parse_team_name(&name).for_field("name")?;
    crate::services::services()?.accounts.create_team(&name).await?;
    crate::auth::audit(&user, "team.create", &name, serde_json::json!({})).await;
    back_to("/admin/teams");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin-delete-team")]
pub async fn admin_delete_team(name: String) -> Result<(), PortalError> {
    let user = require_admin_session()?;
    let name = crate::domain::account::parse_team_name(&name).for_field("name")?;
    crate::services::services()?.accounts.delete_team(&name).await?;
    crate::auth::audit(&user, "team.delete", &name, serde_json::json!({})).await;
    back_to("/admin/teams");
    Ok(())
}

/// Adds `username` to `team` with `role`, or changes the role of a member.
#[server(prefix = "/api", endpoint = "admin-set-membership")]
pub async fn admin_set_membership(username: String, team: String, role: String) -> Result<(), PortalError> {
    let user = require_admin_session()?;
    let mut e = crate::domain::FieldErrors::new();
    let username = e.check("username", crate::domain::account::parse_username(&username));
    let team = e.check("team", crate::domain::account::parse_team_name(&team));
    let role = e.check("role", crate::domain::account::parse_role(&role));
    let (Some(username), Some(team), Some(role)) = (username, team, role) else {
        return Err(e.into());
    };
    let previous = crate::services::services()?.accounts.set_membership(&username, &team, role).await?;
    let (action, detail) = match previous {
        None => ("membership.add", serde_json::json!({ "team": team, "role": role.as_str() })),
        Some(old) => (
            "membership.change",
            serde_json::json!({ "team": team, "role": role.as_str(), "previous": old.as_str() }),
        ),
    };
    crate::auth::audit(&user, action, &username, detail).await;
    back_to("/admin/teams");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin-remove-membership")]
pub async fn admin_remove_membership(username: String, team: String) -> Result<(), PortalError> {
    let user = require_admin_session()?;
    let username = crate::domain::account::parse_username(&username).for_field("username")?;
    let team = crate::domain::account::parse_team_name(&team).for_field("team")?;
    crate::services::services()?.accounts.remove_membership(&username, &team).await?;
    crate::auth::audit(&user, "membership.remove", &username, serde_json::json!({ "team": team })).await;
    back_to("/admin/teams");
    Ok(())
}

// ---- Approval policies --------------------------------------------------------------

#[server(prefix = "/api", endpoint = "admin-list-policies")]
pub async fn admin_list_policies() -> Result<Vec<PolicyView>, PortalError> {
    require_admin()?;
    Ok(crate::services::services()?.policies.list_policies().await?)
}

/// Creates or replaces the policy of (cluster, capacity provider).
#[server(prefix = "/api", endpoint = "admin-save-policy")]
pub async fn admin_save_policy(form: PolicyForm) -> Result<(), PortalError> {
    let user = require_admin()?;
    let policy = form.parse()?;
    crate::services::services()?.policies.save_policy(&policy, &user.username).await?;
    let target = policy_target(&policy.environment, &policy.cluster, &policy.capacity_provider);
    crate::auth::audit(&user, "policy.upsert", &target, serde_json::to_value(&policy).unwrap_or_default())
        .await;
    back_to("/admin/policies");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin-delete-policy")]
pub async fn admin_delete_policy(
    #[server(default)] environment: String,
    cluster: String,
    #[server(default)] capacity_provider: String,
) -> Result<(), PortalError> {
    let user = require_admin()?;
    let environment =
        crate::domain::policy::parse_policy_environment(&environment).for_field("environment")?;
    let cluster = crate::domain::policy::parse_policy_cluster(&cluster).for_field("cluster")?;
    let provider =
        crate::domain::policy::parse_optional_provider(&capacity_provider).for_field("capacity_provider")?;
    crate::services::services()?.policies.delete_policy(&environment, &cluster, &provider).await?;
    let target = policy_target(&environment, &cluster, &provider);
    crate::auth::audit(&user, "policy.delete", &target, serde_json::json!({})).await;
    back_to("/admin/policies");
    Ok(())
}

/// `prod`, `prod/mi-prod-a` or `staging: prod/mi-prod-a`, as the audit log names a policy.
pub fn policy_target(environment: &str, cluster: &str, provider: &str) -> String {
    let place = if provider.is_empty() { cluster.to_string() } else { format!("{cluster}/{provider}") };
    if environment.is_empty() || environment == crate::domain::policy::ANY_ENVIRONMENT {
        place
    } else {
        format!("{environment}: {place}")
    }
}

// ---- Freeze windows -------------------------------------------------------------------

#[server(prefix = "/api", endpoint = "admin-list-freezes")]
pub async fn admin_list_freezes() -> Result<Vec<FreezeView>, PortalError> {
    require_admin()?;
    Ok(crate::services::services()?.policies.list_freezes().await?)
}

/// Creates a freeze window (or replaces the one with the form's id); returns its id.
#[server(prefix = "/api", endpoint = "admin-save-freeze")]
pub async fn admin_save_freeze(form: FreezeWindowForm) -> Result<String, PortalError> {
    let user = require_admin()?;
    let window = form.parse()?;
    if window.id.len() > 64 || window.id.chars().any(|c| !c.is_ascii_alphanumeric()) {
        return Err(PortalError::BadRequest("That is not the id of a freeze window.".into()));
    }
    let id = crate::services::services()?.policies.save_freeze(&window, &user.username).await?;
    let detail = serde_json::json!({
        "cluster": window.cluster,
        "capacity_provider": window.capacity_provider,
        "schedule": window.schedule.describe(),
        "reason": window.reason,
    });
    crate::auth::audit(&user, "freeze.save", &id, detail).await;
    back_to("/admin/freezes");
    Ok(id)
}

#[server(prefix = "/api", endpoint = "admin-delete-freeze")]
pub async fn admin_delete_freeze(id: String) -> Result<(), PortalError> {
    let user = require_admin()?;
    if id.is_empty() || id.len() > 64 || id.chars().any(|c| !c.is_ascii_alphanumeric()) {
        return Err(PortalError::invalid("id", "That is not the id of a freeze window."));
    }
    crate::services::services()?.policies.delete_freeze(&id).await?;
    crate::auth::audit(&user, "freeze.delete", &id, serde_json::json!({})).await;
    back_to("/admin/freezes");
    Ok(())
}
