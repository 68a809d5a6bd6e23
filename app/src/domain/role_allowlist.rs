//! Which IAM roles a daemon task definition may name. The portal's own credentials can pass
//! whatever role `iam:PassRole` allows them; without a list, any deployer could give a daemon
//! any of those. A role is allowed when the portal is configured with it for everyone
//! (`PORTAL_ROLES`; in embedded mode the emulator's role), or an administrator granted it to
//! a team the user deploys for.

use serde::{Deserialize, Serialize};

use super::{account::parse_team_name, role_arn::RoleArn, FieldErrors};

/// The "Grant a role" form as posted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleGrantForm {
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub role_arn: String,
}

/// A role an administrator allowed one team's task definitions to use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub team: String,
    pub role_arn: String,
}

impl RoleGrantForm {
    pub fn parse(&self) -> Result<RoleGrant, FieldErrors> {
        let mut errors = FieldErrors::new();
        let team = errors.check("team", parse_team_name(&self.team));
        // A full ARN: a grant names one role in one account, never "this name anywhere".
        let role = errors.check("role_arn", RoleArn::parse(&self.role_arn));
        match (team, role) {
            (Some(team), Some(role)) if errors.is_empty() => {
                Ok(RoleGrant { team, role_arn: role.as_str().to_string() })
            }
            _ => Err(errors),
        }
    }
}

/// The roles (full ARNs) among `wanted` that `allowed` does not hold; IAM role ARNs compare
/// exactly (IAM role names are case-insensitive, but an ARN names what ECS will pass).
pub fn refused<'a>(wanted: &[&'a str], allowed: &[String]) -> Vec<&'a str> {
    wanted.iter().copied().filter(|w| !allowed.iter().any(|a| a == w)).collect()
}

/// What the role field says when its role is not allowed.
pub fn refusal_message(role: &str) -> String {
    format!(
        "{role} is not an allowed role for your teams. An administrator can grant it to your team under Administration → Allowed roles."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";

    #[test]
    fn a_grant_needs_a_team_and_a_full_role_arn() {
        let ok = RoleGrantForm { team: "payments".into(), role_arn: format!(" {ROLE} ") }.parse().unwrap();
        assert_eq!(ok, RoleGrant { team: "payments".into(), role_arn: ROLE.into() });
        let e =
            RoleGrantForm { team: "".into(), role_arn: "ecsTaskExecutionRole".into() }.parse().unwrap_err();
        assert!(e.get("team").is_some());
        assert!(e.get("role_arn").unwrap().contains("ARN"), "{e:?}");
        let e = RoleGrantForm { team: "pay.ments".into(), role_arn: ROLE.into() }.parse().unwrap_err();
        assert!(e.get("team").is_some() && e.get("role_arn").is_none());
    }

    #[test]
    fn only_listed_roles_pass() {
        let allowed = vec![ROLE.to_string()];
        let other = "arn:aws:iam::123456789012:role/Admin";
        assert!(refused(&[ROLE], &allowed).is_empty());
        assert_eq!(refused(&[ROLE, other], &allowed), vec![other]);
        assert_eq!(refused(&[other], &[]), vec![other]);
        assert!(refusal_message(other).contains("Allowed roles"));
    }
}
