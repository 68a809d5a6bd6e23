//! The filters of the History and Audit log pages, as they arrive in the URL (plain strings
//! from a GET form), and their validation: dates, statuses, names, cursors. The page shows
//! each error next to its field; the server checks again.

use serde::{Deserialize, Serialize};

use super::{names::ResourceName, FieldErrors};

/// Longest team, person, actor or action filter.
pub const FILTER_MAX: usize = 200;

/// The ECS deployment statuses a rollout can have, for the Status filter.
pub const ROLLOUT_STATUSES: [&str; 8] = [
    "PENDING",
    "IN_PROGRESS",
    "SUCCESSFUL",
    "STOP_REQUESTED",
    "STOPPED",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_SUCCESSFUL",
    "ROLLBACK_FAILED",
];

/// The History page's query string. Every field may be empty (no filter).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HistoryQuery {
    /// An environment's name (rollouts from before environments are the default one's).
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub team: String,
    pub person: String,
    pub status: String,
    /// `YYYY-MM-DD` (UTC), inclusive.
    pub from: String,
    /// `YYYY-MM-DD` (UTC), inclusive.
    pub to: String,
    /// A cursor: show the rows older than it.
    pub older: String,
    /// A cursor: show the rows newer than it.
    pub newer: String,
}

/// Validated History filters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryFilter {
    pub environment: Option<String>,
    pub cluster: Option<String>,
    pub daemon: Option<String>,
    pub team: Option<String>,
    pub person: Option<String>,
    pub status: Option<String>,
    /// Epoch ms, inclusive.
    pub from_ms: Option<i64>,
    /// Epoch ms, exclusive (the midnight after the `to` day).
    pub to_ms: Option<i64>,
}

/// A position in a newest-first list: the `(time, id)` of a row. Ids are UUIDv7 text; `""`
/// is below every id (a cursor before all rows of one millisecond).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

impl Cursor {
    /// `1700000000000.0190f1c2-…`: readable, and safe in a URL without escaping.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at, self.id)
    }

    /// Also reads the cursors of releases whose ids were numbers (links kept from them), as
    /// the ids those rows were given ([`legacy_id`]).
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || "This page link is damaged; go back to the first page.".to_string();
        let (at, id) = s.trim().split_once('.').ok_or_else(bad)?;
        let id = match id.parse::<i64>() {
            Ok(n) if n >= 0 => legacy_id(n),
            _ if id.len() <= 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') => {
                id.to_ascii_lowercase()
            }
            _ => return Err(bad()),
        };
        Ok(Self { at: at.parse().map_err(|_| bad())?, id })
    }
}

/// The id a row numbered `n` by an earlier release was given when its database was carried
/// over (`server/src/legacy_ids.sql` makes the same text): zero-padded so such rows keep their
/// order, and all zeros at the front so they sort before every UUIDv7.
pub fn legacy_id(n: i64) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

/// Which page of a newest-first list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageAt {
    #[default]
    First,
    Older(Cursor),
    Newer(Cursor),
}

fn opt(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

fn name(errors: &mut FieldErrors, field: &str, what: &str, value: &str) -> Option<String> {
    let v = opt(value)?;
    errors.check(field, ResourceName::parse(what, v).map(|n| n.as_str().to_string()))
}

/// Free text (team, person, actor, action): trimmed, at most [`FILTER_MAX`] characters.
fn text(errors: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    let v = opt(value)?;
    if v.chars().count() > FILTER_MAX {
        errors.add(field, format!("At most {FILTER_MAX} characters."));
        return None;
    }
    Some(v.to_string())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `YYYY-MM-DD` → epoch ms of that day's midnight, UTC.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let bad = || format!("Enter a date as YYYY-MM-DD (for example 2026-12-01); `{}` is not one.", s.trim());
    let parts: Vec<&str> = s.trim().split('-').collect();
    let [y, m, d] = parts[..] else { return Err(bad()) };
    if y.len() != 4
        || m.len() != 2
        || d.len() != 2
        || !(y.to_owned() + m + d).bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().unwrap_or(0), m.parse().unwrap_or(0), d.parse().unwrap_or(0));
    let month_len = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1970..=9999).contains(&y) || d < 1 || d > month_len {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d) * 86_400_000)
}

const DAY_MS: i64 = 86_400_000;

/// From/To dates → `[from_ms, to_ms)`; To must not be before From.
fn date_range(errors: &mut FieldErrors, from: &str, to: &str) -> (Option<i64>, Option<i64>) {
    let from_ms = opt(from).and_then(|f| errors.check("from", parse_date(f)));
    let to_ms = opt(to).and_then(|t| errors.check("to", parse_date(t))).map(|t| t + DAY_MS);
    if let (Some(f), Some(t)) = (from_ms, to_ms) {
        if t <= f {
            errors.add("to", "The To date is before the From date.");
        }
    }
    (from_ms, to_ms)
}

fn page_at(errors: &mut FieldErrors, older: &str, newer: &str) -> PageAt {
    match (opt(older), opt(newer)) {
        (Some(c), _) => errors.check("older", Cursor::parse(c)).map(PageAt::Older).unwrap_or_default(),
        (None, Some(c)) => errors.check("newer", Cursor::parse(c)).map(PageAt::Newer).unwrap_or_default(),
        (None, None) => PageAt::First,
    }
}

