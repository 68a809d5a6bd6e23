//! Who is making the request, and what they may do. Plain data, compiled for wasm and server;
//! the server resolves the session cookie into a [`CurrentUser`] (server/src/auth/middleware.rs)
//! and server functions ask for it with [`require_user`].

use serde::{Deserialize, Serialize};

use crate::api::PortalError;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "portal_session";
/// Lifetime of the cookie in seconds: the session's absolute expiry (7 days). The server also
/// ends sessions idle for 8 hours.
pub const SESSION_COOKIE_MAX_AGE: i64 = 7 * 24 * 3600;

/// A role in a team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Deployer,
    Approver,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Deployer => "deployer",
            Role::Approver => "approver",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "viewer" => Some(Role::Viewer),
            "deployer" => Some(Role::Deployer),
            "approver" => Some(Role::Approver),
            _ => None,
        }
    }
}

/// How storage reads a role (`#[sqlx(try_from = "String")]` on the server's rows).
impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// A signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub username: String,
    pub is_admin: bool,
    /// (team, role) pairs.
    pub teams: Vec<(String, Role)>,
}

impl CurrentUser {
    /// Any signed-in user may read.
    pub fn can_view(&self) -> bool {
        true
    }

    /// Deployer in `team` (or, with `None`, in any team), or admin.
    ///
    /// Teams do not own resources yet, so server functions ask with `None`.
    pub fn can_deploy(&self, team: Option<&str>) -> bool {
        self.is_admin
            || self.teams.iter().any(|(t, r)| *r == Role::Deployer && team.is_none_or(|want| want == t))
    }

    pub fn is_admin(&self) -> bool {
        self.is_admin
    }

    /// `Forbidden` unless the user may deploy (in some team, for now).
    pub fn require_deployer(&self) -> Result<(), PortalError> {
        if self.can_deploy(None) {
            Ok(())
        } else {
            Err(PortalError::Forbidden(format!(
                "{} may not change daemons or task definitions: that needs the deployer role in a team.",
                self.username
            )))
        }
    }
}

impl CurrentUser {
    /// Approver in some team, or admin: who may review change requests at all (each request's
    /// policy narrows it further).
    pub fn require_approver(&self) -> Result<(), PortalError> {
        if self.is_admin || self.teams.iter().any(|(_, r)| *r == Role::Approver) {
            Ok(())
        } else {
            Err(PortalError::Forbidden(format!(
                "{} may not review change requests: that needs the approver role in a team.",
                self.username
            )))
        }
    }
}

/// The client's address, as the server saw it; put into request extensions by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientIp(pub String);

/// Put into request extensions (next to the [`CurrentUser`]) when the request was
/// authenticated with an API token rather than a session or the SSO proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenAuth {
    /// The token's id (not its secret).
    pub token_id: String,
}

/// Whether this request was authenticated with an API token (server side).
#[cfg(feature = "ssr")]
pub fn via_token() -> bool {
    leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|p| p.extensions.get::<TokenAuth>().is_some())
}

/// The signed-in user of this request, for server functions: `Unauthenticated` (401) otherwise.
#[cfg(feature = "ssr")]
pub fn require_user() -> Result<CurrentUser, PortalError> {
    current_user().ok_or(PortalError::Unauthenticated)
}

/// The signed-in user of this request, if any (server side).
#[cfg(feature = "ssr")]
pub fn current_user() -> Option<CurrentUser> {
    leptos::prelude::use_context::<http::request::Parts>()?.extensions.get::<CurrentUser>().cloned()
}

/// The client's address for this request (server side); empty if unknown.
#[cfg(feature = "ssr")]
pub fn client_ip() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<ClientIp>().map(|ip| ip.0.clone()))
        .unwrap_or_default()
}

/// The value of a cookie in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v.trim())
    })
}

/// A `next=` target that stays on this site: a path starting with one `/`; otherwise `/`.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// Records a successful change in the audit log (server side). A failure to write is logged,
/// not returned: the change itself has happened.
#[cfg(feature = "ssr")]
pub async fn audit(user: &CurrentUser, action: &str, target: &str, detail: serde_json::Value) {
    match crate::services::services() {
        Ok(s) => {
            if let Err(e) = s.audit.record(user, action, target, detail).await {
                tracing::error!(action, target, error = %e, "audit log write failed");
            }
        }
        Err(e) => tracing::error!(action, target, error = %e, "audit log: no services"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(teams: &[(&str, Role)], admin: bool) -> CurrentUser {
        CurrentUser {
            username: "u".into(),
            is_admin: admin,
            teams: teams.iter().map(|(t, r)| (t.to_string(), *r)).collect(),
        }
    }

    #[test]
    fn roles_decide_who_deploys() {
        assert!(user(&[("platform", Role::Deployer)], false).can_deploy(None));
        assert!(user(&[("platform", Role::Deployer)], false).can_deploy(Some("platform")));
        assert!(!user(&[("platform", Role::Deployer)], false).can_deploy(Some("other")));
        assert!(!user(&[("platform", Role::Approver)], false).can_deploy(None));
        assert!(!user(&[("platform", Role::Viewer)], false).can_deploy(None));
        assert!(user(&[], true).can_deploy(Some("any")));
        assert!(user(&[("platform", Role::Viewer)], false).require_deployer().is_err());
    }

    #[test]
    fn next_targets_stay_on_site() {
        assert_eq!(safe_next("/daemons?cluster=prod"), "/daemons?cluster=prod");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "", "daemons", "/a\nb"] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn cookie_values_are_found() {
        assert_eq!(cookie_value("a=1; portal_session=abc; b=2", SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value("xportal_session=abc", SESSION_COOKIE), None);
    }
}
