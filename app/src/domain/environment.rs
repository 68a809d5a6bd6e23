//! Environments: the AWS accounts and regions the portal manages daemons in. One environment is
//! one (account, region), reached with the portal's own credentials or by assuming a role there,
//! optionally through another endpoint (ecs-sim, a VPC endpoint).
//!
//! The rules live here so the admin form checks in the browser what the server checks again,
//! and so a `PORTAL_ENVIRONMENTS` file is held to the same rules as the form.

use serde::{Deserialize, Serialize};

use super::{role_arn::RoleArn, FieldErrors};

/// The "Add environment" form, and one entry of a `PORTAL_ENVIRONMENTS` file, as given.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvironmentForm {
    pub name: String,
    pub account_id: String,
    pub region: String,
    pub role_arn: String,
    pub external_id: String,
    pub endpoint: String,
}

/// An environment, every field checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    pub name: String,
    /// `None` only for the environment made at first start in `aws` mode from the default
    /// credential chain, whose account the portal does not ask STS for (it would delay every
    /// start where STS is unreachable).
    pub account_id: Option<String>,
    pub region: String,
    /// The role assumed in the account; `None`: the portal's own credentials act there.
    pub role_arn: Option<String>,
    /// The `sts:ExternalId` the role's trust policy asks for.
    pub external_id: Option<String>,
    /// Where ECS (and STS, for the role) are called instead of AWS's public endpoints.
    pub endpoint: Option<String>,
}

impl EnvironmentForm {
    pub fn parse(&self) -> Result<Environment, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", parse_environment_name(&self.name));
        let account_id = errors.check("account_id", parse_account_id(&self.account_id));
        let region = errors.check("region", parse_region(&self.region));
        let role_arn = errors.check("role_arn", optional(&self.role_arn, RoleArn::parse));
        let external_id = errors.check("external_id", optional(&self.external_id, parse_external_id));
        let endpoint = errors.check("endpoint", optional(&self.endpoint, parse_endpoint));
        if let (Some(Some(role)), Some(account)) = (&role_arn, &account_id) {
            if role_account(role.as_str()) != Some(account.as_str()) {
                errors.add(
                    "role_arn",
                    format!("The role must be in the environment's account {account}: the portal assumes it there."),
                );
            }
        }
        if matches!(external_id, Some(Some(_))) && matches!(role_arn, Some(None)) {
            errors.add("external_id", "An external ID goes with a role to assume; enter the role ARN too.");
        }
        match (name, account_id, region, role_arn, external_id, endpoint) {
            (Some(name), Some(account_id), Some(region), Some(role), Some(external_id), Some(endpoint))
                if errors.is_empty() =>
            {
                Ok(Environment {
                    name,
                    account_id: Some(account_id),
                    region,
                    role_arn: role.map(|r| r.as_str().to_string()),
                    external_id,
                    endpoint,
                })
            }
            _ => Err(errors),
        }
    }
}

impl Environment {
    /// The form that parses back into this environment (to show and to edit).
    pub fn to_form(&self) -> EnvironmentForm {
        EnvironmentForm {
            name: self.name.clone(),
            account_id: self.account_id.clone().unwrap_or_default(),
            region: self.region.clone(),
            role_arn: self.role_arn.clone().unwrap_or_default(),
            external_id: self.external_id.clone().unwrap_or_default(),
            endpoint: self.endpoint.clone().unwrap_or_default(),
        }
    }
}

fn optional<T>(s: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    let s = s.trim();
    if s.is_empty() {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}

/// A name that reads well in URLs and lists: `prod-us-east-1`, `staging`.
/// `path` within environment `name`: `/e/<name><path>`, or `path` itself for the default
/// environment (`default`) and when no environment is named.
pub fn scoped_path(name: &str, default: &str, path: &str) -> String {
    if name.is_empty() || name == default {
        path.to_string()
    } else {
        format!("/e/{name}{path}")
    }
}

/// What a form's environment field says when it names no environment.
pub fn no_such_environment(name: &str) -> String {
    format!("There is no environment named {}.", name.trim())
}

pub fn parse_environment_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    let ok = (1..=40).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err("1–40 lowercase letters, digits and hyphens, starting with a letter, e.g. prod-us-east-1.".into())
    }
}

/// An AWS account id: 12 digits.
pub fn parse_account_id(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() == 12 && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err("An AWS account ID is 12 digits, e.g. 123456789012.".into())
    }
}

/// A region code as AWS spells them: `us-east-1`, `eu-west-2`, `ap-southeast-4`,
/// `us-gov-west-1`: lowercase words joined by hyphens, ending in a number.
pub fn parse_region(s: &str) -> Result<String, String> {
    let s = s.trim();
    let parts: Vec<&str> = s.split('-').collect();
    let ok = s.len() <= 25
        && parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok_and(|n| n > 0);
    if ok {
        Ok(s.to_string())
    } else {
        Err("A region code such as us-east-1 or eu-west-1.".into())
    }
}

