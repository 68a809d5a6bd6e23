//! What an export holds, in the portal's types, and the names each resource gets in a template.

use crate::{
    domain::{deployment::DeploySpec, task_definition::TaskDefinitionSpec},
    services::changes::call::{Alarms, CreateDaemon, DaemonSettings, DeploymentConfiguration, KeyValue},
};

/// One daemon task definition revision as ECS describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct RevisionIac {
    pub arn: String,
    pub revision: u32,
    pub spec: TaskDefinitionSpec,
}

/// One daemon: its settings as the deploy form models them (`DeploySpec`, as the daemon page
/// reads them), and the ARNs the templates name.
#[derive(Clone, Debug, PartialEq)]
pub struct DaemonIac {
    pub spec: DeploySpec,
    pub cluster_arn: String,
    /// In the order of `spec.capacity_providers`.
    pub capacity_provider_arns: Vec<String>,
    /// The revision it runs (the target of its newest deployment).
    pub task_definition_arn: String,
}

/// Revisions, then the daemons that run them. A daemon whose revision is in `revisions`
/// refers to that resource; each revision appears once however many daemons run it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bundle {
    pub revisions: Vec<RevisionIac>,
    pub daemons: Vec<DaemonIac>,
}

impl DaemonIac {
    /// The CreateDaemon input, with the members the portal sends (`changes::call`), without a
    /// client token (each use of an export is a new creation).
    pub fn create_daemon(&self) -> CreateDaemon {
        let s = &self.spec;
        CreateDaemon {
            cluster_arn: self.cluster_arn.clone(),
            daemon_name: s.daemon_name.to_string(),
            settings: DaemonSettings {
                daemon_task_definition_arn: self.task_definition_arn.clone(),
                capacity_provider_arns: self.capacity_provider_arns.clone(),
                deployment_configuration: DeploymentConfiguration {
                    drain_percent: s.drain_percent,
                    bake_time_in_minutes: s.bake_time_minutes as i32,
                    alarms: (!s.alarms.is_empty())
                        .then(|| Alarms { alarm_names: s.alarms.clone(), enable: s.rollback_on_alarm }),
                },
                propagate_tags: self.propagate_tags().to_string(),
                enable_ecs_managed_tags: s.ecs_managed_tags,
                enable_execute_command: s.execute_command,
                critical: s.critical,
            },
            tags: s.tags.iter().map(|t| KeyValue { key: t.key.clone(), value: t.value.clone() }).collect(),
            client_token: String::new(),
        }
    }

    pub fn propagate_tags(&self) -> &'static str {
        if self.spec.propagate_tags {
            "DAEMON"
        } else {
            "NONE"
        }
    }
}

/// How a format spells resource names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameStyle {
    /// CloudFormation logical IDs: letters and digits (`CwAgentRev3`, `CwagentDaemon`).
    Logical,
    /// Terraform resource names: snake case starting with a letter (`cw_agent_3`, `cwagent`).
    Snake,
}

/// Unique names for the bundle's revisions and daemons, in their order.
pub struct Names {
    pub revisions: Vec<String>,
    pub daemons: Vec<String>,
}

impl Bundle {
    /// Index in `revisions` of the revision `daemon` runs, when the bundle holds it.
    pub fn revision_of(&self, daemon: &DaemonIac) -> Option<usize> {
        self.revisions.iter().position(|r| r.arn == daemon.task_definition_arn)
    }

    pub fn names(&self, style: NameStyle) -> Names {
        let mut taken: Vec<String> = Vec::new();
        let revisions = self
            .revisions
            .iter()
            .map(|r| {
                let family = r.spec.family.as_str();
                let base = match style {
                    NameStyle::Logical => format!("{}Rev{}", pascal(family), r.revision),
                    NameStyle::Snake => format!("{}_{}", snake(family), r.revision),
                };
                unique(&mut taken, base, style)
            })
            .collect();
        // Terraform names are per resource type: daemons may reuse a revision's name.
        if style == NameStyle::Snake {
            taken.clear();
        }
        let daemons = self
            .daemons
            .iter()
            .map(|d| {
                let name = d.spec.daemon_name.as_str();
                let base = match style {
                    NameStyle::Logical => format!("{}Daemon", pascal(name)),
                    NameStyle::Snake => snake(name),
                };
                unique(&mut taken, base, style)
            })
            .collect();
        Names { revisions, daemons }
    }
}

