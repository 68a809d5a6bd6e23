//! IAM roles as ECS takes them for `taskRoleArn` / `executionRoleArn`: a full role ARN, or the
//! role's name ("the short name or full ARN"), which the portal expands to the account's ARN
//! before registering (`RoleInput::expand`), so what is registered is always a full ARN and the
//! editor can show it before it is sent.

use serde::{Deserialize, Serialize};

/// Where a role name is expanded: the partition and account of the ECS resources the portal
/// manages (taken from a cluster ARN).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleScope {
    pub partition: String,
    pub account: String,
}

impl RoleScope {
    /// From any ARN, e.g. `arn:aws:ecs:us-east-1:123456789012:cluster/default`.
    pub fn from_arn(arn: &str) -> Option<Self> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let ["arn", partition, _, _, account, _] = parts[..] else {
            return None;
        };
        (is_partition(partition) && is_account(account))
            .then(|| Self { partition: partition.to_string(), account: account.to_string() })
    }
}

fn is_partition(p: &str) -> bool {
    matches!(p, "aws" | "aws-cn" | "aws-us-gov" | "aws-iso" | "aws-iso-b")
}

fn is_account(a: &str) -> bool {
    a.len() == 12 && a.chars().all(|c| c.is_ascii_digit())
}

/// IAM's rules for `[path/]name` after `role/`: a name of 1–64 and a path of up to 512 of
/// letters, digits and `+=,.@_-`.
fn is_role_path_name(name_path: &str) -> bool {
    let name = name_path.rsplit('/').next().unwrap_or("");
    !name.is_empty()
        && name.len() <= 64
        && name_path.len() <= 512
        && !name_path.starts_with('/')
        && !name_path.contains("//")
        && name_path.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
}

const ROLE_HINT: &str = "Enter a role name such as ecsTaskExecutionRole, or a role ARN such as arn:aws:iam::123456789012:role/ecsTaskExecutionRole.";

/// A role as the user typed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleInput {
    Arn(RoleArn),
    /// A role name, optionally with its path (`service-role/my-role`).
    Name(String),
}

impl RoleInput {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.starts_with("arn:") {
            return RoleArn::parse(s).map(Self::Arn);
        }
        let name = s.strip_prefix("role/").unwrap_or(s);
        if is_role_path_name(name) {
            Ok(Self::Name(name.to_string()))
        } else {
            Err(ROLE_HINT.to_string())
        }
    }

    /// What is sent as typed (an ARN, or the name to expand).
    pub fn as_typed(&self) -> &str {
        match self {
            Self::Arn(a) => a.as_str(),
            Self::Name(n) => n,
        }
    }

    /// The full ARN: as given, or the name in `scope`'s account.
    pub fn expand(&self, scope: &RoleScope) -> RoleArn {
        match self {
            Self::Arn(a) => a.clone(),
            Self::Name(n) => RoleArn(format!("arn:{}:iam::{}:role/{n}", scope.partition, scope.account)),
        }
    }
}

/// The editor's note under a role field: what a typed name will be registered as. `None` for
/// an empty field, an ARN, or something that is not a role (the field's error says so).
pub fn expansion_note(typed: &str, scope: Option<&RoleScope>) -> Option<String> {
    let RoleInput::Name(name) = RoleInput::parse(typed).ok()? else {
        return None;
    };
    Some(match scope {
        Some(scope) => {
            format!("{name} is registered as {}.", RoleInput::Name(name.clone()).expand(scope).as_str())
        }
        None => format!("{name} is registered as arn:aws:iam::<this account>:role/{name}."),
    })
}

/// An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<optional path/>name`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleArn(String);

impl RoleArn {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let hint = "Enter an IAM role ARN such as arn:aws:iam::123456789012:role/ecsTaskExecutionRole.";
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = parts[..] else {
            return Err(hint.to_string());
        };
        let Some(name_path) = resource.strip_prefix("role/") else {
            return Err(hint.to_string());
        };
        if arn != "arn"
            || !is_partition(partition)
            || service != "iam"
            || !region.is_empty()
            || !is_account(account)
            || !is_role_path_name(name_path)
        {
            return Err(hint.to_string());
        }
        Ok(Self(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The role's name, the last path segment.
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_role_arns() {
        let r = RoleArn::parse("arn:aws:iam::123456789012:role/ecsTaskExecutionRole").unwrap();
        assert_eq!(r.name(), "ecsTaskExecutionRole");
        assert!(RoleArn::parse("arn:aws:iam::123456789012:role/service-role/my.role+x").is_ok());
    }

    #[test]
    fn names_expand_in_the_clusters_account() {
        let scope = RoleScope::from_arn("arn:aws-cn:ecs:cn-north-1:210987654321:cluster/default").unwrap();
        let r = RoleInput::parse(" ecsTaskExecutionRole ").unwrap();
        assert_eq!(r, RoleInput::Name("ecsTaskExecutionRole".into()));
        assert_eq!(r.expand(&scope).as_str(), "arn:aws-cn:iam::210987654321:role/ecsTaskExecutionRole");
        let p = RoleInput::parse("role/service-role/agent").unwrap();
        assert_eq!(p.expand(&scope).as_str(), "arn:aws-cn:iam::210987654321:role/service-role/agent");
        let arn = "arn:aws:iam::123456789012:role/x";
        assert_eq!(RoleInput::parse(arn).unwrap().expand(&scope).as_str(), arn, "an ARN stays as typed");
        assert!(RoleScope::from_arn("arn:aws:ecs:us-east-1:12345:cluster/x").is_none());
        let note = expansion_note("ecsTaskExecutionRole", Some(&scope)).unwrap();
        assert!(note.contains("arn:aws-cn:iam::210987654321:role/ecsTaskExecutionRole"), "{note}");
        assert!(expansion_note("ecsTaskExecutionRole", None).unwrap().contains("<this account>"));
        assert_eq!(expansion_note(arn, Some(&scope)), None);
        assert_eq!(expansion_note("", Some(&scope)), None);
    }

    #[test]
    fn refuses_what_is_not_a_role() {
        for bad in ["", "has space", "a//b", "/lead", "<script>", &"x".repeat(65), "arn:aws:s3:::bucket"] {
            assert!(RoleInput::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_non_role_arns() {
        for bad in [
            "",
            "ecsTaskExecutionRole",
            "arn:aws:iam::12345:role/x",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam:us-east-1:123456789012:role/x",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/<script>",
        ] {
            assert!(RoleArn::parse(bad).is_err(), "{bad}");
        }
    }
}
