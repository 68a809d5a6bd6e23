//! Server functions of the environments admin page (`/admin/environments`), and the types it
//! shows.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PortalError;
use crate::domain::environment::{Environment, EnvironmentForm};

/// Who owns an environment's row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnvironmentSource {
    /// `PORTAL_ENVIRONMENTS`: changed only by changing the file.
    File,
    /// Added on the admin page.
    Admin,
    /// Made at first start (the default chain, or the emulator's worlds).
    BuiltIn,
}

impl EnvironmentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Admin => "admin",
            Self::BuiltIn => "built-in",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "file" => Self::File,
            "admin" => Self::Admin,
            _ => Self::BuiltIn,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::File => "PORTAL_ENVIRONMENTS file",
            Self::Admin => "Added here",
            Self::BuiltIn => "Built in",
        }
    }
}

/// What an environment answered when last asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentCheck {
    pub ok: bool,
    /// The failure's code (`AccessDenied`, `Timeout`, …).
    pub code: Option<String>,
    /// Starts with the environment's name: "staging-eu: AccessDenied assuming arn:…".
    pub message: String,
    /// Clusters seen (first page), when it answered.
    pub clusters: Option<u32>,
    /// Portal clock, epoch milliseconds.
    pub checked_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentView {
    pub env: Environment,
    pub source: EnvironmentSource,
    pub is_default: bool,
    pub check: Option<EnvironmentCheck>,
}

/// How long the admin page reuses a check before asking again.
#[cfg(feature = "ssr")]
const CHECK_MAX_AGE_MS: i64 = 30_000;

#[server(prefix = "/api", endpoint = "admin-list-environments")]
pub async fn admin_list_environments() -> Result<Vec<EnvironmentView>, PortalError> {
    super::admin::require_admin()?;
    Ok(crate::services::services()?.environments.overview(CHECK_MAX_AGE_MS).await?)
}

#[server(prefix = "/api", endpoint = "admin-create-environment")]
pub async fn admin_create_environment(form: EnvironmentForm) -> Result<(), PortalError> {
    // Where the portal's credentials act is as sensitive as who may approve: sessions only.
    let user = super::admin::require_admin_session()?;
    let env = form.parse()?;
    let s = crate::services::services()?;
    s.environments.create(&env, &user.username).await?;
    crate::auth::audit(
        &user,
        "environment.create",
        &env.name,
        serde_json::to_value(&env).unwrap_or_default(),
    )
    .await;
    leptos_axum::redirect("/admin/environments");
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin-delete-environment")]
pub async fn admin_delete_environment(name: String) -> Result<(), PortalError> {
    let user = super::admin::require_admin_session()?;
    crate::services::services()?.environments.delete(&name).await?;
    crate::auth::audit(&user, "environment.delete", &name, serde_json::json!({})).await;
    leptos_axum::redirect("/admin/environments");
    Ok(())
}

/// Checks one environment now; the answer says whether it answered (a failing environment is
/// an answer, not an error).
#[server(prefix = "/api", endpoint = "admin-check-environment")]
pub async fn admin_check_environment(name: String) -> Result<EnvironmentCheck, PortalError> {
    super::admin::require_admin()?;
    let s = crate::services::services()?;
    let row = s.environments.get(&name).await?;
    let check = s.environments.check_now(&row.env).await;
    leptos_axum::redirect("/admin/environments");
    Ok(check)
}

/// The environments anyone signed in may pick from, and which is the default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentChoices {
    /// Names in the admin page's order.
    pub names: Vec<String>,
    pub default: String,
}

#[server(prefix = "/api", endpoint = "list-environment-names")]
pub async fn list_environment_names() -> Result<EnvironmentChoices, PortalError> {
    crate::auth::require_user()?;
    let s = crate::services::services()?;
    let names = s.environments.list().await?.into_iter().map(|r| r.env.name).collect();
    Ok(EnvironmentChoices { names, default: s.gateways.default_environment().name.clone() })
}
