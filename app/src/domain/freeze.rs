//! Freeze windows: periods when approved change requests may not execute (an admin may
//! override with a written reason). One-off (`Once`, a half-open interval of epoch ms) or
//! recurring every week (`Weekly`, UTC, on chosen weekdays from a start to an end time; an end
//! before the start wraps past midnight into the next day).

use serde::{Deserialize, Serialize};

use super::{
    policy::{
        parse_optional_provider, parse_policy_cluster, parse_policy_environment, ANY_CLUSTER, ANY_ENVIRONMENT,
    },
    utc::{self, DAY_MS, MINUTES_PER_DAY, MINUTE_MS},
    FieldErrors,
};

pub const REASON_MAX: usize = 500;

fn any_environment() -> String {
    ANY_ENVIRONMENT.to_string()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FreezeSchedule {
    /// From `starts_at` (included) to `ends_at` (excluded), epoch ms.
    Once { starts_at: i64, ends_at: i64 },
    /// On each of `weekdays` (0 = Monday … 6 = Sunday, UTC) from `start_minute` (0..1440) to
    /// `end_minute` (1..=1440; 1440 = midnight at the end of the day). `end_minute <
    /// start_minute` wraps past midnight: the freeze ends on the next day.
    Weekly { weekdays: Vec<u8>, start_minute: u32, end_minute: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeWindow {
    /// Assigned by the server; "" in a freshly parsed form.
    pub id: String,
    /// An environment name, or `*` for every environment.
    #[serde(default = "any_environment")]
    pub environment: String,
    /// A cluster name, or `*` for every cluster.
    pub cluster: String,
    /// "" = every capacity provider of the cluster.
    pub capacity_provider: String,
    pub schedule: FreezeSchedule,
    pub reason: String,
}

impl FreezeSchedule {
    /// When the occurrence covering `at_ms` ends (without chaining into a following one).
    fn occurrence_end(&self, at_ms: i64) -> Option<i64> {
        match self {
            FreezeSchedule::Once { starts_at, ends_at } => {
                (*starts_at <= at_ms && at_ms < *ends_at).then_some(*ends_at)
            }
            FreezeSchedule::Weekly { weekdays, start_minute, end_minute } => {
                let (day, minute, midnight) =
                    (utc::weekday(at_ms), utc::minute_of_day(at_ms), utc::start_of_day(at_ms));
                let on = |d: u8| weekdays.contains(&d);
                let end_today = midnight + i64::from(*end_minute) * MINUTE_MS;
                if start_minute < end_minute {
                    (on(day) && *start_minute <= minute && minute < *end_minute).then_some(end_today)
                } else if end_minute < start_minute {
                    // Wraps: the evening part belongs to today's occurrence, the morning part to
                    // yesterday's (Monday morning to Sunday's).
                    if on(day) && minute >= *start_minute {
                        Some(end_today + DAY_MS)
                    } else if on((day + 6) % 7) && minute < *end_minute {
                        Some(end_today)
                    } else {
                        None
                    }
                } else {
                    None // an empty window; parsing refuses these
                }
            }
        }
    }

    /// A one-line description for tables, e.g. `Weekly on Fri, Sat 18:00–06:00 UTC (ends the next day)`.
    pub fn describe(&self) -> String {
        match self {
            FreezeSchedule::Once { starts_at, ends_at } => {
                format!("Once, {} – {} UTC", utc::format_datetime(*starts_at), utc::format_datetime(*ends_at))
            }
            FreezeSchedule::Weekly { weekdays, start_minute, end_minute } => {
                let days: Vec<&str> = weekdays
                    .iter()
                    .filter_map(|d| utc::WEEKDAY_NAMES.get(*d as usize))
                    .map(|n| &n[..3])
                    .collect();
                format!(
                    "Weekly on {} {}–{} UTC{}",
                    days.join(", "),
                    utc::format_time_of_day(*start_minute),
                    utc::format_time_of_day(*end_minute),
                    if end_minute < start_minute { " (ends the next day)" } else { "" }
                )
            }
        }
    }
}

impl FreezeWindow {
    /// Whether the window freezes the instant `at_ms`.
    pub fn covers(&self, at_ms: i64) -> bool {
        self.schedule.occurrence_end(at_ms).is_some()
    }

    /// Whether the window concerns a request on `cluster` whose scope is `providers` (see
    /// `policy::Scope`: where the daemon runs now and where it will run, so deletes and moves
    /// count the providers they leave). `*` matches any cluster (and requests on no cluster);
    /// a provider-specific window matches requests whose scope holds that provider, and, failing
    /// closed like the policies, requests on its cluster whose providers are not known (empty).
    pub fn applies_to(&self, environment: &str, cluster: &str, providers: &[String]) -> bool {
        let unknown = providers.is_empty() && !cluster.is_empty() && cluster != ANY_CLUSTER;
        (self.environment == ANY_ENVIRONMENT || self.environment == environment)
            && (self.cluster == ANY_CLUSTER || self.cluster == cluster)
            && (self.capacity_provider.is_empty() || unknown || providers.contains(&self.capacity_provider))
    }

    /// When the freeze covering `at_ms` ends, following back-to-back occurrences (Monday
    /// 00:00–24:00 and Tuesday 00:00–24:00 end on Wednesday). `None` when `at_ms` is not
    /// frozen, or when the window never ends (every day, all day).
    pub fn next_end_after(&self, at_ms: i64) -> Option<i64> {
        let mut end = self.schedule.occurrence_end(at_ms)?;
        for _ in 0..8 {
            match self.schedule.occurrence_end(end) {
                Some(next) => end = next,
                None => return Some(end),
            }
        }
        None
    }
}

/// What the freeze window form posts, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FreezeWindowForm {
    #[serde(default)]
    pub id: String,
    /// `once` or `weekly`.
    #[serde(default)]
    pub kind: String,
    /// An environment name, or `*` (or empty) for every environment.
    #[serde(default)]
    pub environment: String,
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub capacity_provider: String,
    /// Once: `YYYY-MM-DD HH:MM` UTC (a `datetime-local` input).
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    /// Weekly: ticked weekdays, "0" (Monday) to "6" (Sunday).
    #[serde(default)]
    pub weekdays: Vec<String>,
    /// Weekly: `HH:MM` UTC.
    #[serde(default)]
    pub start_time: String,
    #[serde(default)]
    pub end_time: String,
    #[serde(default)]
    pub reason: String,
}

pub fn parse_reason(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Enter a reason: people whose requests are held will read it.".into());
    }
    let n = s.chars().count();
    if n > REASON_MAX {
        return Err(format!("The reason can have at most {REASON_MAX} characters (this one has {n})."));
    }
    Ok(s.to_string())
}

impl FreezeWindowForm {
    /// The form as it opens: every cluster, one-off.
    pub fn defaults() -> Self {
        Self {
            kind: "once".into(),
            environment: ANY_ENVIRONMENT.into(),
            cluster: ANY_CLUSTER.into(),
            ..Default::default()
        }
    }

    pub fn parse(&self) -> Result<FreezeWindow, FieldErrors> {
        let mut e = FieldErrors::new();
        let environment = e.check("environment", parse_policy_environment(&self.environment));
        let cluster = e.check("cluster", parse_policy_cluster(&self.cluster));
        let provider = e.check("capacity_provider", parse_optional_provider(&self.capacity_provider));
        let reason = e.check("reason", parse_reason(&self.reason));
        let schedule = match self.kind.trim() {
            "once" => {
                let starts = e.check(
                    "starts_at",
                    utc::parse_datetime(&self.starts_at)
                        .map_err(|m| empty_or(&self.starts_at, "Enter when the freeze starts.", m)),
                );
                let ends = e.check(
                    "ends_at",
                    utc::parse_datetime(&self.ends_at)
                        .map_err(|m| empty_or(&self.ends_at, "Enter when the freeze ends.", m)),
                );
                match (starts, ends) {
                    (Some(s), Some(t)) if t > s => Some(FreezeSchedule::Once { starts_at: s, ends_at: t }),
                    (Some(_), Some(_)) => {
                        e.add("ends_at", "The end must be after the start.");
                        None
                    }
                    _ => None,
                }
            }
            "weekly" => {
                let mut days: Vec<u8> = Vec::new();
                for d in &self.weekdays {
                    match d.trim().parse::<u8>() {
                        Ok(d) if d < 7 => days.push(d),
                        _ => e.add(
                            "weekdays",
                            format!("`{}` is not a weekday (0 = Monday … 6 = Sunday).", d.trim()),
                        ),
                    }
                }
                days.sort_unstable();
                days.dedup();
                if days.is_empty() {
                    e.add("weekdays", "Tick at least one weekday.");
                }
                let start = e.check(
                    "start_time",
                    utc::parse_time_of_day(&self.start_time)
                        .map_err(|m| empty_or(&self.start_time, "Enter the start time (HH:MM, UTC).", m))
                        .and_then(|m| {
                            if m < MINUTES_PER_DAY {
                                Ok(m)
                            } else {
                                Err("A freeze starts at 23:59 at the latest; use 00:00 of the next day."
                                    .into())
                            }
                        }),
                );
                let end = e.check(
                    "end_time",
                    utc::parse_time_of_day(&self.end_time)
                        .map_err(|m| empty_or(&self.end_time, "Enter the end time (HH:MM, UTC).", m)),
                );
                match (start, end) {
                    (Some(s), Some(t)) if s == t => {
                        e.add("end_time", "The end time must differ from the start time; for a whole day use 00:00 to 24:00.");
                        None
                    }
                    (Some(start_minute), Some(end_minute)) if !days.is_empty() => {
                        Some(FreezeSchedule::Weekly { weekdays: days, start_minute, end_minute })
                    }
                    _ => None,
                }
            }
            other => {
                e.add("kind", format!("`{other}` is not a kind of freeze window; choose once or weekly."));
                None
            }
        };
        match (environment, cluster, provider, reason, schedule) {
            (Some(environment), Some(cluster), Some(capacity_provider), Some(reason), Some(schedule))
                if e.is_empty() =>
            {
                Ok(FreezeWindow {
                    id: self.id.trim().to_string(),
                    environment,
                    cluster,
                    capacity_provider,
                    schedule,
                    reason,
                })
            }
            _ => Err(e),
        }
    }
}

fn empty_or(input: &str, if_empty: &str, msg: String) -> String {
    if input.trim().is_empty() {
        if_empty.to_string()
    } else {
        msg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        utc::parse_datetime(s).unwrap()
    }

    fn weekly(days: &[u8], start: &str, end: &str) -> FreezeWindow {
        FreezeWindow {
            id: "w".into(),
            environment: "*".into(),
            cluster: "*".into(),
            capacity_provider: String::new(),
            schedule: FreezeSchedule::Weekly {
                weekdays: days.to_vec(),
                start_minute: utc::parse_time_of_day(start).unwrap(),
                end_minute: utc::parse_time_of_day(end).unwrap(),
            },
            reason: "r".into(),
        }
    }

    fn once(start: &str, end: &str) -> FreezeWindow {
        FreezeWindow {
            schedule: FreezeSchedule::Once { starts_at: at(start), ends_at: at(end) },
            ..weekly(&[0], "00:00", "01:00")
        }
    }

    // 2026-11-30 is a Monday; 2026-12-04 a Friday; 2026-12-06 a Sunday; 2026-12-07 a Monday.

    #[test]
    fn once_is_half_open_at_the_edges() {
        let w = once("2026-12-24 00:00", "2026-12-27 00:00");
        assert!(!w.covers(at("2026-12-24 00:00") - 1));
        assert!(w.covers(at("2026-12-24 00:00")));
        assert!(w.covers(at("2026-12-26 23:59")));
        assert!(w.covers(at("2026-12-27 00:00") - 1));
        assert!(!w.covers(at("2026-12-27 00:00")));
        assert_eq!(w.next_end_after(at("2026-12-25 12:00")), Some(at("2026-12-27 00:00")));
        assert_eq!(w.next_end_after(at("2026-12-27 00:00")), None);
        assert_eq!(w.next_end_after(at("2026-12-01 00:00")), None);
    }

    #[test]
    fn weekly_within_a_day() {
        let w = weekly(&[4], "16:00", "20:00"); // Fridays 16:00–20:00
        assert!(!w.covers(at("2026-12-04 15:59")));
        assert!(w.covers(at("2026-12-04 16:00")));
        assert!(w.covers(at("2026-12-04 19:59")));
        assert!(!w.covers(at("2026-12-04 20:00")));
        assert!(!w.covers(at("2026-12-03 17:00")), "Thursday");
        assert!(w.covers(at("2026-12-11 17:00")), "the next Friday");
        let before_epoch = utc::days_from_civil(1969, 12, 26) * DAY_MS + 17 * 60 * MINUTE_MS;
        assert!(w.covers(before_epoch), "a Friday before 1970: the arithmetic holds for negative times");
        assert_eq!(w.next_end_after(at("2026-12-04 17:30")), Some(at("2026-12-04 20:00")));
        assert_eq!(w.next_end_after(at("2026-12-04 20:00")), None);
    }

    #[test]
    fn weekly_across_midnight() {
        let w = weekly(&[4], "22:00", "06:00"); // Friday 22:00 → Saturday 06:00
        assert!(!w.covers(at("2026-12-04 21:59")));
        assert!(w.covers(at("2026-12-04 22:00")));
        assert!(w.covers(at("2026-12-05 00:00")), "Saturday just after midnight");
        assert!(w.covers(at("2026-12-05 05:59")));
        assert!(!w.covers(at("2026-12-05 06:00")));
        assert!(!w.covers(at("2026-12-05 23:00")), "Saturday evening is not a start day");
        assert!(!w.covers(at("2026-12-04 03:00")), "Friday morning belongs to Thursday, not ticked");
        assert_eq!(w.next_end_after(at("2026-12-04 23:00")), Some(at("2026-12-05 06:00")));
        assert_eq!(w.next_end_after(at("2026-12-05 01:00")), Some(at("2026-12-05 06:00")));
    }

    #[test]
    fn weekly_across_sunday_to_monday() {
        let w = weekly(&[6], "20:00", "08:00"); // Sunday 20:00 → Monday 08:00
        assert!(w.covers(at("2026-12-06 20:00")));
        assert!(w.covers(at("2026-12-07 00:00")));
        assert!(w.covers(at("2026-12-07 07:59")));
        assert!(!w.covers(at("2026-12-07 08:00")));
        assert!(!w.covers(at("2026-12-07 21:00")), "Monday evening");
        assert!(w.covers(at("2026-11-30 03:00")), "the Monday before, after the previous Sunday");
        assert_eq!(w.next_end_after(at("2026-12-06 22:00")), Some(at("2026-12-07 08:00")));
    }

    #[test]
    fn back_to_back_days_chain_and_permanent_never_ends() {
        let w = weekly(&[5, 6], "00:00", "24:00"); // the whole weekend
        assert!(w.covers(at("2026-12-05 00:00")) && w.covers(at("2026-12-06 23:59")));
        assert!(!w.covers(at("2026-12-07 00:00")));
        assert_eq!(w.next_end_after(at("2026-12-05 10:00")), Some(at("2026-12-07 00:00")));
        let always = weekly(&[0, 1, 2, 3, 4, 5, 6], "00:00", "24:00");
        assert!(always.covers(at("2026-12-02 12:00")));
        assert_eq!(always.next_end_after(at("2026-12-02 12:00")), None);
        // Overnight windows on consecutive days do not chain: Mon 22:00–02:00 and Tue 22:00–02:00.
        let nights = weekly(&[0, 1], "22:00", "02:00");
        assert_eq!(nights.next_end_after(at("2026-11-30 23:00")), Some(at("2026-12-01 02:00")));
    }

    #[test]
    fn applies_to_clusters_and_providers() {
        let mut w = once("2026-12-24 00:00", "2026-12-27 00:00");
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(w.applies_to("e", "prod", &p(&["a"])) && w.applies_to("e", "", &[]));
        w.cluster = "prod".into();
        assert!(
            w.applies_to("e", "prod", &[])
                && !w.applies_to("e", "staging", &p(&["a"]))
                && !w.applies_to("e", "", &[])
        );
        w.capacity_provider = "mi-prod-a".into();
        assert!(w.applies_to("e", "prod", &p(&["x", "mi-prod-a"])));
        assert!(!w.applies_to("e", "prod", &p(&["x"])));
        // A scope without providers on the window's cluster: unknown, so frozen (fail closed);
        // a request on no cluster touches no provider.
        assert!(w.applies_to("e", "prod", &[]));
        assert!(!w.applies_to("e", "", &[]) && !w.applies_to("e", "staging", &[]));
        // A delete's scope is where the daemon runs now: the provider it leaves is frozen.
        let delete = crate::domain::policy::Scope::new("prod", &p(&["mi-prod-a"]), &[]);
        assert!(w.applies_to("e", "prod", &delete.providers()));
        let shrink = crate::domain::policy::Scope::new("prod", &p(&["mi-prod-a", "b"]), &p(&["b"]));
        assert!(w.applies_to("e", "prod", &shrink.providers()));
        // An environment's window holds only that environment's requests; `*` holds every one.
        w.environment = "prod-eu".into();
        assert!(w.applies_to("prod-eu", "prod", &p(&["mi-prod-a"])));
        assert!(!w.applies_to("staging", "prod", &p(&["mi-prod-a"])));
    }

    fn form() -> FreezeWindowForm {
        FreezeWindowForm {
            kind: "weekly".into(),
            cluster: "prod".into(),
            weekdays: vec!["4".into(), "3".into(), "4".into()],
            start_time: "18:00".into(),
            end_time: "06:00".into(),
            reason: "  Weekend: no changes  ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_weekly_and_once_forms() {
        let w = form().parse().unwrap();
        assert_eq!(
            w.schedule,
            FreezeSchedule::Weekly { weekdays: vec![3, 4], start_minute: 1080, end_minute: 360 }
        );
        assert_eq!(w.reason, "Weekend: no changes");
        assert_eq!(w.schedule.describe(), "Weekly on Thu, Fri 18:00–06:00 UTC (ends the next day)");
        let f = FreezeWindowForm {
            kind: "once".into(),
            starts_at: "2026-12-24T00:00".into(),
            ends_at: "2026-12-27 00:00".into(),
            ..form()
        };
        let w = f.parse().unwrap();
        assert_eq!(
            w.schedule,
            FreezeSchedule::Once { starts_at: at("2026-12-24 00:00"), ends_at: at("2026-12-27 00:00") }
        );
        assert_eq!(w.schedule.describe(), "Once, 2026-12-24 00:00 – 2026-12-27 00:00 UTC");
        let whole = FreezeWindowForm { start_time: "00:00".into(), end_time: "24:00".into(), ..form() };
        assert!(whole.parse().is_ok());
    }

    #[test]
    fn refuses_bad_forms_with_messages_per_field() {
        let e = FreezeWindowForm { reason: "   ".into(), ..form() }.parse().unwrap_err();
        assert!(e.get("reason").unwrap().starts_with("Enter a reason"));
        let e = FreezeWindowForm { reason: "x".repeat(501), ..form() }.parse().unwrap_err();
        assert!(e.get("reason").unwrap().contains("at most 500"));
        assert!(
            FreezeWindowForm { reason: "é".repeat(500), ..form() }.parse().is_ok(),
            "500 characters, not bytes"
        );
        let e = FreezeWindowForm { weekdays: vec![], ..form() }.parse().unwrap_err();
        assert_eq!(e.get("weekdays"), Some("Tick at least one weekday."));
        let e = FreezeWindowForm { weekdays: vec!["7".into()], ..form() }.parse().unwrap_err();
        assert!(e.get("weekdays").unwrap().contains("`7`"));
        let e = FreezeWindowForm { end_time: "18:00".into(), ..form() }.parse().unwrap_err();
        assert!(e.get("end_time").unwrap().contains("must differ"));
        let e = FreezeWindowForm { start_time: "24:00".into(), ..form() }.parse().unwrap_err();
        assert!(e.get("start_time").unwrap().contains("23:59"));
        let e = FreezeWindowForm { start_time: "".into(), ..form() }.parse().unwrap_err();
        assert!(e.get("start_time").unwrap().starts_with("Enter the start time"));
        let e = FreezeWindowForm { kind: "daily".into(), ..form() }.parse().unwrap_err();
        assert!(e.get("kind").unwrap().contains("once or weekly"));
        let e = FreezeWindowForm { cluster: "".into(), ..form() }.parse().unwrap_err();
        assert!(e.get("cluster").is_some());
        let once = |s: &str, t: &str| FreezeWindowForm {
            kind: "once".into(),
            starts_at: s.into(),
            ends_at: t.into(),
            ..form()
        };
        let e = once("2026-12-27 00:00", "2026-12-24 00:00").parse().unwrap_err();
        assert_eq!(e.get("ends_at"), Some("The end must be after the start."));
        let e = once("2026-12-24 00:00", "2026-12-24 00:00").parse().unwrap_err();
        assert_eq!(e.get("ends_at"), Some("The end must be after the start."));
        let e = once("", "soon").parse().unwrap_err();
        assert_eq!(e.get("starts_at"), Some("Enter when the freeze starts."));
        assert!(e.get("ends_at").unwrap().contains("YYYY-MM-DD HH:MM"));
    }

    #[test]
    fn reasons_are_kept_literally() {
        let xss = "<script>alert(1)</script> '; DROP TABLE freeze_windows; --";
        assert_eq!(FreezeWindowForm { reason: xss.into(), ..form() }.parse().unwrap().reason, xss);
    }
}
