//! The AWS CLI's `--cli-input-json` documents. A revision alone is the input of
//! `aws ecs register-daemon-task-definition` (`TaskDefinitionSpec::to_json`, what the portal
//! registers). Daemons are one JSON object with a list of each:
//! `registerDaemonTaskDefinition` (one per revision) and `createDaemon` (the input of
//! `aws ecs create-daemon`, as the portal sends it, without a client token); take one with
//! `jq '.createDaemon[0]'`. A `createDaemon` names the revision's ARN in this account: after
//! registering the definition elsewhere, put the ARN that call returned in its place.

use serde_json::{json, Value};

use super::model::Bundle;

pub fn to_json(b: &Bundle) -> Result<String, String> {
    let value = if b.daemons.is_empty() && b.revisions.len() == 1 {
        b.revisions[0].spec.to_json()
    } else {
        let mut daemons = Vec::new();
        for d in &b.daemons {
            let mut v = serde_json::to_value(d.create_daemon()).map_err(|e| e.to_string())?;
            if let Value::Object(o) = &mut v {
                o.remove("clientToken");
            }
            daemons.push(v);
        }
        json!({
            "registerDaemonTaskDefinition": b.revisions.iter().map(|r| r.spec.to_json()).collect::<Vec<_>>(),
            "createDaemon": daemons,
        })
    };
    let mut s = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::super::model::tests::rich_bundle;
    use super::*;
    use crate::domain::task_definition::TaskDefinitionSpec;

    #[test]
    fn a_revision_is_the_register_input_and_reads_back_as_the_same_spec() {
        let mut b = rich_bundle();
        b.daemons.clear();
        let text = to_json(&b).unwrap();
        assert_eq!(TaskDefinitionSpec::from_json(&text).unwrap(), b.revisions[0].spec);
    }

    #[test]
    fn daemons_carry_the_create_daemon_input_without_a_client_token() {
        let b = rich_bundle();
        let v: Value = serde_json::from_str(&to_json(&b).unwrap()).unwrap();
        let td = &v["registerDaemonTaskDefinition"][0];
        assert_eq!(TaskDefinitionSpec::from_value(td).unwrap(), b.revisions[0].spec);
        let c = &v["createDaemon"][0];
        assert_eq!(c["daemonName"], "cwagent");
        assert_eq!(c["daemonTaskDefinitionArn"], b.revisions[0].arn.as_str());
        assert_eq!(c["deploymentConfiguration"]["drainPercent"].as_f64(), Some(12.5));
        assert_eq!(c["deploymentConfiguration"]["alarms"]["enable"], true);
        assert_eq!(c["enableECSManagedTags"], true);
        assert_eq!(c["critical"], false);
        assert_eq!(c["tags"][1], json!({"key": "team", "value": "platform"}));
        assert!(c.get("clientToken").is_none());
    }
}
