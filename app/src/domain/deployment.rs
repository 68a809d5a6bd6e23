//! The deploy / update form (one form for Create daemon, Deploy and Update) and its validation.

use serde::{Deserialize, Serialize};

use super::{names::ResourceName, FieldErrors};

pub const DEFAULT_DRAIN_PERCENT: f64 = 25.0;
pub const MAX_BAKE_MINUTES: u32 = 1440;
pub const MAX_TAGS: usize = 50;
pub const MAX_ALARMS: usize = 10;

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

/// A validated deployment request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploySpec {
    pub daemon_arn: Option<String>,
    pub cluster: String,
    pub daemon_name: String,
    pub family: String,
    pub revision: Option<u32>,
    pub capacity_providers: Vec<String>,
    pub drain_percent: f64,
    pub bake_time_minutes: u32,
    pub alarms: Vec<String>,
    pub rollback_on_alarm: bool,
    pub critical: bool,
    pub tags: Vec<(String, String)>,
    pub propagate_tags: bool,
    pub ecs_managed_tags: bool,
    pub execute_command: bool,
}

fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !matches!(s, "" | "false" | "off" | "0"))
}

pub fn parse_drain_percent(s: &str) -> Result<f64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(DEFAULT_DRAIN_PERCENT);
    }
    let v: f64 = s.parse().map_err(|_| "The drain percentage must be a number from 1 to 100.".to_string())?;
    if !v.is_finite() || !(1.0..=100.0).contains(&v) {
        return Err(format!("The drain percentage must be from 1 to 100 (got {s})."));
    }
    Ok(v)
}

pub fn parse_bake_time(s: &str) -> Result<u32, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(0);
    }
    let v: i64 = s.parse().map_err(|_| "The bake time must be a whole number of minutes.".to_string())?;
    if !(0..=i64::from(MAX_BAKE_MINUTES)).contains(&v) {
        return Err(format!("The bake time must be from 0 to {MAX_BAKE_MINUTES} minutes (24 hours)."));
    }
    Ok(v as u32)
}

pub fn parse_tags(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut tags = Vec::new();
    for (i, line) in s.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let (k, v) =
            line.split_once('=').ok_or_else(|| format!("Line {}: write each tag as key=value.", i + 1))?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || k.len() > 128 {
            return Err(format!("Line {}: a tag key has 1 to 128 characters.", i + 1));
        }
        if v.len() > 256 {
            return Err(format!("Line {}: a tag value has at most 256 characters.", i + 1));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!("Line {}: keys starting with aws: are reserved.", i + 1));
        }
        tags.push((k.to_string(), v.to_string()));
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("At most {MAX_TAGS} tags."));
    }
    Ok(tags)
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

    pub fn parse(&self) -> Result<DeploySpec, FieldErrors> {
        let mut e = FieldErrors::new();
        let cluster = e.check("cluster", ResourceName::parse("cluster", &self.cluster));
        let daemon_name = e.check("daemon_name", ResourceName::parse("daemon name", &self.daemon_name));
        let family = e.check("family", ResourceName::parse("daemon task definition family", &self.family));
        let revision = if self.revision.trim().is_empty() || self.revision == "latest" {
            Some(None)
        } else {
            e.check(
                "revision",
                self.revision
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|r| *r >= 1)
                    .map(Some)
                    .ok_or_else(|| "Choose a revision number.".to_string()),
            )
        };
        let mut providers: Vec<String> = Vec::new();
        for p in &self.capacity_providers {
            match ResourceName::parse("capacity provider", p) {
                Ok(n) if !providers.contains(&n.to_string()) => providers.push(n.to_string()),
                Ok(_) => {}
                Err(msg) => e.add("capacity_providers", msg),
            }
        }
        if providers.is_empty() {
            e.add("capacity_providers", "Choose at least one capacity provider.");
        }
        let drain = e.check("drain_percent", parse_drain_percent(&self.drain_percent));
        let bake = e.check("bake_time", parse_bake_time(&self.bake_time));
        let mut alarms: Vec<String> = Vec::new();
        for a in self.alarms.iter().map(String::as_str).chain(self.other_alarms.split(',')) {
            let a = a.trim();
            if a.is_empty() || alarms.iter().any(|x| x == a) {
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
        let tags = e.check("tags", parse_tags(&self.tags));
        let propagate_tags = match self.propagate_tags.as_str() {
            "" | "NONE" => Some(false),
            "DAEMON" => Some(true),
            other => {
                e.add("propagate_tags", format!("`{other}` is not NONE or DAEMON."));
                None
            }
        };
        if !e.is_empty() {
            return Err(e);
        }
        let daemon_arn = self.daemon_arn.trim();
        Ok(DeploySpec {
            daemon_arn: (!daemon_arn.is_empty()).then(|| daemon_arn.to_string()),
            cluster: cluster.expect("checked").to_string(),
            daemon_name: daemon_name.expect("checked").to_string(),
            family: family.expect("checked").to_string(),
            revision: revision.expect("checked"),
            capacity_providers: providers,
            drain_percent: drain.expect("checked"),
            bake_time_minutes: bake.expect("checked"),
            rollback_on_alarm: checked(&self.rollback_on_alarm) && !alarms.is_empty(),
            alarms,
            critical: checked(&self.critical),
            tags: tags.expect("checked"),
            propagate_tags: propagate_tags.expect("checked"),
            ecs_managed_tags: checked(&self.ecs_managed_tags),
            execute_command: checked(&self.execute_command),
        })
    }
}

impl DeploySpec {
    /// The form prefilled with these settings (for Update).
    pub fn to_form(&self) -> DeployForm {
        let on = |b: bool| b.then(|| "on".to_string());
        DeployForm {
            daemon_arn: self.daemon_arn.clone().unwrap_or_default(),
            cluster: self.cluster.clone(),
            daemon_name: self.daemon_name.clone(),
            family: self.family.clone(),
            revision: self.revision.map(|r| r.to_string()).unwrap_or_default(),
            capacity_providers: self.capacity_providers.clone(),
            drain_percent: format!("{}", self.drain_percent),
            bake_time: self.bake_time_minutes.to_string(),
            alarms: self.alarms.clone(),
            other_alarms: String::new(),
            rollback_on_alarm: on(self.rollback_on_alarm),
            critical: on(self.critical),
            tags: self.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n"),
            propagate_tags: if self.propagate_tags { "DAEMON".into() } else { "NONE".into() },
            ecs_managed_tags: on(self.ecs_managed_tags),
            execute_command: on(self.execute_command),
            rollback: String::new(),
        }
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

    #[test]
    fn defaults_parse_to_25_percent_no_bake_critical() {
        let s = form().parse().unwrap();
        assert_eq!(s.drain_percent, 25.0);
        assert_eq!(s.bake_time_minutes, 0);
        assert!(s.critical);
        assert_eq!(s.revision, None);
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
        assert_eq!(s.tags, vec![("team".into(), "platform".into()), ("env".into(), "prod".into())]);
        f.tags = "novalue".into();
        assert!(f.parse().unwrap_err().get("tags").is_some());
        f.tags = "aws:x=1".into();
        assert!(f.parse().unwrap_err().get("tags").unwrap().contains("reserved"));
    }
}
