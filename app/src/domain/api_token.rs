//! API tokens for automation: the creation form, its validation, and the token's scope — a set
//! of (team, role) grants and optionally admin, never wider than the user who creates it.
//! Compiled for the browser (inline errors) and the server (which checks again and narrows
//! every request made with the token to the scope).

use serde::{Deserialize, Serialize};

use super::FieldErrors;
use crate::auth::{CurrentUser, Role};

/// Every token starts with this, so secret scanners and people recognise it.
pub const TOKEN_PREFIX: &str = "dpt_";
pub const MAX_NAME: usize = 64;
pub const MIN_DAYS: u32 = 1;
pub const MAX_DAYS: u32 = 365;
pub const DEFAULT_DAYS: u32 = 30;
/// The scope value that grants admin.
pub const ADMIN_SCOPE: &str = "admin";

/// What the "Create token" form posts, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub expires_days: String,
    /// Scope values: `admin` or `team:role`.
    #[serde(default)]
    pub scope: Vec<String>,
}

/// What a token may do: a subset of its owner's roles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenScope {
    pub admin: bool,
    /// (team, role) grants.
    pub teams: Vec<(String, Role)>,
}

/// A validated form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSpec {
    pub name: String,
    pub expires_days: u32,
    pub scope: TokenScope,
}

pub fn parse_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Enter a name, e.g. the pipeline that will use the token.".into());
    }
    if s.chars().count() > MAX_NAME {
        return Err(format!("At most {MAX_NAME} characters."));
    }
    if s.chars().any(char::is_control) {
        return Err("Use printable characters only.".into());
    }
    Ok(s.to_string())
}

pub fn parse_days(s: &str) -> Result<u32, String> {
    let msg = || format!("A whole number of days from {MIN_DAYS} to {MAX_DAYS}.");
    let n: u32 = s.trim().parse().map_err(|_| msg())?;
    if (MIN_DAYS..=MAX_DAYS).contains(&n) {
        Ok(n)
    } else {
        Err(msg())
    }
}

/// One scope value (`admin` or `team:role`).
pub fn parse_scope_value(s: &str) -> Result<ScopeValue, String> {
    let s = s.trim();
    if s == ADMIN_SCOPE {
        return Ok(ScopeValue::Admin);
    }
    let (team, role) = s.split_once(':').ok_or_else(|| format!("`{s}` is not `admin` or `team:role`."))?;
    let role =
        Role::parse(role).ok_or_else(|| format!("`{role}` is not a role (viewer, deployer, approver)."))?;
    if team.is_empty() || team.len() > 100 {
        return Err(format!("`{s}` names no team."));
    }
    Ok(ScopeValue::Team(team.to_string(), role))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeValue {
    Admin,
    Team(String, Role),
}

impl TokenForm {
    pub fn defaults() -> Self {
        Self { name: String::new(), expires_days: DEFAULT_DAYS.to_string(), scope: Vec::new() }
    }

    /// Checks the fields' shape. Whether the scope fits the user is [`TokenScope::within`]'s
    /// question (a 403, not a form error).
    pub fn parse(&self) -> Result<TokenSpec, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", parse_name(&self.name));
        let days = errors.check("expires_days", parse_days(&self.expires_days));
        let mut scope = TokenScope::default();
        let values: Vec<&String> = self.scope.iter().filter(|v| !v.trim().is_empty()).collect();
        if values.is_empty() {
            errors.add("scope", "Choose at least one scope.");
        }
        for v in values {
            match errors.check("scope", parse_scope_value(v)) {
                Some(ScopeValue::Admin) => scope.admin = true,
                Some(ScopeValue::Team(t, r)) if !scope.teams.contains(&(t.clone(), r)) => {
                    scope.teams.push((t, r))
                }
                Some(ScopeValue::Team(..)) | None => {}
            }
        }
        match (name, days) {
            (Some(name), Some(expires_days)) if errors.is_empty() => {
                Ok(TokenSpec { name, expires_days, scope })
            }
            _ => Err(errors),
        }
    }
}

/// Whether `user` holds `(team, role)`: the same role in that team, or viewer in a team where
/// they have any role (every role can read). Admins hold every grant.
fn holds(user: &CurrentUser, team: &str, role: Role) -> bool {
    user.is_admin || user.teams.iter().any(|(t, r)| t == team && (*r == role || role == Role::Viewer))
}

impl TokenScope {
    /// `Err` naming the first grant the user does not hold themselves.
    pub fn within(&self, user: &CurrentUser) -> Result<(), String> {
        if self.admin && !user.is_admin {
            return Err(format!("{} is not an admin, so their tokens cannot be either.", user.username));
        }
        if let Some((t, r)) = self.teams.iter().find(|(t, r)| !holds(user, t, *r)) {
            return Err(format!(
                "{} is not {} in team {t}; a token's scope cannot be wider than its owner's roles.",
                user.username,
                r.as_str()
            ));
        }
        Ok(())
    }

