//! Promotion pipelines: an ordered list of stages, each one daemon (environment, cluster,
//! daemon name, capacity providers) with its rollout settings and the gates that must hold after
//! it before the next stage starts (soak time watched for alarms, a manual promote).
//!
//! Three layers as for every form (`domain/form.rs`): [`PipelineForm`] is what the editor posts
//! (strings), [`PipelineDraft`] the typed document (`/api/v1` reads JSON or TOML straight into
//! it), [`PipelineSpec`] the checked stages the worker drives. Messages are keyed
//! `stages.<i>.<field>` so the editor shows each next to its field, and an API client sees which
//! stage is wrong.

use serde::{Deserialize, Serialize};

use super::{
    deployment::{DeployDraft, DeploySpec, DEFAULT_DRAIN_PERCENT},
    environment::parse_environment_name,
    form::{checked, filled, on},
    names::ResourceName,
    FieldErrors,
};

pub const MAX_STAGES: usize = 10;
/// A soak longer than a day is a schedule, not a soak.
pub const MAX_SOAK_SECONDS: u32 = 86_400;
pub const MAX_DESCRIPTION: usize = 500;

/// One stage as typed: a JSON/TOML document's entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageDraft {
    pub name: String,
    /// "" = the default environment.
    #[serde(default)]
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub capacity_providers: Vec<String>,
    #[serde(default)]
    pub drain_percent: Option<f64>,
    #[serde(default)]
    pub bake_time_minutes: Option<u32>,
    #[serde(default)]
    pub alarms: Vec<String>,
    #[serde(default)]
    pub rollback_on_alarm: bool,
    /// How long the stage must run with none of its alarms in ALARM before the next starts.
    #[serde(default)]
    pub soak_seconds: u32,
    /// The next stage waits for an approver's "Promote" after this one's soak.
    #[serde(default)]
    pub manual_promote: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineDraft {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub stages: Vec<StageDraft>,
}

/// A checked stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageSpec {
    pub name: String,
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub capacity_providers: Vec<String>,
    pub drain_percent: f64,
    pub bake_time_minutes: u32,
    pub alarms: Vec<String>,
    pub rollback_on_alarm: bool,
    pub soak_seconds: u32,
    pub manual_promote: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineSpec {
    pub name: String,
    pub description: String,
    pub stages: Vec<StageSpec>,
}

fn deploy_draft(s: &StageDraft, family: &str, revision: Option<u32>) -> DeployDraft {
    DeployDraft {
        daemon_arn: None,
        cluster: s.cluster.trim().to_string(),
        daemon_name: s.daemon.trim().to_string(),
        family: family.to_string(),
        revision,
        capacity_providers: s.capacity_providers.iter().map(|p| p.trim().to_string()).collect(),
        drain_percent: Some(s.drain_percent.unwrap_or(DEFAULT_DRAIN_PERCENT)),
        bake_time: Some(s.bake_time_minutes.unwrap_or(0)),
        alarms: s.alarms.clone(),
        rollback_on_alarm: s.rollback_on_alarm,
        critical: true,
        tags: Default::default(),
        propagate_tags: false,
        ecs_managed_tags: false,
        execute_command: false,
        rollback: false,
    }
}

/// Where a deploy field's message goes in a stage.
fn stage_field(deploy_field: &str) -> &str {
    match deploy_field {
        "daemon_name" => "daemon",
        "bake_time" => "bake_time_minutes",
        other => other,
    }
}

pub fn parse_pipeline_name(s: &str) -> Result<String, String> {
    ResourceName::parse("pipeline name", s).map(String::from)
}

