use std::fmt;

use serde::{Deserialize, Serialize};

/// A name ECS accepts for daemon task definition families, daemons and containers:
/// 1–255 letters, digits, hyphens and underscores.
///
/// The browser reads the names the server sends without checking them again (`from` under
/// `hydrate`): it shows them, and every name it sends back arrives as text the server checks.
/// That keeps the check out of the wasm of islands that only display names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(not(feature = "hydrate"), serde(try_from = "String"))]
#[cfg_attr(feature = "hydrate", serde(from = "String"))]
#[serde(into = "String")]
pub struct ResourceName(String);

pub const NAME_MAX: usize = 255;

impl ResourceName {
    pub fn parse(what: &str, s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err(format!("Enter a {what}."));
        }
        if s.chars().count() > NAME_MAX {
            return Err(format!(
                "The {what} can have at most {NAME_MAX} characters (this one has {}).",
                s.chars().count()
            ));
        }
        if let Some(bad) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
            return Err(format!(
                "The {what} can contain only letters, digits, hyphens (-) and underscores (_); `{bad}` is not allowed."
            ));
        }
        Ok(Self(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(feature = "hydrate")]
impl From<String> for ResourceName {
    fn from(s: String) -> Self {
        Self(s)
    }
}

#[cfg(not(feature = "hydrate"))]
impl TryFrom<String> for ResourceName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse("name", &s)
    }
}

impl From<ResourceName> for String {
    fn from(n: ResourceName) -> String {
        n.0
    }
}

/// A checked name reads as the text it holds, so the services pass `&spec.family` where ECS
/// and SQL take `&str`.
impl std::ops::Deref for ResourceName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ResourceName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Lets `[ResourceName]::join` and lookups by `&str` work.
impl std::borrow::Borrow<str> for ResourceName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for ResourceName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ResourceName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for ResourceName {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<ResourceName> for String {
    fn eq(&self, other: &ResourceName) -> bool {
        *self == other.0
    }
}

impl fmt::Display for ResourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_letters_digits_hyphen_underscore() {
        assert_eq!(
            ResourceName::parse("family", " cloudwatch-agent_2 ").unwrap().as_str(),
            "cloudwatch-agent_2"
        );
        assert!(ResourceName::parse("family", &"a".repeat(255)).is_ok());
    }

    #[test]
    fn refuses_empty_long_and_bad_characters() {
        assert!(ResourceName::parse("family", "").unwrap_err().contains("Enter a family"));
        assert!(ResourceName::parse("family", &"a".repeat(256)).unwrap_err().contains("at most 255"));
        let e = ResourceName::parse("family", "my agent").unwrap_err();
        assert!(e.contains("` `"), "{e}");
        assert!(ResourceName::parse("family", "<script>").is_err());
        assert!(ResourceName::parse("family", "agent.v2").is_err());
        assert!(ResourceName::parse("family", "café").is_err());
    }
}