    /// The user as seen through this token: only the grants the token has and the owner still
    /// holds (a role removed from the owner is removed from their tokens at once).
    /// A viewer grant next to a stronger one in the same team adds nothing and is dropped,
    /// so each team appears once, as in a membership.
    pub fn narrow(&self, owner: &CurrentUser) -> CurrentUser {
        let held: Vec<(String, Role)> =
            self.teams.iter().filter(|(t, r)| holds(owner, t, *r)).cloned().collect();
        let teams = held
            .iter()
            .filter(|(t, r)| {
                *r != Role::Viewer || !held.iter().any(|(t2, r2)| t2 == t && *r2 != Role::Viewer)
            })
            .cloned()
            .collect();
        CurrentUser { username: owner.username.clone(), is_admin: self.admin && owner.is_admin, teams }
    }

    /// `admin`, `platform:deployer`, … for lists.
    pub fn labels(&self) -> Vec<String> {
        let admin = self.admin.then(|| ADMIN_SCOPE.to_string());
        admin.into_iter().chain(self.teams.iter().map(|(t, r)| format!("{t}:{}", r.as_str()))).collect()
    }

    /// The scope values `user` may choose from: their own grants, viewer in each of their
    /// teams, and admin for admins.
    pub fn options_for(user: &CurrentUser) -> Vec<String> {
        let mut out = Vec::new();
        if user.is_admin {
            out.push(ADMIN_SCOPE.to_string());
        }
        for (team, role) in &user.teams {
            if *role != Role::Viewer {
                out.push(format!("{team}:viewer"));
            }
            out.push(format!("{team}:{}", role.as_str()));
        }
        out
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

    fn form(name: &str, days: &str, scope: &[&str]) -> TokenForm {
        TokenForm {
            name: name.into(),
            expires_days: days.into(),
            scope: scope.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn fields_are_checked() {
        let spec = form(" ci ", "30", &["platform:deployer", "platform:deployer"]).parse().unwrap();
        assert_eq!(spec.name, "ci");
        assert_eq!(spec.scope.teams, vec![("platform".to_string(), Role::Deployer)]);
        for (f, field) in [
            (form("", "30", &["admin"]), "name"),
            (form(&"x".repeat(65), "30", &["admin"]), "name"),
            (form("a\u{7}", "30", &["admin"]), "name"),
            (form("ci", "0", &["admin"]), "expires_days"),
            (form("ci", "366", &["admin"]), "expires_days"),
            (form("ci", "1.5", &["admin"]), "expires_days"),
            (form("ci", "30", &[]), "scope"),
            (form("ci", "30", &["platform:owner"]), "scope"),
            (form("ci", "30", &["root"]), "scope"),
        ] {
            let e = f.parse().unwrap_err();
            assert!(e.get(field).is_some(), "{f:?}: {e:?}");
        }
        assert!(form("ci", "365", &["admin"]).parse().is_ok());
        assert!(form("ci", "1", &["admin"]).parse().is_ok());
    }

    #[test]
    fn scope_never_exceeds_the_owner() {
        let viewer = user(&[("platform", Role::Viewer)], false);
        let deployer = user(&[("platform", Role::Deployer)], false);
        let scope = |teams: &[(&str, Role)], admin| TokenScope {
            admin,
            teams: teams.iter().map(|(t, r)| (t.to_string(), *r)).collect(),
        };
        assert!(scope(&[("platform", Role::Deployer)], false).within(&viewer).is_err());
        assert!(scope(&[("platform", Role::Viewer)], false).within(&viewer).is_ok());
        assert!(scope(&[("platform", Role::Viewer)], false).within(&deployer).is_ok());
        assert!(scope(&[("platform", Role::Approver)], false).within(&deployer).is_err());
        assert!(scope(&[("other", Role::Viewer)], false).within(&deployer).is_err());
        assert!(scope(&[], true).within(&deployer).is_err());
        assert!(scope(&[("any", Role::Approver)], true).within(&user(&[], true)).is_ok());

        // Narrowing keeps only what the owner still holds.
        let wide = scope(&[("platform", Role::Deployer), ("platform", Role::Viewer)], true);
        let seen = wide.narrow(&viewer);
        assert!(!seen.is_admin);
        assert_eq!(seen.teams, vec![("platform".to_string(), Role::Viewer)]);
        assert_eq!(
            wide.narrow(&deployer).teams,
            vec![("platform".to_string(), Role::Deployer)],
            "one entry per team"
        );
        assert!(!seen.can_deploy(None));
        assert!(scope(&[("platform", Role::Deployer)], false).narrow(&deployer).can_deploy(None));
        assert!(!scope(&[("platform", Role::Viewer)], false).narrow(&deployer).can_deploy(None));

        assert_eq!(TokenScope::options_for(&deployer), vec!["platform:viewer", "platform:deployer"]);
        assert_eq!(TokenScope::options_for(&user(&[], true)), vec!["admin"]);
    }
}