impl StageDraft {
    fn validate(&self, i: usize, e: &mut FieldErrors) -> Option<StageSpec> {
        let key = |f: &str| format!("stages.{i}.{f}");
        let name = e.check(key("name"), ResourceName::parse("stage name", &self.name));
        let environment = match filled(&self.environment) {
            None => Some(String::new()),
            Some(env) => e.check(key("environment"), parse_environment_name(env)),
        };
        // The daemon rules are the deploy form's: one place for them.
        let deploy = deploy_draft(self, "family", None).validate();
        if let Err(errors) = &deploy {
            for (field, message) in &errors.0 {
                e.add(key(stage_field(field)), message.clone());
            }
        }
        if self.soak_seconds > MAX_SOAK_SECONDS {
            e.add(
                key("soak_seconds"),
                format!("The soak time is at most {MAX_SOAK_SECONDS} seconds (a day)."),
            );
        }
        let (Some(name), Some(environment), Ok(spec)) = (name, environment, deploy) else { return None };
        Some(StageSpec {
            name: name.to_string(),
            environment,
            cluster: spec.cluster.to_string(),
            daemon: spec.daemon_name.to_string(),
            capacity_providers: spec.capacity_providers.iter().map(ToString::to_string).collect(),
            drain_percent: spec.drain_percent,
            bake_time_minutes: spec.bake_time_minutes,
            alarms: spec.alarms,
            rollback_on_alarm: spec.rollback_on_alarm,
            soak_seconds: self.soak_seconds,
            manual_promote: self.manual_promote,
        })
    }
}

impl PipelineDraft {
    /// Every rule, one message per field, keyed `name`, `description`, `stages` and
    /// `stages.<i>.<field>`.
    pub fn validate(&self) -> Result<PipelineSpec, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", parse_pipeline_name(&self.name));
        if self.description.chars().count() > MAX_DESCRIPTION {
            e.add("description", format!("At most {MAX_DESCRIPTION} characters."));
        }
        if self.stages.is_empty() {
            e.add("stages", "Add at least one stage.");
        }
        if self.stages.len() > MAX_STAGES {
            e.add("stages", format!("At most {MAX_STAGES} stages."));
        }
        let stages: Vec<Option<StageSpec>> =
            self.stages.iter().enumerate().map(|(i, s)| s.validate(i, &mut e)).collect();
        let stages: Vec<StageSpec> = stages.into_iter().flatten().collect();
        for (i, s) in stages.iter().enumerate() {
            if stages[..i].iter().any(|t| t.name == s.name) {
                e.add(format!("stages.{i}.name"), format!("Another stage is already named {}.", s.name));
            }
            // Two stages on one daemon would deploy it twice and soak the second against the first.
            if stages[..i]
                .iter()
                .any(|t| (&t.environment, &t.cluster, &t.daemon) == (&s.environment, &s.cluster, &s.daemon))
            {
                e.add(
                    format!("stages.{i}.daemon"),
                    format!("An earlier stage already deploys daemon {} on cluster {}.", s.daemon, s.cluster),
                );
            }
        }
        match name {
            Some(name) if e.is_empty() => {
                Ok(PipelineSpec { name, description: self.description.trim().to_string(), stages })
            }
            _ => Err(e),
        }
    }
}

impl StageSpec {
    /// The deployment this stage makes of `family:revision` (`daemon_arn`: the daemon's ARN when
    /// it exists, so the change is an update).
    pub fn deploy_spec(
        &self,
        family: &str,
        revision: u32,
        daemon_arn: Option<String>,
    ) -> Result<DeploySpec, FieldErrors> {
        let mut d = deploy_draft(&self.to_draft(), family, Some(revision));
        d.daemon_arn = daemon_arn;
        d.validate()
    }

    pub fn to_draft(&self) -> StageDraft {
        StageDraft {
            name: self.name.clone(),
            environment: self.environment.clone(),
            cluster: self.cluster.clone(),
            daemon: self.daemon.clone(),
            capacity_providers: self.capacity_providers.clone(),
            drain_percent: Some(self.drain_percent),
            bake_time_minutes: Some(self.bake_time_minutes),
            alarms: self.alarms.clone(),
            rollback_on_alarm: self.rollback_on_alarm,
            soak_seconds: self.soak_seconds,
            manual_promote: self.manual_promote,
        }
    }

    /// Where the stage acts, for people: `default / mi-canary` or `staging: prod / mi-prod-a`.
    pub fn target_label(&self) -> String {
        let env = if self.environment.is_empty() { String::new() } else { format!("{}: ", self.environment) };
        format!("{env}{} / {} ({})", self.cluster, self.daemon, self.capacity_providers.join(", "))
    }
}

impl PipelineSpec {
    pub fn to_draft(&self) -> PipelineDraft {
        PipelineDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            stages: self.stages.iter().map(StageSpec::to_draft).collect(),
        }
    }

    pub fn to_form(&self) -> PipelineForm {
        PipelineForm {
            name: self.name.clone(),
            description: self.description.clone(),
            stages: self.stages.iter().map(StageForm::from_spec).collect(),
        }
    }
}

