//! A CloudFormation template of `AWS::ECS::DaemonTaskDefinition` and `AWS::ECS::Daemon`
//! resources, one typed structure serialized to JSON (serde_json) or YAML (serde_norway).
//!
//! Property names are those of the CloudFormation Template Reference for both types
//! (`ContainerDefinitions`, `Cpu`, `ExecutionRoleArn`, `Family`, `Memory`, `TaskRoleArn`;
//! `CapacityProviderArns`, `ClusterArn`, `DaemonName`, `DaemonTaskDefinitionArn`,
//! `DeploymentConfiguration`, `EnableECSManagedTags`, `EnableExecuteCommand`, `PropagateTags`,
//! `Tags`). `Critical` is not on the reference page yet but is a property of CDK's `CfnDaemon`
//! (generated from the same resource schema), so it is written too. A daemon refers to its
//! revision's resource with `Ref`, which returns the primary identifier, the
//! DaemonTaskDefinitionArn; the long form `{"Ref": …}` reads the same in JSON and YAML.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::model::{Bundle, DaemonIac, NameStyle, RevisionIac};
use crate::domain::task_definition::ContainerSpec;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Template {
    #[serde(rename = "AWSTemplateFormatVersion")]
    version: &'static str,
    description: String,
    resources: Resources,
}

/// Logical ID → resource, in the bundle's order (revisions first).
struct Resources(Vec<(String, Resource)>);