/// STS's rule for `ExternalId`: 2–1224 of letters, digits and `+=,.@:/-_`.
pub fn parse_external_id(s: &str) -> Result<String, String> {
    let ok = (2..=1224).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c));
    if ok {
        Ok(s.to_string())
    } else {
        Err("2–1224 letters, digits and + = , . @ : / - _ (as the role's trust policy names it).".into())
    }
}

/// An `http(s)://host[:port][/path]` URL with nothing after it.
pub fn parse_endpoint(s: &str) -> Result<String, String> {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or("");
        !host.is_empty()
            && !r.contains(['?', '#', ' '])
            && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    });
    if ok {
        Ok(s.trim_end_matches('/').to_string())
    } else {
        Err("A URL such as https://ecs.eu-west-1.amazonaws.com or http://127.0.0.1:4566.".into())
    }
}

/// The account of an IAM ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`).
pub fn role_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// The `RoleSessionName` for calls made on a portal user's behalf, so the account's CloudTrail
/// names who asked: `daemon-portal-alice`. STS allows 2–64 of `\w+=,.@-`; anything else in a
/// username becomes `-`.
pub fn session_name(user: &str) -> String {
    let clean: String = user
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) { c } else { '-' })
        .collect();
    let mut name = format!("daemon-portal-{clean}");
    name.truncate(64);
    name
}

/// The session name of the portal's own reads (inventory, pages, readiness).
pub const PORTAL_SESSION: &str = "daemon-portal";

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EnvironmentForm {
        EnvironmentForm {
            name: "prod-eu".into(),
            account_id: "234567890123".into(),
            region: "eu-west-1".into(),
            role_arn: "arn:aws:iam::234567890123:role/DaemonPortal".into(),
            external_id: "daemon-portal-prod".into(),
            endpoint: String::new(),
        }
    }

    #[test]
    fn a_full_environment_parses() {
        let env = form().parse().unwrap();
        assert_eq!(env.role_arn.as_deref(), Some("arn:aws:iam::234567890123:role/DaemonPortal"));
        assert_eq!(env.endpoint, None);
        assert_eq!(env.to_form().parse().unwrap(), env);
    }

    #[test]
    fn the_portals_own_credentials_need_no_role() {
        let f = EnvironmentForm { role_arn: " ".into(), external_id: String::new(), ..form() };
        assert_eq!(f.parse().unwrap().role_arn, None);
    }

    #[test]
    fn each_field_says_what_is_wrong() {
        let f = EnvironmentForm {
            name: "Prod EU".into(),
            account_id: "2345".into(),
            region: "europe".into(),
            role_arn: "DaemonPortal".into(),
            external_id: "x".into(),
            endpoint: "ftp://x".into(),
        };
        let e = f.parse().unwrap_err();
        for key in ["name", "account_id", "region", "role_arn", "external_id", "endpoint"] {
            assert!(e.get(key).is_some(), "{key}: {e:?}");
        }
    }

    #[test]
    fn the_role_is_in_the_environments_account() {
        let f = EnvironmentForm { account_id: "123456789012".into(), ..form() };
        assert!(f.parse().unwrap_err().get("role_arn").unwrap().contains("123456789012"));
    }

    #[test]
    fn an_external_id_needs_a_role() {
        let f = EnvironmentForm { role_arn: String::new(), ..form() };
        assert!(f.parse().unwrap_err().get("external_id").is_some());
    }

    #[test]
    fn regions_and_names() {
        for ok in ["us-east-1", "eu-west-1", "ap-southeast-4", "us-gov-west-1", "cn-north-1"] {
            assert!(parse_region(ok).is_ok(), "{ok}");
        }
        for bad in ["", "us-east", "US-EAST-1", "us--1", "us-east-0", "useast1"] {
            assert!(parse_region(bad).is_err(), "{bad}");
        }
        for ok in ["prod", "prod-us-east-1", "staging-eu-west-1"] {
            assert!(parse_environment_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1prod", "prod-", "prod_eu", "Prod", &"a".repeat(41)] {
            assert!(parse_environment_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoints_are_plain_urls() {
        assert_eq!(parse_endpoint("http://127.0.0.1:4566/").unwrap(), "http://127.0.0.1:4566");
        assert!(parse_endpoint("https://ecs.eu-west-1.amazonaws.com").is_ok());
        for bad in ["127.0.0.1:4566", "http://", "http://x?y=1", "file:///etc"] {
            assert!(parse_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_names_name_the_user_within_stss_rules() {
        assert_eq!(session_name("alice"), "daemon-portal-alice");
        assert_eq!(session_name("a b/c"), "daemon-portal-a-b-c");
        assert_eq!(session_name(&"x".repeat(100)).len(), 64);
    }
}
