//! The deploy / update form (one form for Create daemon, Deploy and Update): its wire Form, its
//! typed Draft (also the body of `/api/v1`'s deploy change) and the validated Spec.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    form::{checked, filled, on},
    names::ResourceName,
    FieldErrors,
};

pub const DEFAULT_DRAIN_PERCENT: f64 = 25.0;
pub const MAX_BAKE_MINUTES: u32 = 1440;
pub const MAX_TAGS: usize = 50;
pub const MAX_ALARMS: usize = 10;

const REVISION_MESSAGE: &str = "Choose a revision number.";

/// What the deploy form posts, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeployForm {
    /// Set when updating an existing daemon; empty when creating one.
    #[serde(default)]
    pub daemon_arn: String,
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub daemon_name: String,
    #[serde(default)]
    pub family: String,
    /// A revision number; empty means the latest ACTIVE revision.
    #[serde(default)]
    pub revision: String,
    /// Capacity provider names.
    #[serde(default)]
    pub capacity_providers: Vec<String>,
    #[serde(default)]
    pub drain_percent: String,
    #[serde(default)]
    pub bake_time: String,
    /// Alarm names chosen from the list.
    #[serde(default)]
    pub alarms: Vec<String>,
    /// More alarm names, comma-separated (alarms the portal does not list).
    #[serde(default)]
    pub other_alarms: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_on_alarm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<String>,
    /// `key=value`, one per line.
    #[serde(default)]
    pub tags: String,
    /// `NONE` or `DAEMON`.
    #[serde(default)]
    pub propagate_tags: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecs_managed_tags: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execute_command: Option<String>,
    /// "1" when the update goes back to an earlier revision (started from the history).
    #[serde(default)]
    pub rollback: String,
}

/// One resource tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(String, String)", into = "(String, String)")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl From<(String, String)> for Tag {
    fn from((key, value): (String, String)) -> Self {
        Self { key, value }
    }
}

impl From<Tag> for (String, String) {
    fn from(t: Tag) -> Self {
        (t.key, t.value)
    }
}

/// The deploy input typed but not yet checked: what the form means, the body of `/api/v1`'s
/// `deploy` change (hence its JSON names `daemon`, `bake_time_minutes` and tags as an object),
/// and a daemon's current settings as ECS reports them (which may lack a family).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployDraft {
    pub daemon_arn: Option<String>,
    pub cluster: String,
    #[serde(rename = "daemon")]
    pub daemon_name: String,
    pub family: String,
    /// `None`: the latest ACTIVE revision.
    pub revision: Option<u32>,
    pub capacity_providers: Vec<String>,
    /// `None`: the default, [`DEFAULT_DRAIN_PERCENT`].
    pub drain_percent: Option<f64>,
    /// `None`: no bake time.
    #[serde(rename = "bake_time_minutes")]
    pub bake_time: Option<u32>,
    pub alarms: Vec<String>,
    pub rollback_on_alarm: bool,
    pub critical: bool,
    /// Key → value (in JSON an object, as AWS tools print tags).
    pub tags: BTreeMap<String, String>,
    pub propagate_tags: bool,
    pub ecs_managed_tags: bool,
    pub execute_command: bool,
    /// The update goes back to an earlier revision.
    pub rollback: bool,
}

impl Default for DeployDraft {
    /// As the form opens: critical, rolled back on alarm.
    fn default() -> Self {
        Self {
            daemon_arn: None,
            cluster: String::new(),
            daemon_name: String::new(),
            family: String::new(),
            revision: None,
            capacity_providers: vec![],
            drain_percent: None,
            bake_time: None,
            alarms: vec![],
            rollback_on_alarm: true,
            critical: true,
            tags: BTreeMap::new(),
            propagate_tags: false,
            ecs_managed_tags: false,
            execute_command: false,
            rollback: false,
        }
    }
}

/// A validated deployment request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploySpec {
    pub daemon_arn: Option<String>,
    pub cluster: ResourceName,
    pub daemon_name: ResourceName,
    pub family: ResourceName,
    pub revision: Option<u32>,
    pub capacity_providers: Vec<ResourceName>,
    pub drain_percent: f64,
    pub bake_time_minutes: u32,
    pub alarms: Vec<String>,
    pub rollback_on_alarm: bool,
    pub critical: bool,
    pub tags: Vec<Tag>,
    pub propagate_tags: bool,
    pub ecs_managed_tags: bool,
    pub execute_command: bool,
}