/// One stage of the editor, as posted. A stage whose fields are all blank is no stage (the
/// editor always offers one blank stage to add).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub environment: String,
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub daemon: String,
    /// Comma-separated names.
    #[serde(default)]
    pub capacity_providers: String,
    #[serde(default)]
    pub drain_percent: String,
    #[serde(default)]
    pub bake_time_minutes: String,
    /// Comma-separated names.
    #[serde(default)]
    pub alarms: String,
    #[serde(default)]
    pub rollback_on_alarm: Option<String>,
    #[serde(default)]
    pub soak_seconds: String,
    #[serde(default)]
    pub manual_promote: Option<String>,
    /// "Remove this stage" checked.
    #[serde(default)]
    pub remove: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PipelineForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub stages: Vec<StageForm>,
}

fn list(s: &str) -> Vec<String> {
    s.split([',', '\n']).filter_map(filled).map(str::to_string).collect()
}

impl StageForm {
    pub fn is_blank(&self) -> bool {
        [&self.name, &self.cluster, &self.daemon, &self.capacity_providers]
            .iter()
            .all(|s| s.trim().is_empty())
    }

    fn from_spec(s: &StageSpec) -> Self {
        StageForm {
            name: s.name.clone(),
            environment: s.environment.clone(),
            cluster: s.cluster.clone(),
            daemon: s.daemon.clone(),
            capacity_providers: s.capacity_providers.join(", "),
            drain_percent: format!("{}", s.drain_percent),
            bake_time_minutes: s.bake_time_minutes.to_string(),
            alarms: s.alarms.join(", "),
            rollback_on_alarm: on(s.rollback_on_alarm),
            soak_seconds: s.soak_seconds.to_string(),
            manual_promote: on(s.manual_promote),
            remove: None,
        }
    }
}

impl PipelineForm {
    /// Form → Draft (numbers read, lists split, blank and removed stages dropped) → Spec. The
    /// kept stages are renumbered, so messages are keyed by the stage's position in the
    /// posted form: `position[i]` is the form index of the draft's stage `i`.
    pub fn parse(&self) -> Result<PipelineSpec, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut stages = Vec::new();
        let mut position = Vec::new();
        for (i, s) in self.stages.iter().enumerate() {
            if s.is_blank() || checked(&s.remove) {
                continue;
            }
            let key = |f: &str| format!("stages.{i}.{f}");
            let drain_percent = match filled(&s.drain_percent) {
                None => None,
                Some(v) => e.check(
                    key("drain_percent"),
                    v.parse::<f64>()
                        .map_err(|_| "The drain percentage must be a number from 1 to 100.".to_string()),
                ),
            };
            let bake = match filled(&s.bake_time_minutes) {
                None => None,
                Some(v) => e.check(
                    key("bake_time_minutes"),
                    v.parse::<u32>()
                        .map_err(|_| "The bake time must be a whole number of minutes.".to_string()),
                ),
            };
            let soak = match filled(&s.soak_seconds) {
                None => Some(0),
                Some(v) => e.check(
                    key("soak_seconds"),
                    v.parse::<u32>()
                        .map_err(|_| "The soak time must be a whole number of seconds.".to_string()),
                ),
            };
            stages.push(StageDraft {
                name: s.name.trim().to_string(),
                environment: s.environment.trim().to_string(),
                cluster: s.cluster.trim().to_string(),
                daemon: s.daemon.trim().to_string(),
                capacity_providers: list(&s.capacity_providers),
                drain_percent,
                bake_time_minutes: bake,
                alarms: list(&s.alarms),
                rollback_on_alarm: checked(&s.rollback_on_alarm),
                soak_seconds: soak.unwrap_or(0),
                manual_promote: checked(&s.manual_promote),
            });
            position.push(i);
        }
        let draft = PipelineDraft {
            name: self.name.trim().to_string(),
            description: self.description.clone(),
            stages,
        };
        match draft.validate() {
            Ok(spec) if e.is_empty() => Ok(spec),
            Ok(_) => Err(e),
            Err(more) => {
                for (field, message) in more.0 {
                    // `stages.<draft index>.x` → `stages.<form index>.x`.
                    let field = match field.strip_prefix("stages.").and_then(|r| r.split_once('.')) {
                        Some((n, rest)) => match n.parse::<usize>().ok().and_then(|n| position.get(n)) {
                            Some(p) => format!("stages.{p}.{rest}"),
                            None => field,
                        },
                        None => field,
                    };
                    e.add(field, message);
                }
                Err(e)
            }
        }
    }
}