/// `base`, or `base2`/`base_2`, … when taken.
fn unique(taken: &mut Vec<String>, base: String, style: NameStyle) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = match style {
            NameStyle::Logical => format!("{base}{n}"),
            NameStyle::Snake => format!("{base}_{n}"),
        };
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// `cloudwatch-agent_daemon` → `CloudwatchAgentDaemon` (ECS names are letters, digits, - and _).
fn pascal(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect::<String>()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// `Cloudwatch-Agent` → `cloudwatch_agent`; a name starting with a digit gets `r_` in front,
/// as Terraform names start with a letter or `_`.
fn snake(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("r_{s}")
    } else {
        s
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{
        deployment::{DeployDraft, Tag},
        task_definition::{ContainerSpec, LogSpec},
    };

    /// Two containers, roles, sizes, environment (with characters each format must escape),
    /// awslogs; a daemon with every setting off its default.
    pub fn rich_bundle() -> Bundle {
        let spec = TaskDefinitionSpec {
            family: crate::domain::names::ResourceName::parse("f", "cloudwatch-agent").unwrap(),
            task_role_arn: Some("arn:aws:iam::123456789012:role/agent-task".into()),
            execution_role_arn: Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into()),
            cpu: Some(2048),
            memory: Some(1024),
            containers: vec![
                ContainerSpec {
                    name: "cwagent".into(),
                    image: "amazon/cloudwatch-agent:1.300".into(),
                    essential: true,
                    cpu: 1024,
                    memory: 512,
                    environment: vec![
                        ("CW_CONFIG_CONTENT".into(), "{\"logs\": {\"x\": \"${HOME} %{y}\"}}".into()),
                        ("MODE".into(), "yes\nno: 'quoted' # not a comment".into()),
                    ],
                    logs: Some(LogSpec {
                        group: "/ecs/cloudwatch-agent".into(),
                        region: "us-east-1".into(),
                        stream_prefix: "ecs".into(),
                        create_group: true,
                    }),
                },
                ContainerSpec {
                    name: "sidecar".into(),
                    image: "busybox:1".into(),
                    essential: false,
                    cpu: 256,
                    memory: 128,
                    environment: vec![],
                    logs: None,
                },
            ],
        };
        let revision = RevisionIac {
            arn: "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/cloudwatch-agent:3".into(),
            revision: 3,
            spec,
        };
        let draft = DeployDraft {
            cluster: "prod".into(),
            daemon_name: "cwagent".into(),
            family: "cloudwatch-agent".into(),
            revision: Some(3),
            capacity_providers: vec!["mi-general".into(), "mi-canary".into()],
            drain_percent: Some(12.5),
            bake_time: Some(15),
            alarms: vec!["daemon-errors".into(), "app-5xx".into()],
            rollback_on_alarm: true,
            critical: false,
            tags: [("team", "platform"), ("cost-center", "42")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            propagate_tags: true,
            ecs_managed_tags: true,
            execute_command: true,
            ..Default::default()
        };
        let daemon = DaemonIac {
            spec: draft.validate().unwrap(),
            cluster_arn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod".into(),
            capacity_provider_arns: vec![
                "arn:aws:ecs:us-east-1:123456789012:capacity-provider/mi-general".into(),
                "arn:aws:ecs:us-east-1:123456789012:capacity-provider/mi-canary".into(),
            ],
            task_definition_arn: revision.arn.clone(),
        };
        Bundle { revisions: vec![revision], daemons: vec![daemon] }
    }

    #[test]
    fn names_are_unique_and_fit_each_format() {
        let mut b = rich_bundle();
        let mut other = b.daemons[0].clone();
        other.spec.daemon_name = crate::domain::names::ResourceName::parse("d", "cw_agent").unwrap();
        b.daemons.push(other.clone());
        other.spec.daemon_name = crate::domain::names::ResourceName::parse("d", "cw-agent").unwrap();
        b.daemons.push(other);
        let n = b.names(NameStyle::Logical);
        assert_eq!(n.revisions, ["CloudwatchAgentRev3"]);
        assert_eq!(n.daemons, ["CwagentDaemon", "CwAgentDaemon", "CwAgentDaemon2"]);
        let n = b.names(NameStyle::Snake);
        assert_eq!(n.revisions, ["cloudwatch_agent_3"]);
        assert_eq!(n.daemons, ["cwagent", "cw_agent", "cw_agent_2"]);
        assert_eq!(snake("9lives"), "r_9lives");
        assert_eq!(b.revision_of(&b.daemons[0]), Some(0));
    }

    #[test]
    fn the_create_daemon_input_carries_every_setting() {
        let b = rich_bundle();
        let c = b.daemons[0].create_daemon();
        assert_eq!(c.settings.capacity_provider_arns.len(), 2);
        assert_eq!(c.settings.deployment_configuration.alarms.as_ref().unwrap().alarm_names.len(), 2);
        assert!(!c.settings.critical && c.settings.enable_execute_command);
        assert_eq!(c.settings.propagate_tags, "DAEMON");
        assert_eq!(c.tags.len(), 2);
        assert_eq!(b.daemons[0].spec.tags[0], Tag { key: "cost-center".into(), value: "42".into() });
    }
}