pub fn parse_drain_percent(s: &str) -> Result<f64, String> {
    let Some(s) = filled(s) else { return Ok(DEFAULT_DRAIN_PERCENT) };
    let v: f64 = s.parse().map_err(|_| "The drain percentage must be a number from 1 to 100.".to_string())?;
    check_drain_percent(v)
}

fn check_drain_percent(v: f64) -> Result<f64, String> {
    if !v.is_finite() || !(1.0..=100.0).contains(&v) {
        return Err(format!("The drain percentage must be from 1 to 100 (got {v})."));
    }
    Ok(v)
}

fn bake_time_range() -> String {
    format!("The bake time must be from 0 to {MAX_BAKE_MINUTES} minutes (24 hours).")
}

pub fn parse_bake_time(s: &str) -> Result<u32, String> {
    let Some(s) = filled(s) else { return Ok(0) };
    let v: i64 = s.parse().map_err(|_| "The bake time must be a whole number of minutes.".to_string())?;
    u32::try_from(v).map_err(|_| bake_time_range()).and_then(check_bake_time)
}

fn check_bake_time(v: u32) -> Result<u32, String> {
    if v > MAX_BAKE_MINUTES {
        return Err(bake_time_range());
    }
    Ok(v)
}

/// `key=value` lines (blank lines skipped) → tags; the rules of each tag are [`check_tags`]'s.
pub fn parse_tag_lines(s: &str) -> Result<BTreeMap<String, String>, String> {
    let mut tags = BTreeMap::new();
    for (i, line) in s.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let (k, v) =
            line.split_once('=').ok_or_else(|| format!("Line {}: write each tag as key=value.", i + 1))?;
        if tags.insert(k.trim().to_string(), v.trim().to_string()).is_some() {
            return Err(format!("Line {}: {} is set twice.", i + 1, k.trim()));
        }
    }
    Ok(tags)
}

pub fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), String> {
    for (key, value) in tags {
        if key.is_empty() || key.len() > 128 {
            return Err(format!("Tag `{key}`: a tag key has 1 to 128 characters."));
        }
        if value.len() > 256 {
            return Err(format!("Tag {key}: a tag value has at most 256 characters."));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!("Tag {key}: keys starting with aws: are reserved."));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("At most {MAX_TAGS} tags."));
    }
    Ok(())
}

impl DeployForm {
    /// The form as it opens: default drain percentage and bake time, critical, tags propagated.
    pub fn defaults(cluster: &str) -> Self {
        Self {
            cluster: cluster.to_string(),
            drain_percent: "25".into(),
            bake_time: "0".into(),
            critical: Some("on".into()),
            rollback_on_alarm: Some("on".into()),
            propagate_tags: "NONE".into(),
            ..Default::default()
        }
    }

    /// Whether the update goes back to an earlier revision.
    pub fn is_rollback(&self) -> bool {
        self.rollback == "1"
    }

