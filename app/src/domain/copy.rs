//! "Copy to environment": the same daemon task definition registered in another account or
//! region, with what names the source's account and region rewritten for the target's. The
//! rules live here, once, and the copy page shows every substitution before anything is
//! submitted:
//! - ARNs (`arn:aws:iam::SOURCE:role/…`, `arn:aws:logs:REGION:SOURCE:…`): the account and
//!   the region of the source become the target's;
//! - ECR image URIs (`SOURCE.dkr.ecr.REGION.amazonaws.com/…`): the registry of the target;
//! - the `awslogs-region` log option: the target's region;
//! - any other string value holding the source's account id (an environment variable, say):
//!   the target's account id.
//!
//! An account that is not known (an `aws`-mode environment on the default chain, whose account
//! the portal does not configure) leaves account ids as they are; the page says so.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a definition comes from or goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub account_id: Option<String>,
    pub region: String,
}

/// One rewritten value: where in the definition (`containerDefinitions[0].image`), before and
/// after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Substitution {
    pub path: String,
    pub before: String,
    pub after: String,
}

/// The definition (the API's JSON) rewritten for `to`, and every substitution made.
pub fn substitute(definition: &Value, from: &Place, to: &Place) -> (Value, Vec<Substitution>) {
    let mut out = definition.clone();
    let mut made = Vec::new();
    walk(&mut out, String::new(), None, from, to, &mut made);
    (out, made)
}

fn walk(
    v: &mut Value,
    path: String,
    key: Option<&str>,
    from: &Place,
    to: &Place,
    made: &mut Vec<Substitution>,
) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                walk(child, p, Some(k), from, to, made);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk(child, format!("{path}[{i}]"), key, from, to, made);
            }
        }
        Value::String(s) => {
            let after = rewrite(s, key, from, to);
            if after != *s {
                made.push(Substitution { path, before: s.clone(), after: after.clone() });
                *s = after;
            }
        }
        _ => {}
    }
}

/// The revision number a registration's outcome names (`registered cwagent:3`).
pub fn registered_revision(outcome: &str) -> Option<u32> {
    outcome.strip_prefix("registered ")?.rsplit_once(':')?.1.parse().ok()
}

/// One string value rewritten (`key` is the member it belongs to).
pub fn rewrite(s: &str, key: Option<&str>, from: &Place, to: &Place) -> String {
    if key == Some("awslogs-region") && s == from.region {
        return to.region.clone();
    }
    let accounts = match (&from.account_id, &to.account_id) {
        (Some(a), Some(b)) if a != b => Some((a.as_str(), b.as_str())),
        _ => None,
    };
    if let Some(rest) = s.strip_prefix("arn:") {
        // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
        let mut parts: Vec<String> = rest.splitn(5, ':').map(str::to_string).collect();
        if parts.len() == 5 {
            if parts[2] == from.region {
                parts[2] = to.region.clone();
            }
            if let Some((a, b)) = accounts {
                if parts[3] == a {
                    parts[3] = b.to_string();
                }
            }
            return format!("arn:{}", parts.join(":"));
        }
        return s.to_string();
    }
    if let Some((host, path)) = s.split_once('/') {
        // ACCOUNT.dkr.ecr.REGION.amazonaws.com/repository:tag
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() >= 6 && labels[1] == "dkr" && labels[2] == "ecr" && labels[3] == from.region {
            let account = match accounts {
                Some((a, b)) if labels[0] == a => b,
                _ => labels[0],
            };
            return format!("{account}.dkr.ecr.{}.{}/{path}", to.region, labels[4..].join("."));
        }
    }
    match accounts {
        Some((a, b)) if s.contains(a) => s.replace(a, b),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn place(account: &str, region: &str) -> Place {
        Place { account_id: Some(account.into()), region: region.into() }
    }

    #[test]
    fn roles_images_log_region_and_account_ids_follow_the_target() {
        let def = json!({
            "family": "cwagent",
            "taskRoleArn": "arn:aws:iam::123456789012:role/cwagent",
            "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
            "containerDefinitions": [{
                "name": "agent",
                "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/cwagent:1.3",
                "environment": [{"name": "ACCOUNT", "value": "123456789012"}, {"name": "MODE", "value": "ec2"}],
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-region": "us-east-1", "awslogs-group": "/ecs/cwagent"}}
            }]
        });
        let (out, made) =
            substitute(&def, &place("123456789012", "us-east-1"), &place("234567890123", "eu-west-1"));
        assert_eq!(out["taskRoleArn"], "arn:aws:iam::234567890123:role/cwagent");
        assert_eq!(out["executionRoleArn"], "arn:aws:iam::234567890123:role/ecsTaskExecutionRole");
        let c = &out["containerDefinitions"][0];
        assert_eq!(c["image"], "234567890123.dkr.ecr.eu-west-1.amazonaws.com/cwagent:1.3");
        assert_eq!(c["environment"][0]["value"], "234567890123");
        assert_eq!(c["environment"][1]["value"], "ec2");
        assert_eq!(c["logConfiguration"]["options"]["awslogs-region"], "eu-west-1");
        assert_eq!(c["logConfiguration"]["options"]["awslogs-group"], "/ecs/cwagent");
        let mut paths: Vec<&str> = made.iter().map(|m| m.path.as_str()).collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            [
                "containerDefinitions[0].environment[0].value",
                "containerDefinitions[0].image",
                "containerDefinitions[0].logConfiguration.options.awslogs-region",
                "executionRoleArn",
                "taskRoleArn",
            ]
        );
    }

    #[test]
    fn the_outcome_names_the_registered_revision() {
        assert_eq!(registered_revision("registered cwagent:12"), Some(12));
        assert_eq!(registered_revision(""), None);
        assert_eq!(registered_revision("registered cwagent"), None);
    }

    #[test]
    fn public_images_and_the_same_place_are_left_alone() {
        let def = json!({"containerDefinitions": [{"image": "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.3"}]});
        let (out, made) =
            substitute(&def, &place("123456789012", "us-east-1"), &place("234567890123", "eu-west-1"));
        assert_eq!((out, made.len()), (def.clone(), 0));
        let here = place("123456789012", "us-east-1");
        let (out, made) =
            substitute(&json!({"taskRoleArn": "arn:aws:iam::123456789012:role/x"}), &here, &here);
        assert_eq!((out["taskRoleArn"].as_str(), made.len()), (Some("arn:aws:iam::123456789012:role/x"), 0));
    }

    #[test]
    fn an_unknown_account_keeps_account_ids_and_still_moves_the_region() {
        let to = Place { account_id: None, region: "eu-west-1".into() };
        let def = json!({"executionRoleArn": "arn:aws:iam::123456789012:role/x",
            "containerDefinitions": [{"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1"}]});
        let (out, _) = substitute(&def, &place("123456789012", "us-east-1"), &to);
        assert_eq!(out["executionRoleArn"], "arn:aws:iam::123456789012:role/x");
        assert_eq!(
            out["containerDefinitions"][0]["image"],
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/a:1"
        );
    }
}