impl Serialize for Resources {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Serialize)]
#[serde(tag = "Type", content = "Properties")]
enum Resource {
    #[serde(rename = "AWS::ECS::DaemonTaskDefinition")]
    TaskDefinition(TaskDefinitionProps),
    #[serde(rename = "AWS::ECS::Daemon")]
    Daemon(DaemonProps),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TaskDefinitionProps {
    family: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    task_role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_role_arn: Option<String>,
    /// CPU units, as a string (the API's type).
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu: Option<String>,
    /// MiB, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    memory: Option<String>,
    container_definitions: Vec<Container>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Container {
    name: String,
    image: String,
    essential: bool,
    cpu: u32,
    memory: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    environment: Vec<NameValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_configuration: Option<LogConfiguration>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct NameValue {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LogConfiguration {
    log_driver: &'static str,
    options: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DaemonProps {
    daemon_name: String,
    cluster_arn: String,
    daemon_task_definition_arn: ArnOrRef,
    capacity_provider_arns: Vec<String>,
    deployment_configuration: DeploymentConfiguration,
    critical: bool,
    propagate_tags: &'static str,
    #[serde(rename = "EnableECSManagedTags")]
    enable_ecs_managed_tags: bool,
    enable_execute_command: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<KeyValue>,
}

/// The revision's resource in this template, or the ARN of one outside it.
#[derive(Serialize)]
#[serde(untagged)]
enum ArnOrRef {
    Ref {
        #[serde(rename = "Ref")]
        logical_id: String,
    },
    Arn(String),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DeploymentConfiguration {
    drain_percent: f64,
    bake_time_in_minutes: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    alarms: Option<Alarms>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Alarms {
    alarm_names: Vec<String>,
    enable: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct KeyValue {
    key: String,
    value: String,
}

/// The awslogs options, by the names ECS takes (shared with the Terraform renderer).
pub(super) fn log_options(c: &ContainerSpec) -> Option<BTreeMap<&'static str, String>> {
    c.logs.as_ref().map(|l| {
        BTreeMap::from([
            ("awslogs-group", l.group.clone()),
            ("awslogs-region", l.region.clone()),
            ("awslogs-stream-prefix", l.stream_prefix.clone()),
            ("awslogs-create-group", l.create_group.to_string()),
        ])
    })
}

fn task_definition(r: &RevisionIac) -> Resource {
    let s = &r.spec;
    Resource::TaskDefinition(TaskDefinitionProps {
        family: s.family.to_string(),
        task_role_arn: s.task_role_arn.clone(),
        execution_role_arn: s.execution_role_arn.clone(),
        cpu: s.cpu.map(|c| c.to_string()),
        memory: s.memory.map(|m| m.to_string()),
        container_definitions: s
            .containers
            .iter()
            .map(|c| Container {
                name: c.name.clone(),
                image: c.image.clone(),
                essential: c.essential,
                cpu: c.cpu,
                memory: c.memory,
                environment: c
                    .environment
                    .iter()
                    .map(|(k, v)| NameValue { name: k.clone(), value: v.clone() })
                    .collect(),
                log_configuration: log_options(c)
                    .map(|options| LogConfiguration { log_driver: "awslogs", options }),
            })
            .collect(),
    })
}

fn daemon(d: &DaemonIac, task_definition: ArnOrRef) -> Resource {
    let s = &d.spec;
    Resource::Daemon(DaemonProps {
        daemon_name: s.daemon_name.to_string(),
        cluster_arn: d.cluster_arn.clone(),
        daemon_task_definition_arn: task_definition,
        capacity_provider_arns: d.capacity_provider_arns.clone(),
        deployment_configuration: DeploymentConfiguration {
            drain_percent: s.drain_percent,
            bake_time_in_minutes: s.bake_time_minutes,
            alarms: (!s.alarms.is_empty())
                .then(|| Alarms { alarm_names: s.alarms.clone(), enable: s.rollback_on_alarm }),
        },
        critical: s.critical,
        propagate_tags: d.propagate_tags(),
        enable_ecs_managed_tags: s.ecs_managed_tags,
        enable_execute_command: s.execute_command,
        tags: s.tags.iter().map(|t| KeyValue { key: t.key.clone(), value: t.value.clone() }).collect(),
    })
}

fn template(b: &Bundle) -> Template {
    let names = b.names(NameStyle::Logical);
    let mut resources: Vec<(String, Resource)> =
        b.revisions.iter().zip(&names.revisions).map(|(r, n)| (n.clone(), task_definition(r))).collect();
    for (d, n) in b.daemons.iter().zip(&names.daemons) {
        let td = match b.revision_of(d) {
            Some(i) => ArnOrRef::Ref { logical_id: names.revisions[i].clone() },
            None => ArnOrRef::Arn(d.task_definition_arn.clone()),
        };
        resources.push((n.clone(), daemon(d, td)));
    }
    let what = match (b.revisions.len(), b.daemons.len()) {
        (_, 0) => b.revisions.iter().map(|r| format!("{}:{}", r.spec.family, r.revision)).collect::<Vec<_>>(),
        _ => b.daemons.iter().map(|d| format!("{}/{}", d.spec.cluster, d.spec.daemon_name)).collect(),
    };
    Template {
        version: "2010-09-09",
        description: format!("Exported from Daemon Portal: {}", what.join(", ")),
        resources: Resources(resources),
    }
}

pub fn to_json(b: &Bundle) -> Result<String, String> {
    let mut s = serde_json::to_string_pretty(&template(b)).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

pub fn to_yaml(b: &Bundle) -> Result<String, String> {
    serde_norway::to_string(&template(b)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::model::tests::rich_bundle;
    use super::*;
    use serde_json::{json, Value};

    fn check(t: &Value) {
        let td = &t["Resources"]["CloudwatchAgentRev3"];
        assert_eq!(td["Type"], "AWS::ECS::DaemonTaskDefinition");
        let p = &td["Properties"];
        assert_eq!(p["Family"], "cloudwatch-agent");
        assert_eq!(p["TaskRoleArn"], "arn:aws:iam::123456789012:role/agent-task");
        assert_eq!(p["ExecutionRoleArn"], "arn:aws:iam::123456789012:role/ecsTaskExecutionRole");
        assert_eq!((&p["Cpu"], &p["Memory"]), (&json!("2048"), &json!("1024")));
        let c = &p["ContainerDefinitions"][0];
        assert_eq!(c["Image"], "amazon/cloudwatch-agent:1.300");
        assert_eq!((&c["Cpu"], &c["Memory"], &c["Essential"]), (&json!(1024), &json!(512), &json!(true)));
        assert_eq!(c["Environment"][0]["Value"], "{\"logs\": {\"x\": \"${HOME} %{y}\"}}");
        assert_eq!(c["Environment"][1]["Value"], "yes\nno: 'quoted' # not a comment");
        assert_eq!(c["LogConfiguration"]["LogDriver"], "awslogs");
        assert_eq!(c["LogConfiguration"]["Options"]["awslogs-group"], "/ecs/cloudwatch-agent");
        assert_eq!(c["LogConfiguration"]["Options"]["awslogs-create-group"], "true");
        let sidecar = &p["ContainerDefinitions"][1];
        assert_eq!(sidecar["Essential"], false);
        assert!(sidecar.get("Environment").is_none() && sidecar.get("LogConfiguration").is_none());

        let d = &t["Resources"]["CwagentDaemon"];
        assert_eq!(d["Type"], "AWS::ECS::Daemon");
        let p = &d["Properties"];
        assert_eq!(p["DaemonTaskDefinitionArn"], json!({"Ref": "CloudwatchAgentRev3"}));
        assert_eq!(p["ClusterArn"], "arn:aws:ecs:us-east-1:123456789012:cluster/prod");
        assert_eq!(p["CapacityProviderArns"].as_array().unwrap().len(), 2);
        let dc = &p["DeploymentConfiguration"];
        assert_eq!(dc["DrainPercent"].as_f64(), Some(12.5));
        assert_eq!(dc["BakeTimeInMinutes"], 15);
        assert_eq!(dc["Alarms"], json!({"AlarmNames": ["daemon-errors", "app-5xx"], "Enable": true}));
        assert_eq!(p["Critical"], false);
        assert_eq!(p["PropagateTags"], "DAEMON");
        assert_eq!((&p["EnableECSManagedTags"], &p["EnableExecuteCommand"]), (&json!(true), &json!(true)));
        assert_eq!(
            p["Tags"],
            json!([{"Key": "cost-center", "Value": "42"}, {"Key": "team", "Value": "platform"}])
        );
    }

    #[test]
    fn json_and_yaml_read_back_to_the_same_template() {
        let b = rich_bundle();
        let from_json: Value = serde_json::from_str(&to_json(&b).unwrap()).unwrap();
        check(&from_json);
        let yaml = to_yaml(&b).unwrap();
        let from_yaml: Value = serde_norway::from_str(&yaml).unwrap();
        check(&from_yaml);
        assert_eq!(from_json, from_yaml);
        assert!(
            yaml.starts_with("AWSTemplateFormatVersion: 2010-09-09") || yaml.contains("'2010-09-09'"),
            "{yaml}"
        );
        assert_eq!(from_yaml["AWSTemplateFormatVersion"], "2010-09-09", "a string, not a date");
    }

    #[test]
    fn a_daemon_whose_revision_is_not_exported_names_its_arn() {
        let mut b = rich_bundle();
        b.revisions.clear();
        let t: Value = serde_json::from_str(&to_json(&b).unwrap()).unwrap();
        assert_eq!(
            t["Resources"]["CwagentDaemon"]["Properties"]["DaemonTaskDefinitionArn"],
            "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/cloudwatch-agent:3"
        );
        assert!(t["Description"].as_str().unwrap().contains("prod/cwagent"));
    }
}