    /// Form → Spec: [`Self::draft`], then [`DeployDraft::validate`], with every message of both.
    pub fn parse(&self) -> Result<DeploySpec, FieldErrors> {
        let (draft, mut errors) = self.draft();
        match draft.validate() {
            Ok(spec) if errors.is_empty() => Ok(spec),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.merge(more);
                Err(errors)
            }
        }
    }

    /// Reads the wire strings (checkboxes, numbers, tag lines, the extra alarm names). A field
    /// that cannot be read gets its message and is left empty in the draft.
    pub fn draft(&self) -> (DeployDraft, FieldErrors) {
        let mut e = FieldErrors::new();
        let revision = match self.revision.trim() {
            "" | "latest" => None,
            r => e.check("revision", r.parse::<u32>().map_err(|_| REVISION_MESSAGE.to_string())),
        };
        let propagate_tags = match self.propagate_tags.as_str() {
            "" | "NONE" => false,
            "DAEMON" => true,
            other => {
                e.add("propagate_tags", format!("`{other}` is not NONE or DAEMON."));
                false
            }
        };
        let alarms = self
            .alarms
            .iter()
            .map(String::as_str)
            .chain(self.other_alarms.split(','))
            .filter_map(filled)
            .map(str::to_string)
            .collect();
        let draft = DeployDraft {
            daemon_arn: filled(&self.daemon_arn).map(str::to_string),
            cluster: self.cluster.clone(),
            daemon_name: self.daemon_name.clone(),
            family: self.family.clone(),
            revision,
            capacity_providers: self.capacity_providers.clone(),
            drain_percent: e.check("drain_percent", parse_drain_percent(&self.drain_percent)),
            bake_time: e.check("bake_time", parse_bake_time(&self.bake_time)),
            alarms,
            rollback_on_alarm: checked(&self.rollback_on_alarm),
            critical: checked(&self.critical),
            tags: e.check("tags", parse_tag_lines(&self.tags)).unwrap_or_default(),
            propagate_tags,
            ecs_managed_tags: checked(&self.ecs_managed_tags),
            execute_command: checked(&self.execute_command),
            rollback: self.is_rollback(),
        };
        (draft, e)
    }
}

impl DeployDraft {
    /// Draft → Spec: every rule, one message per field (keyed as the form's fields).
    pub fn validate(&self) -> Result<DeploySpec, FieldErrors> {
        let mut e = FieldErrors::new();
        let cluster = e.check("cluster", ResourceName::parse("cluster", &self.cluster));
        let daemon_name = e.check("daemon_name", ResourceName::parse("daemon name", &self.daemon_name));
        let family = e.check("family", ResourceName::parse("daemon task definition family", &self.family));
        if self.revision == Some(0) {
            e.add("revision", REVISION_MESSAGE);
        }
        let mut providers: Vec<ResourceName> = Vec::new();
        for p in &self.capacity_providers {
            match ResourceName::parse("capacity provider", p) {
                Ok(n) if !providers.contains(&n) => providers.push(n),
                Ok(_) => {}
                Err(msg) => e.add("capacity_providers", msg),
            }
        }
        if providers.is_empty() {
            e.add("capacity_providers", "Choose at least one capacity provider.");
        }
        let drain = e
            .check("drain_percent", check_drain_percent(self.drain_percent.unwrap_or(DEFAULT_DRAIN_PERCENT)));
        let bake = e.check("bake_time", check_bake_time(self.bake_time.unwrap_or(0)));
        let mut alarms: Vec<String> = Vec::new();
        for a in self.alarms.iter().filter_map(|a| filled(a)) {
            if alarms.iter().any(|x| x == a) {
                continue;
            }
            if a.len() > 255 || a.chars().any(|c| c.is_control()) {
                e.add(
                    "alarms",
                    format!("`{a}` is not a CloudWatch alarm name (1–255 printable characters)."),
                );
            }
            alarms.push(a.to_string());
        }
        if alarms.len() > MAX_ALARMS {
            e.add("alarms", format!("At most {MAX_ALARMS} alarms."));
        }
        let tags = e.check("tags", check_tags(&self.tags));
        let (Some(cluster), Some(daemon_name), Some(family), Some(drain), Some(bake), Some(())) =
            (cluster, daemon_name, family, drain, bake, tags)
        else {
            return Err(e);
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(DeploySpec {
            daemon_arn: self.daemon_arn.as_deref().and_then(filled).map(str::to_string),
            cluster,
            daemon_name,
            family,
            revision: self.revision,
            capacity_providers: providers,
            drain_percent: drain,
            bake_time_minutes: bake,
            rollback_on_alarm: self.rollback_on_alarm && !alarms.is_empty(),
            alarms,
            critical: self.critical,
            tags: self.tags.iter().map(|(k, v)| Tag { key: k.clone(), value: v.clone() }).collect(),
            propagate_tags: self.propagate_tags,
            ecs_managed_tags: self.ecs_managed_tags,
            execute_command: self.execute_command,
        })
    }

    /// The form prefilled with these settings (for Update).
    pub fn to_form(&self) -> DeployForm {
        DeployForm {
            daemon_arn: self.daemon_arn.clone().unwrap_or_default(),
            cluster: self.cluster.clone(),
            daemon_name: self.daemon_name.clone(),
            family: self.family.clone(),
            revision: self.revision.map(|r| r.to_string()).unwrap_or_default(),
            capacity_providers: self.capacity_providers.clone(),
            drain_percent: format!("{}", self.drain_percent.unwrap_or(DEFAULT_DRAIN_PERCENT)),
            bake_time: self.bake_time.unwrap_or(0).to_string(),
            alarms: self.alarms.clone(),
            other_alarms: String::new(),
            rollback_on_alarm: on(self.rollback_on_alarm),
            critical: on(self.critical),
            tags: self.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n"),
            propagate_tags: if self.propagate_tags { "DAEMON".into() } else { "NONE".into() },
            ecs_managed_tags: on(self.ecs_managed_tags),
            execute_command: on(self.execute_command),
            rollback: if self.rollback { "1".into() } else { String::new() },
        }
    }
}

impl DeploySpec {
    /// These settings as input again (to prefill a form).
    pub fn to_draft(&self) -> DeployDraft {
        DeployDraft {
            daemon_arn: self.daemon_arn.clone(),
            cluster: self.cluster.to_string(),
            daemon_name: self.daemon_name.to_string(),
            family: self.family.to_string(),
            revision: self.revision,
            capacity_providers: self.capacity_providers.iter().map(ResourceName::to_string).collect(),
            drain_percent: Some(self.drain_percent),
            bake_time: Some(self.bake_time_minutes),
            alarms: self.alarms.clone(),
            rollback_on_alarm: self.rollback_on_alarm,
            critical: self.critical,
            tags: self.tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect(),
            propagate_tags: self.propagate_tags,
            ecs_managed_tags: self.ecs_managed_tags,
            execute_command: self.execute_command,
            rollback: false,
        }
    }