impl HistoryQuery {
    /// The validated filters and the page to show, or every field's error.
    pub fn parse(&self) -> Result<(HistoryFilter, PageAt), FieldErrors> {
        let mut errors = FieldErrors::new();
        let environment = opt(&self.environment)
            .and_then(|e| errors.check("environment", super::environment::parse_environment_name(e)));
        let cluster = name(&mut errors, "cluster", "cluster name", &self.cluster);
        let daemon = name(&mut errors, "daemon", "daemon name", &self.daemon);
        let team = text(&mut errors, "team", &self.team);
        let person = text(&mut errors, "person", &self.person);
        let status = opt(&self.status).and_then(|s| {
            let s = s.to_ascii_uppercase();
            if ROLLOUT_STATUSES.contains(&s.as_str()) {
                Some(s)
            } else {
                errors.add(
                    "status",
                    format!("Choose one of the listed statuses; `{}` is not one.", self.status.trim()),
                );
                None
            }
        });
        let (from_ms, to_ms) = date_range(&mut errors, &self.from, &self.to);
        let at = page_at(&mut errors, &self.older, &self.newer);
        if errors.is_empty() {
            Ok((HistoryFilter { environment, cluster, daemon, team, person, status, from_ms, to_ms }, at))
        } else {
            Err(errors)
        }
    }

    /// The filters only (no cursor), as `key=value&…` for links (pages, exports).
    pub fn filter_query(&self) -> String {
        query_string(&[
            ("environment", &self.environment),
            ("cluster", &self.cluster),
            ("daemon", &self.daemon),
            ("team", &self.team),
            ("person", &self.person),
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }
}

/// The Audit log page's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub older: String,
    pub newer: String,
}

/// Validated Audit log filters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

impl AuditQuery {
    pub fn parse(&self) -> Result<(AuditFilter, PageAt), FieldErrors> {
        let mut errors = FieldErrors::new();
        let actor = text(&mut errors, "actor", &self.actor);
        let action = text(&mut errors, "action", &self.action);
        let (from_ms, to_ms) = date_range(&mut errors, &self.from, &self.to);
        let at = page_at(&mut errors, &self.older, &self.newer);
        if errors.is_empty() {
            Ok((AuditFilter { actor, action, from_ms, to_ms }, at))
        } else {
            Err(errors)
        }
    }

    pub fn filter_query(&self) -> String {
        query_string(&[
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }
}

/// `k=v&…` of the non-empty values, percent-encoded.
pub fn query_string(pairs: &[(&str, &String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encoding of a query value (everything but unreserved characters).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The revision number of `family:revision`, for the roll-back link.
pub fn revision_number(definition: &str) -> Option<u32> {
    definition.rsplit_once(':')?.1.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_midnights() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("2026-12-01"), Ok(1_796_083_200_000));
        assert_eq!(parse_date("2000-02-29"), Ok(951_782_400_000));
        for bad in
            ["2026-02-29", "2026-13-01", "2026-1-01", "yesterday", "2026-12-01T00:00", "", "1969-12-31"]
        {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn history_query_validates_each_field() {
        let q = HistoryQuery {
            cluster: "prod".into(),
            daemon: " agent ".into(),
            status: "successful".into(),
            from: "2026-12-01".into(),
            to: "2026-12-01".into(),
            older: "1796083200000.7".into(),
            ..Default::default()
        };
        let (f, at) = q.parse().unwrap();
        assert_eq!(f.daemon.as_deref(), Some("agent"));
        assert_eq!(f.status.as_deref(), Some("SUCCESSFUL"));
        assert_eq!((f.from_ms, f.to_ms), (Some(1_796_083_200_000), Some(1_796_083_200_000 + DAY_MS)));
        assert_eq!(at, PageAt::Older(Cursor { at: 1_796_083_200_000, id: legacy_id(7) }));
        let id = "0190f1c2-8d3a-7b4c-9d5e-6f7a8b9c0d1e";
        let c = Cursor::parse(&format!("1796083200000.{id}")).unwrap();
        assert_eq!(Cursor::parse(&c.encode()), Ok(c.clone()));
        assert_eq!(c.id, id);
        assert!(Cursor::parse("1.<script>").is_err());

        let bad = HistoryQuery {
            cluster: "<script>".into(),
            status: "DONE".into(),
            from: "2026-12-02".into(),
            to: "2026-12-01".into(),
            person: "x".repeat(201),
            newer: "garbage".into(),
            ..Default::default()
        };
        let e = bad.parse().unwrap_err();
        for field in ["cluster", "status", "to", "person", "newer"] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
    }

    #[test]
    fn links_keep_the_filters_encoded() {
        let q = HistoryQuery {
            cluster: "prod".into(),
            person: "a&b=c d".into(),
            older: "1.2".into(),
            ..Default::default()
        };
        assert_eq!(q.filter_query(), "cluster=prod&person=a%26b%3Dc%20d");
        assert_eq!(revision_number("agent:12"), Some(12));
        assert_eq!(revision_number(""), None);
    }
}
