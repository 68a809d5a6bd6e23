//! ARN formats, identifiers and opaque pagination tokens.

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
const PREFIX: &str = "arn:aws:ecs:us-east-1:123456789012:";

pub fn cluster(name: &str) -> String {
    format!("{PREFIX}cluster/{name}")
}
pub fn capacity_provider(name: &str) -> String {
    format!("{PREFIX}capacity-provider/{name}")
}
pub fn container_instance(cluster: &str, id: &str) -> String {
    format!("{PREFIX}container-instance/{cluster}/{id}")
}
pub fn task(cluster: &str, id: &str) -> String {
    format!("{PREFIX}task/{cluster}/{id}")
}
pub fn app_task_definition(family: &str, rev: u32) -> String {
    format!("{PREFIX}task-definition/{family}:{rev}")
}
pub fn daemon(cluster: &str, name: &str) -> String {
    format!("{PREFIX}daemon/{cluster}/{name}")
}
pub fn daemon_task_definition(family: &str, rev: u32) -> String {
    format!("{PREFIX}daemon-task-definition/{family}:{rev}")
}
pub fn daemon_deployment(cluster: &str, daemon: &str, id: &str) -> String {
    format!("{PREFIX}daemon-deployment/{cluster}/{daemon}/{id}")
}
pub fn daemon_revision(cluster: &str, daemon: &str, id: &str) -> String {
    format!("{PREFIX}daemon-revision/{cluster}/{daemon}/{id}")
}
pub fn container(cluster: &str, task_id: &str, name: &str) -> String {
    format!("{PREFIX}container/{cluster}/{task_id}/{name}")
}
pub fn registered_by() -> String {
    format!("arn:aws:iam::{ACCOUNT}:root")
}

/// The resource part of one of our ARNs (`daemon/prod/x` → `("daemon", ["prod","x"])`).
/// Any account or region is accepted so that clients configured for another
/// region still resolve resources by name.
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
        let a = daemon("prod", "logs");
        assert_eq!(parse(&a), Some(("daemon", vec!["prod", "logs"])));
        assert_eq!(last_segment(&a, "daemon"), Some("logs"));
        assert_eq!(last_segment(&a, "cluster"), None);
        assert_eq!(cluster_name("default"), Some("default"));
        assert_eq!(cluster_name(&cluster("prod")), Some("prod"));
    }
}