    /// The form prefilled with these settings.
    pub fn to_form(&self) -> DeployForm {
        self.to_draft().to_form()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> DeployForm {
        DeployForm {
            daemon_name: "cwagent".into(),
            family: "cloudwatch-agent-daemon".into(),
            capacity_providers: vec!["mi-general".into(), "mi-canary".into()],
            ..DeployForm::defaults("default")
        }
    }

    fn tag(k: &str, v: &str) -> Tag {
        Tag { key: k.into(), value: v.into() }
    }

    #[test]
    fn defaults_parse_to_25_percent_no_bake_critical() {
        let s = form().parse().unwrap();
        assert_eq!(s.drain_percent, 25.0);
        assert_eq!(s.bake_time_minutes, 0);
        assert!(s.critical);
        assert_eq!(s.revision, None);
        assert_eq!(s.family.as_str(), "cloudwatch-agent-daemon");
        assert!(!s.rollback_on_alarm, "no alarms, nothing to roll back on");
        assert_eq!(s.to_form().parse().unwrap(), s);
    }

    #[test]
    fn drain_percent_bounds() {
        for bad in ["0", "101", "-5", "abc", "NaN"] {
            let mut f = form();
            f.drain_percent = bad.into();
            assert!(f.parse().unwrap_err().get("drain_percent").is_some(), "{bad}");
        }
        let mut f = form();
        f.drain_percent = "100".into();
        assert_eq!(f.parse().unwrap().drain_percent, 100.0);
    }

    #[test]
    fn bake_time_bounds_and_providers_required() {
        let mut f = form();
        f.bake_time = "1441".into();
        f.capacity_providers.clear();
        let e = f.parse().unwrap_err();
        assert!(e.get("bake_time").is_some());
        assert!(e.get("capacity_providers").is_some());
        f.bake_time = "-1".into();
        assert!(f.parse().unwrap_err().get("bake_time").unwrap().contains("from 0 to 1440"));
    }

    #[test]
    fn alarms_and_tags() {
        let mut f = form();
        f.alarms = vec!["daemon-errors".into()];
        f.other_alarms = "app-5xx, daemon-errors".into();
        f.tags = "team=platform\n\nenv = prod".into();
        let s = f.parse().unwrap();
        assert_eq!(s.alarms, vec!["daemon-errors", "app-5xx"]);
        assert!(s.rollback_on_alarm);
        assert_eq!(s.tags, vec![tag("env", "prod"), tag("team", "platform")], "sorted by key");
        f.tags = "novalue".into();
        assert!(f.parse().unwrap_err().get("tags").unwrap().contains("Line 1"));
        f.tags = "aws:x=1".into();
        assert!(f.parse().unwrap_err().get("tags").unwrap().contains("reserved"));
        f.tags = "a=1\na=2".into();
        assert!(f.parse().unwrap_err().get("tags").unwrap().contains("Line 2: a is set twice"));
    }

    #[test]
    fn the_form_reads_checkboxes_numbers_and_lines_into_the_draft() {
        let mut f = form();
        f.revision = "3".into();
        f.bake_time = "10".into();
        f.execute_command = Some("on".into());
        f.critical = None;
        f.propagate_tags = "DAEMON".into();
        f.tags = "a=1".into();
        f.rollback = "1".into();
        let (d, e) = f.draft();
        assert!(e.is_empty(), "{e:?}");
        assert_eq!((d.revision, d.bake_time, d.drain_percent), (Some(3), Some(10), Some(25.0)));
        assert!(d.execute_command && !d.critical && d.propagate_tags && d.rollback);
        assert_eq!(d.tags, BTreeMap::from([("a".to_string(), "1".to_string())]));
        assert_eq!(d.to_form().draft().0, d, "the prefilled form reads back the same");
    }

    #[test]
    fn unreadable_and_invalid_fields_are_reported_together_without_panicking() {
        let mut f = form();
        f.revision = "x".into();
        f.drain_percent = "lots".into();
        f.propagate_tags = "ALL".into();
        f.daemon_name = "no spaces".into();
        f.cluster = String::new();
        f.tags = "=v".into();
        let e = f.parse().unwrap_err();
        for field in ["revision", "drain_percent", "propagate_tags", "daemon_name", "cluster", "tags"] {
            assert!(e.get(field).is_some_and(|m| !m.is_empty()), "no message for {field}: {e:?}");
        }
        assert!(e.get("revision").unwrap().contains("revision number"));
    }

    #[test]
    fn the_api_body_deserialises_into_the_draft_with_form_defaults() {
        let d: DeployDraft = serde_json::from_str(
            r#"{"cluster":"prod","daemon":"cw","family":"cw-agent","capacity_providers":["mi"],
                "bake_time_minutes":5,"tags":{"team":"platform"},"execute_command":true}"#,
        )
        .unwrap();
        assert_eq!(d.daemon_name, "cw");
        assert_eq!(d.bake_time, Some(5));
        assert!(d.critical && d.rollback_on_alarm, "absent means the form's defaults");
        let s = d.validate().unwrap();
        assert_eq!(s.tags, vec![tag("team", "platform")]);
        assert_eq!(s.drain_percent, DEFAULT_DRAIN_PERCENT);
        assert!(s.execute_command);
        assert_eq!(serde_json::from_value::<DeployDraft>(serde_json::to_value(&d).unwrap()).unwrap(), d);

        let e = serde_json::from_str::<DeployDraft>(r#"{"daemon_nam":"x"}"#).unwrap_err();
        assert!(e.to_string().contains("daemon_nam"), "{e}");
        let bad: DeployDraft = serde_json::from_str(
            r#"{"cluster":"prod","daemon":"a b","family":"f","revision":0,"bake_time_minutes":5000,
                "tags":{"aws:x":"1"},"capacity_providers":["mi"]}"#,
        )
        .unwrap();
        let e = bad.validate().unwrap_err();
        for field in ["daemon_name", "revision", "bake_time", "tags"] {
            assert!(e.get(field).is_some(), "no message for {field}: {e:?}");
        }
    }

    #[test]
    fn the_spec_serialises_as_before() {
        let mut f = form();
        f.tags = "team=platform".into();
        let v = serde_json::to_value(f.parse().unwrap()).unwrap();
        assert_eq!(v["family"], "cloudwatch-agent-daemon");
        assert_eq!(v["tags"], serde_json::json!([["team", "platform"]]));
        assert_eq!(serde_json::from_value::<DeploySpec>(v).unwrap(), f.parse().unwrap());
    }
}
