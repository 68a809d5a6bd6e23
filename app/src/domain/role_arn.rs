use serde::{Deserialize, Serialize};

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
        let partition_ok = matches!(partition, "aws" | "aws-cn" | "aws-us-gov" | "aws-iso" | "aws-iso-b");
        let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
        let Some(name_path) = resource.strip_prefix("role/") else {
            return Err(hint.to_string());
        };
        let name = name_path.rsplit('/').next().unwrap_or("");
        let name_ok = !name.is_empty()
            && name.len() <= 64
            && name_path.len() <= 512
            && name_path.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c));
        if arn != "arn" || !partition_ok || service != "iam" || !region.is_empty() || !account_ok || !name_ok
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
