//! Delivery windows: recurring periods (an RFC 5545 RRULE in an IANA time zone) in which a
//! promotion's stages may start (allow) or may not (deny). Deny wins; where allow windows apply,
//! a stage starts only inside one. The freeze windows (`domain::freeze`) count as deny windows
//! for promotions, as they hold every approved change request anyway.
//!
//! The form's rules that need no calendar live here (and run in the browser); expanding the rule
//! in its time zone needs the `rrule` and `chrono-tz` crates, which stay on the server
//! (`services/policies/recurrence.rs`), so a rule that does not parse is refused by the server,
//! next to the field like every other message.

use serde::{Deserialize, Serialize};

use super::{
    form::filled,
    policy::{parse_optional_provider, parse_policy_cluster, parse_policy_environment},
    FieldErrors,
};

pub const MAX_RULE: usize = 500;
pub const MAX_DURATION_MINUTES: u32 = 10_080;
pub const MAX_REASON: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allow" => Some(Effect::Allow),
            "deny" => Some(Effect::Deny),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryWindow {
    /// Assigned by the server; "" in a freshly parsed form.
    pub id: String,
    pub effect: Effect,
    /// An environment name, or `*`.
    pub environment: String,
    /// A cluster name, or `*`.
    pub cluster: String,
    /// "" = every capacity provider.
    pub capacity_provider: String,
    /// The RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO,TU,WE,TH;BYHOUR=9;BYMINUTE=0`.
    pub rule: String,
    /// IANA zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// The first occurrence's local start, `YYYY-MM-DDTHH:MM`.
    pub starts: String,
    pub duration_minutes: u32,
    pub reason: String,
}

impl DeliveryWindow {
    /// Whether the window governs a stage in `environment` on `cluster` touching `providers`.
    pub fn applies_to(&self, environment: &str, cluster: &str, providers: &[String]) -> bool {
        (self.environment == "*" || self.environment == environment)
            && (self.cluster == "*" || self.cluster == cluster)
            && (self.capacity_provider.is_empty() || providers.contains(&self.capacity_provider))
    }

    /// "Allow: prod / mi-prod-a: FREQ=… (Europe/Berlin, 480 min)".
    pub fn describe(&self) -> String {
        let provider = if self.capacity_provider.is_empty() {
            String::new()
        } else {
            format!(" / {}", self.capacity_provider)
        };
        format!(
            "{}: {}: {}{}: {} from {} ({}, {} min)",
            self.effect.label(),
            self.environment,
            self.cluster,
            provider,
            self.rule,
            self.starts,
            self.time_zone,
            self.duration_minutes
        )
    }
}

/// What the window form posts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryWindowForm {
    #[serde(default)]
    pub effect: String,
    #[serde(default)]
    pub environment: String,
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub capacity_provider: String,
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub duration_minutes: String,
    #[serde(default)]
    pub reason: String,
}

/// `YYYY-MM-DDTHH:MM` (what a `datetime-local` input sends), checked for shape and ranges.
pub fn parse_local_start(s: &str) -> Result<String, String> {
    let s = s.trim();
    let bad = || "Write the first start as YYYY-MM-DDTHH:MM, in the window's time zone.".to_string();
    let b = s.as_bytes();
    if b.len() != 16 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| bad());
    let (y, mo, d, h, mi) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 {
        return Err(bad());
    }
    Ok(s.to_string())
}

impl DeliveryWindowForm {
    pub fn defaults() -> Self {
        Self {
            effect: "allow".into(),
            environment: "*".into(),
            cluster: "*".into(),
            rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH".into(),
            time_zone: "UTC".into(),
            starts: "2026-01-05T09:00".into(),
            duration_minutes: "480".into(),
            ..Default::default()
        }
    }

    pub fn parse(&self) -> Result<DeliveryWindow, FieldErrors> {
        let mut e = FieldErrors::new();
        let effect = Effect::parse(self.effect.trim());
        if effect.is_none() {
            e.add("effect", "Choose Allow or Deny.");
        }
        let environment = e.check("environment", parse_policy_environment(&self.environment));
        let cluster = e.check("cluster", parse_policy_cluster(&self.cluster));
        let provider = e.check("capacity_provider", parse_optional_provider(&self.capacity_provider));
        let rule = self.rule.trim().trim_start_matches("RRULE:").to_string();
        if rule.is_empty() {
            e.add("rule", "Write the recurrence, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH.");
        } else if rule.chars().count() > MAX_RULE {
            e.add("rule", format!("At most {MAX_RULE} characters."));
        }
        let time_zone = self.time_zone.trim().to_string();
        if time_zone.is_empty() {
            e.add("time_zone", "Name a time zone, e.g. Europe/Berlin or UTC.");
        }
        let starts = e.check("starts", parse_local_start(&self.starts));
        let duration = match filled(&self.duration_minutes).map(str::parse::<u32>) {
            Some(Ok(d)) if (1..=MAX_DURATION_MINUTES).contains(&d) => Some(d),
            _ => {
                e.add(
                    "duration_minutes",
                    format!("A whole number of minutes from 1 to {MAX_DURATION_MINUTES} (a week)."),
                );
                None
            }
        };
        let reason = self.reason.trim().to_string();
        if reason.chars().count() > MAX_REASON {
            e.add("reason", format!("At most {MAX_REASON} characters."));
        }
        match (effect, environment, cluster, provider, starts, duration) {
            (
                Some(effect),
                Some(environment),
                Some(cluster),
                Some(capacity_provider),
                Some(starts),
                Some(duration_minutes),
            ) if e.is_empty() => Ok(DeliveryWindow {
                id: String::new(),
                effect,
                environment,
                cluster,
                capacity_provider,
                rule,
                time_zone,
                starts,
                duration_minutes,
                reason,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_parse() {
        let w = DeliveryWindowForm::defaults().parse().unwrap();
        assert_eq!(w.effect, Effect::Allow);
        assert!(w.applies_to("staging", "prod", &["mi-prod-a".into()]));
    }

    #[test]
    fn each_field_has_its_message() {
        let f = DeliveryWindowForm {
            effect: "maybe".into(),
            starts: "tomorrow".into(),
            duration_minutes: "0".into(),
            cluster: "bad cluster".into(),
            ..Default::default()
        };
        let e = f.parse().unwrap_err();
        for field in ["effect", "starts", "duration_minutes", "cluster", "rule", "time_zone"] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
        assert!(parse_local_start("2026-13-01T09:00").is_err());
        assert_eq!(parse_local_start("2026-12-07T09:30"), Ok("2026-12-07T09:30".into()));
    }

    #[test]
    fn scope_matches_with_wildcards() {
        let mut w = DeliveryWindowForm::defaults().parse().unwrap();
        w.cluster = "prod".into();
        w.capacity_provider = "mi-prod-a".into();
        assert!(w.applies_to("default", "prod", &["mi-prod-a".into(), "mi-prod-b".into()]));
        assert!(!w.applies_to("default", "prod", &["mi-prod-b".into()]));
        assert!(!w.applies_to("default", "default", &["mi-prod-a".into()]));
    }
}