/// The pipeline embedded mode creates: the CloudWatch agent through its own canary daemon on
/// `mi-canary`, then the general fleet, then production (whose policy needs an approval).
pub fn embedded_example() -> PipelineDraft {
    let stage = |name: &str, cluster: &str, daemon: &str, providers: &[&str], soak: u32, alarms: &[&str]| {
        StageDraft {
            name: name.into(),
            environment: String::new(),
            cluster: cluster.into(),
            daemon: daemon.into(),
            capacity_providers: providers.iter().map(|p| p.to_string()).collect(),
            drain_percent: Some(25.0),
            bake_time_minutes: Some(0),
            alarms: alarms.iter().map(|a| a.to_string()).collect(),
            rollback_on_alarm: !alarms.is_empty(),
            soak_seconds: soak,
            manual_promote: false,
        }
    };
    PipelineDraft {
        name: "cloudwatch-agent-waves".into(),
        description: "The CloudWatch agent in waves: its canary daemon on mi-canary, then the general fleet, then production.".into(),
        stages: vec![
            stage("canary", "default", "cwagent-canary", &["mi-canary"], 30, &["daemon-errors"]),
            stage("general", "default", "cwagent", &["mi-general"], 30, &["daemon-errors"]),
            stage("prod", "prod", "cwagent", &["mi-prod-a", "mi-prod-b"], 0, &["daemon-errors", "app-5xx"]),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_is_valid() {
        let spec = embedded_example().validate().unwrap();
        assert_eq!(spec.stages.len(), 3);
        assert_eq!(spec.stages[0].capacity_providers, vec!["mi-canary"]);
        assert_eq!(spec.stages[2].target_label(), "prod / cwagent (mi-prod-a, mi-prod-b)");
    }

    #[test]
    fn messages_name_the_stage_and_field() {
        let mut d = embedded_example();
        d.stages[1].cluster = "bad cluster".into();
        d.stages[2].capacity_providers.clear();
        d.stages[0].soak_seconds = MAX_SOAK_SECONDS + 1;
        d.stages[0].environment = "Bad Env!".into();
        let e = d.validate().unwrap_err();
        assert!(e.get("stages.1.cluster").is_some(), "{e:?}");
        assert!(e.get("stages.2.capacity_providers").is_some(), "{e:?}");
        assert!(e.get("stages.0.soak_seconds").is_some(), "{e:?}");
        assert!(e.get("stages.0.environment").is_some(), "{e:?}");
    }

    #[test]
    fn duplicate_names_and_daemons_are_refused() {
        let mut d = embedded_example();
        d.stages[1].name = "canary".into();
        d.stages[2].cluster = "default".into();
        d.stages[2].daemon = "cwagent".into();
        let e = d.validate().unwrap_err();
        assert!(e.get("stages.1.name").unwrap().contains("already named"));
        assert!(e.get("stages.2.daemon").unwrap().contains("already deploys"));
        let empty = PipelineDraft { name: "p".into(), description: String::new(), stages: vec![] };
        assert!(empty.validate().unwrap_err().get("stages").is_some());
    }

    #[test]
    fn the_form_drops_blank_stages_and_keys_messages_by_form_position() {
        let mut form = embedded_example().validate().unwrap().to_form();
        form.stages.insert(0, StageForm::default());
        form.stages[2].remove = Some("on".into());
        form.stages[3].soak_seconds = "soon".into();
        form.stages[3].capacity_providers = String::new();
        let e = form.parse().unwrap_err();
        assert!(e.get("stages.3.soak_seconds").is_some(), "{e:?}");
        assert!(e.get("stages.3.capacity_providers").is_some(), "{e:?}");
        form.stages[3].soak_seconds = "5".into();
        form.stages[3].capacity_providers = "mi-prod-a, mi-prod-b".into();
        let spec = form.parse().unwrap();
        assert_eq!(spec.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["canary", "prod"]);
        assert_eq!(spec.stages[1].soak_seconds, 5);
    }
}
