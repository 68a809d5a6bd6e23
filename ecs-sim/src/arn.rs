//! ARN formats, identifiers and opaque pagination tokens.

use serde::{Deserialize, Serialize};

/// The default account and region: the world every request went to before
/// accounts and regions, and the one unknown credentials still reach.
pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// Where a world lives: its account and region. Every ARN the emulator writes
/// is built from the world's scope, so two worlds never share one.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

impl Default for Scope {
    fn default() -> Self {
        Self::new(ACCOUNT, REGION)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.account, self.region)
    }
}

impl Scope {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Self { account: account.into(), region: region.into() }
    }

    fn ecs(&self, resource: std::fmt::Arguments<'_>) -> String {
        format!("arn:aws:ecs:{}:{}:{resource}", self.region, self.account)
    }

    pub fn cluster(&self, name: &str) -> String {
        self.ecs(format_args!("cluster/{name}"))
    }
    pub fn capacity_provider(&self, name: &str) -> String {
        self.ecs(format_args!("capacity-provider/{name}"))
    }
    pub fn container_instance(&self, cluster: &str, id: &str) -> String {
        self.ecs(format_args!("container-instance/{cluster}/{id}"))
    }
    pub fn task(&self, cluster: &str, id: &str) -> String {
        self.ecs(format_args!("task/{cluster}/{id}"))
    }
    pub fn app_task_definition(&self, family: &str, rev: u32) -> String {
        self.ecs(format_args!("task-definition/{family}:{rev}"))
    }
    pub fn daemon(&self, cluster: &str, name: &str) -> String {
        self.ecs(format_args!("daemon/{cluster}/{name}"))
    }
    pub fn daemon_task_definition(&self, family: &str, rev: u32) -> String {
        self.ecs(format_args!("daemon-task-definition/{family}:{rev}"))
    }
    pub fn daemon_deployment(&self, cluster: &str, daemon: &str, id: &str) -> String {
        self.ecs(format_args!("daemon-deployment/{cluster}/{daemon}/{id}"))
    }
    pub fn daemon_revision(&self, cluster: &str, daemon: &str, id: &str) -> String {
        self.ecs(format_args!("daemon-revision/{cluster}/{daemon}/{id}"))
    }
    pub fn container(&self, cluster: &str, task_id: &str, name: &str) -> String {
        self.ecs(format_args!("container/{cluster}/{task_id}/{name}"))
    }
    /// An IAM role of this world's account.
    pub fn role(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:role/{name}", self.account)
    }
    pub fn registered_by(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account)
    }
}

/// The resource part of one of our ARNs (`daemon/prod/x` → `("daemon", ["prod","x"])`).
/// Any account or region is accepted: the request's credentials and signing
/// region choose the world, and the resource is looked up by name in that world
/// only, never in the one an ARN names.
pub fn parse(arn: &str) -> Option<(&str, Vec<&str>)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let _partition = parts.next()?;
    if parts.next()? != "ecs" {
        return None;
    }
    let _region = parts.next()?;
    let _account = parts.next()?;
    let resource = parts.next()?;
    let mut segs = resource.split('/');
    let kind = segs.next()?;
    Some((kind, segs.collect()))
}

/// The last path segment of an ARN of the given kind, or the input itself when
/// it is not an ARN (the API accepts names or ids in most places).
pub fn last_segment<'a>(value: &'a str, kind: &str) -> Option<&'a str> {
    if value.starts_with("arn:") {
        let (k, segs) = parse(value)?;
        if k != kind {
            return None;
        }
        segs.last().copied()
    } else {
        Some(value)
    }
}

/// A cluster reference (name or ARN) → name.
pub fn cluster_name(value: &str) -> Option<&str> {
    last_segment(value, "cluster")
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Opaque tokens: hex of a private cursor string, so clients can't (and
/// needn't) interpret them but a restarted emulator still understands them.
pub fn encode_token(cursor: &str) -> String {
    let mut s = String::with_capacity(cursor.len() * 2 + 2);
    s.push_str("t1");
    for b in cursor.bytes() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

pub fn decode_token(token: &str) -> Option<String> {
    let hex = token.strip_prefix("t1")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect();
    String::from_utf8(bytes?).ok()
}

/// A fake but stable image digest, so the same image always reports the same digest.
pub fn image_digest(image: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut out = String::from("sha256:");
    for salt in 0u8..4 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (salt, image).hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

pub fn ec2_instance_id() -> String {
    format!("i-{}", &new_id()[..17])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trip() {
        let t = encode_token("abc/12:3");
        assert_eq!(decode_token(&t).as_deref(), Some("abc/12:3"));
        assert_eq!(decode_token("garbage"), None);
        assert_eq!(decode_token("t1zz"), None);
    }

    #[test]
    fn parse_arns() {
        let a = Scope::default().daemon("prod", "logs");
        assert_eq!(parse(&a), Some(("daemon", vec!["prod", "logs"])));
        assert_eq!(last_segment(&a, "daemon"), Some("logs"));
        assert_eq!(last_segment(&a, "cluster"), None);
        assert_eq!(cluster_name("default"), Some("default"));
        assert_eq!(cluster_name(&Scope::default().cluster("prod")), Some("prod"));
    }
}
