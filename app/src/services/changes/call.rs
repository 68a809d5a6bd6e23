//! The exact ECS call a change request sends, as stored on the request (JSON with the API's
//! member names, so the request page shows what AWS will receive), and the code that sends it.
//!
//! What is stored is what is sent: execution deserializes the stored JSON and builds the SDK
//! call from it, nothing else.

use aws_sdk_ecs::types::{DaemonAlarmConfiguration, DaemonDeploymentConfiguration, DaemonPropagateTags, Tag};
use serde::{Deserialize, Serialize};

use super::error::ChangeError;

use super::ChangeEngine;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "operation", content = "input")]
pub enum EcsCall {
    CreateDaemon(CreateDaemon),
    UpdateDaemon(UpdateDaemon),
    DeleteDaemon(DeleteDaemon),
    DeleteDaemonTaskDefinition(DeleteTaskDefinition),
    RegisterDaemonTaskDefinition(RegisterTaskDefinition),
}

/// The definition as the API takes it (`TaskDefinitionSpec::to_json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterTaskDefinition {
    pub definition: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDaemon {
    pub cluster_arn: String,
    pub daemon_name: String,
    #[serde(flatten)]
    pub settings: DaemonSettings,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KeyValue>,
    /// The change request's id: a repeated call creates nothing new.
    pub client_token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDaemon {
    pub daemon_arn: String,
    #[serde(flatten)]
    pub settings: DaemonSettings,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteDaemon {
    pub daemon_arn: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteTaskDefinition {
    pub daemon_task_definition: String,
}

/// What Create and Update share (Update is a full replacement, so it carries all of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSettings {
    pub daemon_task_definition_arn: String,
    pub capacity_provider_arns: Vec<String>,
    pub deployment_configuration: DeploymentConfiguration,
    /// `DAEMON` or `NONE`.
    pub propagate_tags: String,
    #[serde(rename = "enableECSManagedTags")]
    pub enable_ecs_managed_tags: bool,
    pub enable_execute_command: bool,
    pub critical: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    pub drain_percent: f64,
    pub bake_time_in_minutes: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<Alarms>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alarms {
    pub alarm_names: Vec<String>,
    pub enable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

impl EcsCall {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Result<Self, ChangeError> {
        serde_json::from_str(s).map_err(|e| ChangeError::Corrupt(format!("stored ECS input unreadable: {e}")))
    }

    pub fn operation(&self) -> &'static str {
        match self {
            EcsCall::CreateDaemon(_) => "CreateDaemon",
            EcsCall::UpdateDaemon(_) => "UpdateDaemon",
            EcsCall::DeleteDaemon(_) => "DeleteDaemon",
            EcsCall::DeleteDaemonTaskDefinition(_) => "DeleteDaemonTaskDefinition",
            EcsCall::RegisterDaemonTaskDefinition(_) => "RegisterDaemonTaskDefinition",
        }
    }

    /// The daemon task definition ARN the call moves a daemon to, if any.
    pub fn target_task_definition(&self) -> Option<&str> {
        match self {
            EcsCall::CreateDaemon(c) => Some(&c.settings.daemon_task_definition_arn),
            EcsCall::UpdateDaemon(u) => Some(&u.settings.daemon_task_definition_arn),
            _ => None,
        }
    }
}

fn deployment_configuration(c: &DeploymentConfiguration) -> DaemonDeploymentConfiguration {
    DaemonDeploymentConfiguration::builder()
        .drain_percent(c.drain_percent)
        .bake_time_in_minutes(c.bake_time_in_minutes)
        .set_alarms(c.alarms.as_ref().map(|a| {
            DaemonAlarmConfiguration::builder()
                .set_alarm_names(Some(a.alarm_names.clone()))
                .enable(a.enable)
                .build()
        }))
        .build()
}

fn propagate(s: &str) -> DaemonPropagateTags {
    if s == "DAEMON" {
        DaemonPropagateTags::Daemon
    } else {
        DaemonPropagateTags::None
    }
}

/// UpdateDaemon and DeleteDaemon take no clientToken: if the SDK repeated one whose answer
/// was lost (a 5xx after it took effect), ECS would start a second deployment. So they are
/// sent once, and the executor decides, by looking at ECS, whether to send them again.
fn single_attempt() -> aws_sdk_ecs::config::Builder {
    aws_sdk_ecs::config::Builder::default().retry_config(aws_sdk_ecs::config::retry::RetryConfig::disabled())
}

/// Sends the call for `requester`; returns the deployment ARN it started ("" for a task
/// definition deletion, the new revision's ARN for a registration).
pub async fn send(state: &ChangeEngine, call: &EcsCall, requester: &str) -> Result<String, ChangeError> {
    let ecs = state.acting_for(requester).await;
    let client = &ecs.client;
    match call {
        EcsCall::CreateDaemon(c) => {
            let s = &c.settings;
            let tags: Vec<Tag> =
                c.tags.iter().map(|t| Tag::builder().key(&t.key).value(&t.value).build()).collect();
            let out = client
                .create_daemon()
                .cluster_arn(&c.cluster_arn)
                .daemon_name(&c.daemon_name)
                .daemon_task_definition_arn(&s.daemon_task_definition_arn)
                .set_capacity_provider_arns(Some(s.capacity_provider_arns.clone()))
                .deployment_configuration(deployment_configuration(&s.deployment_configuration))
                .set_tags((!tags.is_empty()).then_some(tags))
                .propagate_tags(propagate(&s.propagate_tags))
                .enable_ecs_managed_tags(s.enable_ecs_managed_tags)
                .enable_execute_command(s.enable_execute_command)
                .critical(s.critical)
                .client_token(&c.client_token)
                .send()
                .await?;
            Ok(out.deployment_arn.unwrap_or_default())
        }
        EcsCall::UpdateDaemon(u) => {
            let s = &u.settings;
            let out = client
                .update_daemon()
                .daemon_arn(&u.daemon_arn)
                .daemon_task_definition_arn(&s.daemon_task_definition_arn)
                .set_capacity_provider_arns(Some(s.capacity_provider_arns.clone()))
                .deployment_configuration(deployment_configuration(&s.deployment_configuration))
                .propagate_tags(propagate(&s.propagate_tags))
                .enable_ecs_managed_tags(s.enable_ecs_managed_tags)
                .enable_execute_command(s.enable_execute_command)
                .critical(s.critical)
                .customize()
                .config_override(single_attempt())
                .send()
                .await?;
            Ok(out.deployment_arn.unwrap_or_default())
        }
        EcsCall::DeleteDaemon(d) => {
            let out = client
                .delete_daemon()
                .daemon_arn(&d.daemon_arn)
                .customize()
                .config_override(single_attempt())
                .send()
                .await?;
            Ok(out.deployment_arn.unwrap_or_default())
        }
        EcsCall::DeleteDaemonTaskDefinition(d) => {
            client
                .delete_daemon_task_definition()
                .daemon_task_definition(&d.daemon_task_definition)
                .send()
                .await?;
            Ok(String::new())
        }
        EcsCall::RegisterDaemonTaskDefinition(r) => {
            let spec = crate::domain::task_definition::TaskDefinitionSpec::from_value(&r.definition)
                .map_err(|e| ChangeError::Corrupt(format!("stored definition unreadable: {e}")))?;
            // RegisterDaemonTaskDefinition takes no clientToken: sent once, and after an
            // ambiguous answer the executor looks for the revision before sending again.
            let out = crate::services::gateway::to_sdk::register(client, &spec)?
                .customize()
                .config_override(single_attempt())
                .send()
                .await?;
            Ok(out.daemon_task_definition_arn.unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_json_uses_the_api_member_names_and_round_trips() {
        let call = EcsCall::CreateDaemon(CreateDaemon {
            cluster_arn: "default".into(),
            daemon_name: "cw".into(),
            settings: DaemonSettings {
                daemon_task_definition_arn: "arn:td:1".into(),
                capacity_provider_arns: vec!["arn:cp".into()],
                deployment_configuration: DeploymentConfiguration {
                    drain_percent: 25.0,
                    bake_time_in_minutes: 0,
                    alarms: Some(Alarms { alarm_names: vec!["a".into()], enable: true }),
                },
                propagate_tags: "NONE".into(),
                enable_ecs_managed_tags: false,
                enable_execute_command: false,
                critical: true,
            },
            tags: vec![],
            client_token: "t".into(),
        });
        let json = call.to_json();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["operation"], "CreateDaemon");
        assert_eq!(v["input"]["daemonTaskDefinitionArn"], "arn:td:1");
        assert_eq!(v["input"]["deploymentConfiguration"]["drainPercent"], 25.0);
        assert_eq!(v["input"]["enableECSManagedTags"], false);
        assert_eq!(v["input"]["clientToken"], "t");
        assert_eq!(EcsCall::from_json(&json).unwrap(), call);
        assert_eq!(call.target_task_definition(), Some("arn:td:1"));
    }
}
