//! Recurring delivery windows: RFC 5545 RRULEs expanded in an IANA time zone.
//!
//! # Semantics
//!
//! A delivery window is a recurring period in which deployments are either
//! *allowed* (allow window) or *forbidden* (deny window). [`next_allowed`]
//! decides with these rules:
//!
//! * **Deny wins over allow.** An instant inside any deny occurrence is never
//!   allowed, whatever the allow windows say.
//! * **No allow windows configured** (the `allow` slice is empty): every
//!   instant that is not denied is allowed.
//! * **Some allow windows configured**: only instants inside at least one allow
//!   occurrence *and* outside every deny occurrence are allowed. An allow
//!   window whose rule has run out (COUNT/UNTIL in the past) still counts as
//!   configured, so it allows nothing; drop it from the slice if it should stop
//!   restricting deployments.
//!
//! Occurrences are half-open, `[start, end)`: a window from 09:00 lasting
//! 8 hours allows 09:00 and forbids 17:00. All instants are epoch
//! milliseconds, UTC.
//!
//! # Design
//!
//! * [`parse`] checks a user-written [`RecurringWindow`] once and returns a
//!   [`Schedule`]; every error names the offending field ([`Field`]).
//! * Anything that yields occurrences in start order implements
//!   [`Occurrences`]. It is implemented for [`Schedule`] and for a fixed
//!   [`Interval`], so one-off freezes (or one-off extra allow periods) can be
//!   mixed with recurring windows: `next_allowed` takes `&[&dyn Occurrences]`.
//! * `next_allowed` is a sweep over boundaries, not a minute-by-minute scan:
//!   each source is expanded lazily and at most once per call, the cursor only
//!   moves forward (to a deny end or an allow start), and the search stops at
//!   the horizon (capped at [`MAX_HORIZON_MS`]). Its cost is bounded by the
//!   occurrences inside the horizon.
//! * [`Schedule::covering`] and [`Schedule::between`] do not replay the rule
//!   from `starts` on every call: rules without COUNT resume at an aligned
//!   period shortly before the instant asked about (see `expansion_start`).
//!
//! # Input rules and limits
//!
//! * `rule`: one RRULE value, optionally prefixed by `RRULE:`, at most
//!   [`MAX_RULE_CHARS`] characters. DTSTART, RDATE, EXDATE or any other
//!   property is refused: the first start comes from `starts`, so a DTSTART in
//!   the rule would be a second, conflicting source of truth.
//! * `FREQ=MINUTELY` and `FREQ=SECONDLY` are refused, as is any rule with more
//!   than [`MAX_STARTS_PER_DAY`] start times per day (e.g. HOURLY with a long
//!   BYMINUTE list), and `COUNT` above [`MAX_COUNT`]: this keeps every
//!   expansion small.
//! * `UNTIL` must be UTC (`UNTIL=20261231T230000Z`), as RFC 5545 requires when
//!   DTSTART has a time zone. (The `rrule` crate would otherwise read a
//!   floating UNTIL in the *machine's* local zone.)
//! * A rule that can never produce an occurrence (e.g. `BYMONTH=2;BYMONTHDAY=30`)
//!   is refused rather than silently allowing or denying nothing.
//! * `starts`: local `YYYY-MM-DDTHH:MM`, year 1970..=9999. A local time that
//!   does not exist (skipped by a DST change) is refused; one that exists twice
//!   takes the earlier instant. `starts` anchors the series (INTERVAL phase,
//!   COUNT, and the weekday/day/time the rule leaves out), but it is itself an
//!   occurrence only if it matches the rule: `FREQ=WEEKLY;BYDAY=MO` starting on
//!   a Wednesday first occurs the Monday after (the `rrule` crate follows
//!   python-dateutil here, not RFC 5545's "DTSTART is the first instance").
//! * Occurrences at a local time skipped by DST are moved forward by the gap
//!   (02:30 on the spring-forward day in Europe/Berlin becomes 03:30 CEST);
//!   this is what the `rrule` crate does, and it matches RFC 5545. One
//!   exception, also the crate's: if local *midnight* itself is skipped (zones
//!   such as America/Santiago change clocks at 00:00), an occurrence on that
//!   day whose time falls in the gap is dropped instead of moved.
//! * Instants after 9999-12-31 have no occurrences.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use rrule::{Frequency, RRule, RRuleSet, Tz, Unvalidated};

/// Longest accepted `rule` text, in characters.
pub const MAX_RULE_CHARS: usize = 500;
/// Longest accepted occurrence, in minutes (one week).
pub const MAX_DURATION_MINUTES: u32 = 10_080;
/// Largest accepted `COUNT`.
pub const MAX_COUNT: u32 = 10_000;
/// Most start times a rule may produce on one day (every 15 minutes).
pub const MAX_STARTS_PER_DAY: usize = 96;

/// Longest search [`next_allowed`] does (about ten years): the sweep costs one
/// step per occurrence in the horizon, so an unbounded horizon could walk
/// millions of occurrences when every allow window is denied.
pub const MAX_HORIZON_MS: i64 = 3_660 * 24 * 60 * 60 * 1000;

/// 9999-12-31T23:59:59.999Z: the `rrule` crate stops at year 10000, and
/// searching up to there from an old start would be needlessly long.
const LAST_SUPPORTED_MS: i64 = 253_402_300_799_999;

/// A recurring window as a user writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurringWindow {
    /// The RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO,TU,WE,TH;BYHOUR=9;BYMINUTE=0;BYSECOND=0`,
    /// with or without a leading `RRULE:`.
    pub rule: String,
    /// IANA zone, e.g. `Europe/Berlin`, `UTC`.
    pub time_zone: String,
    /// Local `YYYY-MM-DDTHH:MM` in `time_zone`: the rule's DTSTART. It is the
    /// first occurrence when it matches the rule (see the module docs).
    pub starts: String,
    /// How long each occurrence lasts, `1..=10080` minutes.
    pub duration_minutes: u32,
}

/// The [`RecurringWindow`] field an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Rule,
    TimeZone,
    Starts,
    DurationMinutes,
}

impl Field {
    /// The field's name as in [`RecurringWindow`], for forms and API errors.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Field::Rule => "rule",
            Field::TimeZone => "time_zone",
            Field::Starts => "starts",
            Field::DurationMinutes => "duration_minutes",
        }
    }
}

/// Why a [`RecurringWindow`] was refused. `message` is meant for the user who
/// wrote the window; `Display` prefixes it with the field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowError {
    pub field: Field,
    pub message: String,
}

impl WindowError {
    fn new(field: Field, message: impl Into<String>) -> Self {
        WindowError { field, message: message.into() }
    }
}

impl fmt::Display for WindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.name(), self.message)
    }
}

impl std::error::Error for WindowError {}

/// A half-open period `[start_ms, end_ms)` in epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Interval {
    #[must_use]
    pub fn contains(&self, at_ms: i64) -> bool {
        self.start_ms <= at_ms && at_ms < self.end_ms
    }
}

/// A source of occurrences for [`next_allowed`].
pub trait Occurrences {
    /// Every occurrence that ends after `from_ms` (including one that started
    /// before it), in ascending start order. The iterator may be endless;
    /// callers stop reading when they have what they need.
    fn occurrences_from(&self, from_ms: i64) -> Box<dyn Iterator<Item = Interval> + '_>;
}

impl Occurrences for Interval {
    fn occurrences_from(&self, from_ms: i64) -> Box<dyn Iterator<Item = Interval> + '_> {
        let live = self.start_ms < self.end_ms && self.end_ms > from_ms;
        Box::new(live.then_some(*self).into_iter())
    }
}

/// A checked [`RecurringWindow`], ready to expand.
#[derive(Debug, Clone)]
pub struct Schedule {
    rule: RRule,
    start: DateTime<Tz>,
    duration_ms: i64,
}

/// Checks a window and prepares it for expansion.
///
/// # Errors
///
/// A [`WindowError`] naming the first field that is wrong, checked in the
/// order `time_zone`, `starts`, `duration_minutes`, `rule`.
pub fn parse(w: &RecurringWindow) -> Result<Schedule, WindowError> {
    let tz = parse_time_zone(&w.time_zone)?;
    let start = parse_starts(&w.starts, tz, &w.time_zone)?;
    if !(1..=MAX_DURATION_MINUTES).contains(&w.duration_minutes) {
        return Err(WindowError::new(
            Field::DurationMinutes,
            format!(
                "{} minutes is out of range; a window lasts from 1 to {MAX_DURATION_MINUTES} minutes (one week)",
                w.duration_minutes
            ),
        ));
    }
    let rule = parse_rule(&w.rule, start)?;
    Ok(Schedule { rule, start, duration_ms: i64::from(w.duration_minutes) * 60_000 })
}

fn parse_time_zone(name: &str) -> Result<Tz, WindowError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(WindowError::new(
            Field::TimeZone,
            "is empty; use an IANA name such as Europe/Berlin or UTC",
        ));
    }
    chrono_tz::Tz::from_str(name).map(Tz::Tz).map_err(|_| {
        WindowError::new(
            Field::TimeZone,
            format!("`{name}` is not a time zone; use an IANA name such as Europe/Berlin"),
        )
    })
}

fn parse_starts(text: &str, tz: Tz, zone_name: &str) -> Result<DateTime<Tz>, WindowError> {
    let text = text.trim();
    let bad_format = || {
        WindowError::new(
            Field::Starts,
            format!(
                "`{text}` is not a local date and time; write it as YYYY-MM-DDTHH:MM, e.g. 2026-03-02T09:00"
            ),
        )
    };
    // chrono's %Y also takes signed and 5+ digit years; the length pins YYYY.
    if text.len() != 16 {
        return Err(bad_format());
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").map_err(|_| bad_format())?;
    if !(1970..=9999).contains(&naive.year()) {
        return Err(WindowError::new(
            Field::Starts,
            format!("`{text}` is out of range; the year must be between 1970 and 9999"),
        ));
    }
    tz.from_local_datetime(&naive).earliest().ok_or_else(|| {
        WindowError::new(
            Field::Starts,
            format!(
                "`{text}` does not exist in {} (the clocks skip it for daylight saving time); pick a time outside the change",
                zone_name.trim()
            ),
        )
    })
}

fn parse_rule(text: &str, start: DateTime<Tz>) -> Result<RRule, WindowError> {
    let err = |msg: String| WindowError::new(Field::Rule, msg);
    let text = text.trim();
    if text.is_empty() {
        return Err(err("is empty; write an RRULE such as FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".into()));
    }
    if text.chars().count() > MAX_RULE_CHARS {
        return Err(err(format!(
            "is {} characters long; at most {MAX_RULE_CHARS} are allowed",
            text.chars().count()
        )));
    }
    let value = match text.get(..6) {
        Some(prefix) if prefix.eq_ignore_ascii_case("RRULE:") => text[6..].trim_start(),
        _ => text,
    };
    if value.to_ascii_uppercase().contains("DTSTART") {
        return Err(
            err("must not contain DTSTART; set the first start in the `starts` field instead".into()),
        );
    }
    // Newlines or a second ':' mean more iCalendar properties (RDATE, EXDATE, ...),
    // which the crate would parse differently from a bare RRULE.
    if value.contains(['\n', '\r', ':']) {
        return Err(err(
            "must be a single RRULE value such as FREQ=WEEKLY;BYDAY=MO; other properties (RDATE, EXDATE, ...) are not supported".into(),
        ));
    }
    for part in value.split(';') {
        if let Some((key, until)) = part.split_once('=') {
            if key.trim().eq_ignore_ascii_case("UNTIL") && !until.trim().ends_with(['Z', 'z']) {
                return Err(err(format!(
                    "UNTIL={until} must be in UTC with a trailing Z, e.g. UNTIL=20261231T230000Z"
                )));
            }
        }
    }

    let unvalidated = RRule::<Unvalidated>::from_str(value)
        .map_err(|e| err(format!("is not a valid RRULE: {}", crate_message(&e))))?;
    match unvalidated.get_freq() {
        Frequency::Minutely | Frequency::Secondly => {
            return Err(err(format!(
                "FREQ={} is too fine-grained for delivery windows; use HOURLY or coarser",
                unvalidated.get_freq()
            )));
        }
        _ => {}
    }
    // The crate accepts INTERVAL=0 and then silently yields nothing.
    if unvalidated.get_interval() == 0 {
        return Err(err("INTERVAL=0 is not allowed; use 1 or more".into()));
    }
    if let Some(count) = unvalidated.get_count() {
        if count > MAX_COUNT {
            return Err(err(format!(
                "COUNT={count} is too large; at most {MAX_COUNT} occurrences are allowed (use UNTIL or no end instead)"
            )));
        }
    }
    let rule = unvalidated
        .validate(start)
        .map_err(|e| err(format!("is not a valid RRULE: {}", crate_message(&e))))?;

    // After validation the crate has filled BYHOUR/BYMINUTE/BYSECOND from
    // DTSTART where they were missing, so the product is the real density.
    let hours = if rule.get_freq() == Frequency::Hourly && rule.get_by_hour().is_empty() {
        24usize.div_ceil(usize::from(rule.get_interval().max(1)))
    } else {
        rule.get_by_hour().len().max(1)
    };
    let per_day = hours * rule.get_by_minute().len().max(1) * rule.get_by_second().len().max(1);
    if per_day > MAX_STARTS_PER_DAY {
        return Err(err(format!(
            "starts up to {per_day} windows a day; at most {MAX_STARTS_PER_DAY} are allowed (shorten BYHOUR/BYMINUTE/BYSECOND)"
        )));
    }

    // The crate gives up after 100,000 empty periods, so this is bounded; it
    // catches rules like BYMONTH=2;BYMONTHDAY=30 that can never match.
    let first = (&RRuleSet::new(start).rrule(rule.clone()).limit()).into_iter().next();
    if first.is_none() {
        return Err(err(
            "never produces an occurrence after `starts`; check the BY… parts (e.g. BYMONTHDAY=30 with BYMONTH=2)".into(),
        ));
    }
    Ok(rule)
}

/// The crate's messages start with `RRule parsing error: `; the user only
/// needs the part after it.
fn crate_message(e: &rrule::RRuleError) -> String {
    match e {
        rrule::RRuleError::ParserError(p) => p.to_string(),
        // The crate's own wording ("That should not be happening.") reads like
        // an internal bug to a user.
        rrule::RRuleError::ValidationError(rrule::ValidationError::UntilBeforeStart { .. }) => {
            "UNTIL is earlier than `starts`".into()
        }
        rrule::RRuleError::ValidationError(v) => v.to_string(),
        other => other.to_string(),
    }
}

impl Schedule {
    /// Length of every occurrence, in milliseconds.
    #[must_use]
    pub fn duration_ms(&self) -> i64 {
        self.duration_ms
    }

    /// The occurrence covering `at_ms` (start included, end excluded), if any.
    /// If several overlap `at_ms` (duration longer than the spacing), the one
    /// that ends last.
    #[must_use]
    pub fn covering(&self, at_ms: i64) -> Option<Interval> {
        self.occurrences_from(at_ms).take_while(|iv| iv.start_ms <= at_ms).last()
    }

    /// Occurrences overlapping `[from_ms, to_ms)`, in start order, at most `limit`.
    #[must_use]
    pub fn between(&self, from_ms: i64, to_ms: i64, limit: usize) -> Vec<Interval> {
        if to_ms <= from_ms {
            return Vec::new();
        }
        self.occurrences_from(from_ms).take_while(|iv| iv.start_ms < to_ms).take(limit).collect()
    }

    /// Where expansion may start so that nothing ending after `from_ms` is
    /// missed.
    ///
    /// The crate always iterates from DTSTART, which gets slower every year a
    /// window exists. For rules without COUNT we instead start at the first
    /// instant of a later period whose distance from DTSTART is a whole multiple
    /// of INTERVAL: the crate has already baked DTSTART's weekday, day and time
    /// into the validated BY… lists, so such a period expands exactly as it
    /// would when reached from DTSTART. Weekly periods begin on WKST so that
    /// BYSETPOS sees the full week. COUNT needs every earlier occurrence, so
    /// those rules (capped at [`MAX_COUNT`]) are expanded from DTSTART.
    fn expansion_start(&self, from_ms: i64) -> DateTime<Tz> {
        let target_ms = from_ms.saturating_sub(self.duration_ms);
        // Before `starts` there is nothing to skip; this also keeps the date
        // arithmetic below away from chrono's range limits (occurrences_from
        // caps the other end).
        if self.rule.get_count().is_some() || target_ms <= self.start.timestamp_millis() {
            return self.start;
        }
        let Some(target) = DateTime::from_timestamp_millis(target_ms) else {
            return self.start;
        };
        // Local wall-clock order and instant order differ by at most the DST
        // shift; a day of slack makes the chosen period start early enough.
        let target = target.with_timezone(&self.start.timezone()).naive_local() - Duration::days(1);
        let origin = self.start.naive_local();
        let freq = self.rule.get_freq();
        let wkst = self.rule.get_week_start();
        let interval = i64::from(self.rule.get_interval().max(1));
        let elapsed = period_index(freq, wkst, target) - period_index(freq, wkst, origin);
        let mut k = elapsed.div_euclid(interval) * interval;
        // A period start can fall in a DST gap (midnight in a few zones); the
        // previous aligned period is then just as good.
        for _ in 0..4 {
            if k <= 0 {
                break;
            }
            let anchor = period_start(freq, wkst, origin, k)
                .and_then(|n| self.start.timezone().from_local_datetime(&n).earliest());
            if let Some(anchor) = anchor.filter(|a| *a > self.start) {
                return anchor;
            }
            k -= interval;
        }
        self.start
    }
}

/// Sequential number of the FREQ period containing `t` (local wall-clock time).
fn period_index(freq: Frequency, wkst: chrono::Weekday, t: NaiveDateTime) -> i64 {
    let day = i64::from(t.date().num_days_from_ce());
    match freq {
        Frequency::Yearly => i64::from(t.year()),
        Frequency::Monthly => i64::from(t.year()) * 12 + i64::from(t.month0()),
        // All week starts share one weekday, so their day numbers differ by
        // multiples of 7 and the division is exact between them.
        Frequency::Weekly => i64::from(week_start(t.date(), wkst).num_days_from_ce()).div_euclid(7),
        Frequency::Daily => day,
        Frequency::Hourly | Frequency::Minutely | Frequency::Secondly => day * 24 + i64::from(t.hour()),
    }
}

/// First local instant of the period `k` periods after the one containing `origin`.
fn period_start(
    freq: Frequency,
    wkst: chrono::Weekday,
    origin: NaiveDateTime,
    k: i64,
) -> Option<NaiveDateTime> {
    let date = origin.date();
    let start = match freq {
        Frequency::Yearly => {
            NaiveDate::from_ymd_opt(origin.year().checked_add(i32::try_from(k).ok()?)?, 1, 1)?
                .and_hms_opt(0, 0, 0)?
        }
        Frequency::Monthly => {
            date.with_day(1)?.checked_add_months(Months::new(u32::try_from(k).ok()?))?.and_hms_opt(0, 0, 0)?
        }
        Frequency::Weekly => (week_start(date, wkst) + Duration::try_weeks(k)?).and_hms_opt(0, 0, 0)?,
        Frequency::Daily => (date + Duration::try_days(k)?).and_hms_opt(0, 0, 0)?,
        Frequency::Hourly | Frequency::Minutely | Frequency::Secondly => {
            date.and_hms_opt(origin.hour(), 0, 0)? + Duration::try_hours(k)?
        }
    };
    Some(start)
}

fn week_start(date: NaiveDate, wkst: chrono::Weekday) -> NaiveDate {
    let back = (date.weekday().num_days_from_monday() + 7 - wkst.num_days_from_monday()) % 7;
    date - Duration::days(i64::from(back))
}

impl Occurrences for Schedule {
    fn occurrences_from(&self, from_ms: i64) -> Box<dyn Iterator<Item = Interval> + '_> {
        if from_ms > LAST_SUPPORTED_MS {
            return Box::new(std::iter::empty());
        }
        let set = RRuleSet::new(self.expansion_start(from_ms))
            .rrule(self.rule.clone())
            // Without `limit` the crate loops forever on a rule that stops
            // matching; with it, it gives up after 100,000 empty periods.
            .limit();
        let duration = self.duration_ms;
        Box::new(
            (&set)
                .into_iter()
                .map(move |dt| {
                    let start_ms = dt.timestamp_millis();
                    Interval { start_ms, end_ms: start_ms.saturating_add(duration) }
                })
                .filter(move |iv| iv.end_ms > from_ms),
        )
    }
}

/// The answer of [`next_allowed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Allowed at the instant asked about.
    Now,
    /// Not allowed now; this is the earliest later instant that is.
    At(i64),
    /// Nothing is allowed in `[at_ms, at_ms + horizon)`; carries the horizon searched.
    NotWithin(i64),
}

/// When a deployment may start at or after `at_ms`: [`Allowed::Now`] if
/// allowed now, else the earliest allowed instant in `[at_ms, at_ms + horizon_ms)`.
/// `horizon_ms` is clamped to `0..=MAX_HORIZON_MS`; `NotWithin` reports the
/// clamped value.
/// See the module documentation for the allow/deny rules.
#[must_use]
pub fn next_allowed(
    at_ms: i64,
    allow: &[&dyn Occurrences],
    deny: &[&dyn Occurrences],
    horizon_ms: i64,
) -> Allowed {
    let horizon_ms = horizon_ms.clamp(0, MAX_HORIZON_MS);
    let limit = at_ms.saturating_add(horizon_ms);
    let mut allow: Vec<_> = allow.iter().map(|s| s.occurrences_from(at_ms).peekable()).collect();
    let mut deny: Vec<_> = deny.iter().map(|s| s.occurrences_from(at_ms).peekable()).collect();
    let restricted = !allow.is_empty();

    // `t` only moves forward, to a deny end or an allow start, and every move
    // consumes at least one occurrence, so this ends within the horizon.
    let mut t = at_ms;
    loop {
        t = past_denials(&mut deny, t, limit);
        if t >= limit {
            return Allowed::NotWithin(horizon_ms);
        }
        if restricted {
            match next_allow_start(&mut allow, t) {
                None => return Allowed::NotWithin(horizon_ms),
                Some(s) if s > t => {
                    t = s;
                    continue;
                }
                Some(_) => {}
            }
        }
        return if t == at_ms { Allowed::Now } else { Allowed::At(t) };
    }
}

type Source<'a> = std::iter::Peekable<Box<dyn Iterator<Item = Interval> + 'a>>;

/// The first instant at or after `t` that no deny occurrence covers (or
/// something at or past `limit`). Adjacent and overlapping denials, within
/// one source or across sources, chain.
fn past_denials(deny: &mut [Source<'_>], mut t: i64, limit: i64) -> i64 {
    loop {
        let mut moved = false;
        for source in deny.iter_mut() {
            while t < limit {
                let Some(iv) = source.next_if(|iv| iv.start_ms <= t) else {
                    break;
                };
                if iv.end_ms > t {
                    t = iv.end_ms;
                    moved = true;
                }
            }
        }
        // Another source may cover the new `t`, hence the extra pass.
        if !moved || t >= limit {
            return t;
        }
    }
}

/// `t` if an allow occurrence covers it, else the next allow start after `t`,
/// or `None` if no allow source has any occurrence left.
fn next_allow_start(allow: &mut [Source<'_>], t: i64) -> Option<i64> {
    let mut best: Option<i64> = None;
    for source in allow.iter_mut() {
        while source.next_if(|iv| iv.end_ms <= t).is_some() {}
        if let Some(iv) = source.peek() {
            let s = iv.start_ms.max(t);
            best = Some(best.map_or(s, |b| b.min(s)));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    const MIN: i64 = 60_000;
    const HOUR: i64 = 60 * MIN;
    const DAY: i64 = 24 * HOUR;

    const BUSINESS_DAYS: &str = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0;BYSECOND=0";

    fn window(rule: &str, zone: &str, starts: &str, minutes: u32) -> RecurringWindow {
        RecurringWindow {
            rule: rule.into(),
            time_zone: zone.into(),
            starts: starts.into(),
            duration_minutes: minutes,
        }
    }

    fn schedule(rule: &str, zone: &str, starts: &str, minutes: u32) -> Schedule {
        parse(&window(rule, zone, starts, minutes)).unwrap()
    }

    /// Berlin business hours 09:00-17:00, Monday to Friday.
    fn business_hours() -> Schedule {
        schedule(BUSINESS_DAYS, "Europe/Berlin", "2026-01-05T09:00", 8 * 60)
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().timestamp_millis()
    }

    fn iv(start_ms: i64, end_ms: i64) -> Interval {
        Interval { start_ms, end_ms }
    }

    fn parse_err(w: RecurringWindow) -> WindowError {
        parse(&w).expect_err("window should be refused")
    }

    #[test]
    fn berlin_business_hours_across_dst_switch() {
        // EU clocks go forward on Sunday 2026-03-29: 09:00 Berlin is 08:00 UTC
        // the Friday before and 07:00 UTC the Monday after.
        let got = business_hours().between(utc(2026, 3, 26, 0, 0), utc(2026, 4, 2, 0, 0), 10);
        let eight_hours = 8 * HOUR;
        let want: Vec<Interval> = [
            1_774_512_000_000, // Thu 2026-03-26T08:00Z
            1_774_598_400_000, // Fri 2026-03-27T08:00Z
            1_774_854_000_000, // Mon 2026-03-30T07:00Z
            1_774_940_400_000, // Tue 2026-03-31T07:00Z
            1_775_026_800_000, // Wed 2026-04-01T07:00Z
        ]
        .into_iter()
        .map(|s| iv(s, s + eight_hours))
        .collect();
        assert_eq!(got, want);
        // And back in autumn (2026-10-25): 08:00 UTC again.
        let oct = business_hours().between(utc(2026, 10, 23, 0, 0), utc(2026, 10, 27, 0, 0), 10);
        assert_eq!(
            oct,
            vec![
                iv(utc(2026, 10, 23, 7, 0), utc(2026, 10, 23, 15, 0)),
                iv(utc(2026, 10, 26, 8, 0), utc(2026, 10, 26, 16, 0)),
            ]
        );
    }

    #[test]
    fn occurrence_that_started_before_at_still_covers_it() {
        let s = business_hours();
        let monday_9 = utc(2026, 3, 30, 7, 0);
        let want = iv(monday_9, monday_9 + 8 * HOUR);
        assert_eq!(s.covering(monday_9), Some(want), "start is included");
        assert_eq!(s.covering(monday_9 + 8 * HOUR - 1), Some(want));
        assert_eq!(s.covering(monday_9 + 8 * HOUR), None, "end is excluded");
        assert_eq!(s.covering(monday_9 - 1), None);
        assert_eq!(s.between(monday_9 + 4 * HOUR, monday_9 + 5 * HOUR, 10), vec![want]);
        assert_eq!(next_allowed(monday_9 + 7 * HOUR, &[&s], &[], 400 * DAY), Allowed::Now);
    }

    #[test]
    fn covering_picks_the_occurrence_ending_last_when_they_overlap() {
        // Daily at 09:00 UTC for 36 hours: occurrences overlap.
        let s = schedule("FREQ=DAILY", "UTC", "2026-01-01T09:00", 36 * 60);
        let at = utc(2026, 1, 3, 12, 0);
        assert_eq!(s.covering(at), Some(iv(utc(2026, 1, 3, 9, 0), utc(2026, 1, 4, 21, 0))));
    }

    #[test]
    fn allow_only_gives_the_next_start() {
        let s = business_hours();
        let saturday_noon = utc(2026, 3, 28, 11, 0);
        assert_eq!(
            next_allowed(saturday_noon, &[&s], &[], 400 * DAY),
            Allowed::At(1_774_854_000_000) // Monday 09:00 CEST
        );
        let tuesday_evening = utc(2026, 3, 31, 16, 0); // 18:00 Berlin
        assert_eq!(next_allowed(tuesday_evening, &[&s], &[], 400 * DAY), Allowed::At(utc(2026, 4, 1, 7, 0)));
    }

    #[test]
    fn no_windows_at_all_means_now() {
        assert_eq!(next_allowed(utc(2026, 3, 28, 11, 0), &[], &[], DAY), Allowed::Now);
    }

    #[test]
    fn deny_wins_over_allow() {
        let allow = business_hours();
        // Fridays are frozen all day, Berlin time.
        let friday = schedule(
            "FREQ=WEEKLY;BYDAY=FR;BYHOUR=0;BYMINUTE=0;BYSECOND=0",
            "Europe/Berlin",
            "2026-01-02T00:00",
            24 * 60,
        );
        let friday_10 = utc(2026, 3, 27, 9, 0);
        assert_eq!(
            next_allowed(friday_10, &[&allow], &[&friday], 400 * DAY),
            Allowed::At(1_774_854_000_000) // Monday 09:00 CEST
        );
        // Deny alone still forbids when nothing restricts to allow windows.
        assert_eq!(
            next_allowed(friday_10, &[], &[&friday], 400 * DAY),
            Allowed::At(utc(2026, 3, 27, 23, 0)) // Saturday 00:00 CET
        );
        assert_eq!(next_allowed(utc(2026, 3, 26, 9, 0), &[&allow], &[&friday], 400 * DAY), Allowed::Now);
    }

    #[test]
    fn adjacent_and_overlapping_denials_chain() {
        // Nightly freeze 22:00-06:00 UTC, a one-off freeze 06:00-12:00 that
        // touches it, and a recurring 11:00-14:00 that overlaps the one-off.
        let nightly =
            schedule("FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0", "UTC", "2026-01-01T22:00", 8 * 60);
        let lunch = schedule("FREQ=DAILY;BYHOUR=11;BYMINUTE=0;BYSECOND=0", "UTC", "2026-01-01T11:00", 3 * 60);
        let one_off = iv(utc(2026, 5, 5, 6, 0), utc(2026, 5, 5, 12, 0));
        let at = utc(2026, 5, 4, 23, 0);
        assert_eq!(
            next_allowed(at, &[], &[&nightly, &one_off, &lunch], 400 * DAY),
            Allowed::At(utc(2026, 5, 5, 14, 0))
        );
        // Order of the sources does not matter.
        assert_eq!(
            next_allowed(at, &[], &[&lunch, &one_off, &nightly], 400 * DAY),
            Allowed::At(utc(2026, 5, 5, 14, 0))
        );
    }

    #[test]
    fn allow_window_entirely_denied_skips_to_the_next_one() {
        let allow = business_hours();
        // Monday 2026-03-30, 08:00-18:00 Berlin, frozen.
        let freeze = iv(utc(2026, 3, 30, 6, 0), utc(2026, 3, 30, 16, 0));
        assert_eq!(
            next_allowed(utc(2026, 3, 28, 11, 0), &[&allow], &[&freeze], 400 * DAY),
            Allowed::At(utc(2026, 3, 31, 7, 0)) // Tuesday 09:00 CEST
        );
        // A freeze that ends mid-window lets the rest of the window through.
        let morning = iv(utc(2026, 3, 30, 6, 0), utc(2026, 3, 30, 10, 30));
        assert_eq!(
            next_allowed(utc(2026, 3, 28, 11, 0), &[&allow], &[&morning], 400 * DAY),
            Allowed::At(utc(2026, 3, 30, 10, 30))
        );
    }

    #[test]
    fn nothing_allowed_within_horizon() {
        let at = utc(2026, 3, 28, 11, 0);
        // An allow window that has run out allows nothing, ever.
        let ended = schedule(
            "FREQ=DAILY;UNTIL=20260110T000000Z;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
            "Europe/Berlin",
            "2026-01-05T09:00",
            60,
        );
        assert_eq!(next_allowed(at, &[&ended], &[], 400 * DAY), Allowed::NotWithin(400 * DAY));
        let counted = schedule("FREQ=WEEKLY;COUNT=3", "UTC", "2026-01-05T09:00", 60);
        assert_eq!(next_allowed(at, &[&counted], &[], 400 * DAY), Allowed::NotWithin(400 * DAY));
        // A yearly window beyond a short horizon.
        let new_year = schedule("FREQ=YEARLY", "UTC", "2027-01-01T00:00", 60);
        assert_eq!(next_allowed(at, &[&new_year], &[], 30 * DAY), Allowed::NotWithin(30 * DAY));
        assert_eq!(next_allowed(at, &[&new_year], &[], 400 * DAY), Allowed::At(utc(2027, 1, 1, 0, 0)));
        // A deny that covers every instant; the search stops at the horizon.
        let always = schedule("FREQ=DAILY", "UTC", "2026-01-01T00:00", 24 * 60);
        assert_eq!(next_allowed(at, &[], &[&always], 400 * DAY), Allowed::NotWithin(400 * DAY));
        assert_eq!(
            next_allowed(at, &[&business_hours()], &[&always], 400 * DAY),
            Allowed::NotWithin(400 * DAY)
        );
    }

    #[test]
    fn between_for_a_month() {
        let s = business_hours();
        let april = s.between(utc(2026, 3, 31, 22, 0), utc(2026, 4, 30, 22, 0), 100);
        assert_eq!(april.len(), 22, "22 weekdays in April 2026");
        assert_eq!(april[0], iv(utc(2026, 4, 1, 7, 0), utc(2026, 4, 1, 15, 0)));
        assert_eq!(april[21], iv(utc(2026, 4, 30, 7, 0), utc(2026, 4, 30, 15, 0)));
        assert!(april.windows(2).all(|w| w[0].start_ms < w[1].start_ms));
        assert_eq!(s.between(utc(2026, 3, 31, 22, 0), utc(2026, 4, 30, 22, 0), 5).len(), 5);
        assert!(s.between(utc(2026, 4, 30, 22, 0), utc(2026, 3, 31, 22, 0), 5).is_empty());
    }

    #[test]
    fn local_time_skipped_by_dst_moves_forward() {
        // 02:30 does not exist in Berlin on 2026-03-29; the crate shifts it by
        // the gap to 03:30 CEST (01:30 UTC).
        let s = schedule("FREQ=DAILY", "Europe/Berlin", "2026-03-27T02:30", 30);
        let starts: Vec<i64> = s
            .between(utc(2026, 3, 28, 0, 0), utc(2026, 3, 31, 0, 0), 10)
            .iter()
            .map(|i| i.start_ms)
            .collect();
        assert_eq!(starts, vec![utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]);
    }

    #[test]
    fn midnight_skipped_by_dst_drops_the_occurrence() {
        // Santiago skips 2024-09-08T00:00; the crate drops that day's occurrence
        // rather than moving it (pinned so a crate upgrade that changes it shows).
        let s = schedule("FREQ=DAILY", "America/Santiago", "2024-09-06T00:00", 60);
        let starts: Vec<i64> =
            s.between(utc(2024, 9, 7, 0, 0), utc(2024, 9, 10, 0, 0), 10).iter().map(|i| i.start_ms).collect();
        assert_eq!(starts, vec![utc(2024, 9, 7, 4, 0), utc(2024, 9, 9, 3, 0)]);
    }

    #[test]
    fn starts_is_an_occurrence_only_if_it_matches() {
        // Wednesday start, Monday rule: the first occurrence is the next Monday.
        let s = schedule("FREQ=WEEKLY;BYDAY=MO", "Europe/Berlin", "2026-01-07T09:00", 60);
        assert_eq!(s.between(0, i64::MAX, 1), vec![iv(utc(2026, 1, 12, 8, 0), utc(2026, 1, 12, 9, 0))]);
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let s = business_hours();
        for at in [i64::MIN, -1, 0, LAST_SUPPORTED_MS, i64::MAX] {
            let _ = s.covering(at);
            let _ = s.between(at, at.saturating_add(DAY), 10);
            let _ = next_allowed(at, &[&s], &[], i64::MAX);
            let _ = next_allowed(at, &[], &[&s], -5);
        }
        // Every allow occurrence denied: the sweep stops at the capped horizon.
        assert_eq!(
            next_allowed(utc(2026, 1, 1, 0, 0), &[&s], &[&s], i64::MAX),
            Allowed::NotWithin(MAX_HORIZON_MS)
        );
        assert_eq!(next_allowed(0, &[&s], &[], MAX_HORIZON_MS * 10), Allowed::NotWithin(MAX_HORIZON_MS));
        assert_eq!(
            next_allowed(utc(2025, 6, 1, 0, 0), &[&s], &[], 400 * DAY),
            Allowed::At(utc(2026, 1, 5, 8, 0))
        );
        assert_eq!(s.covering(LAST_SUPPORTED_MS + 1), None);
    }

    #[test]
    fn rrule_prefix_is_optional() {
        let a = business_hours();
        let b = schedule(&format!("RRULE:{BUSINESS_DAYS}"), "Europe/Berlin", "2026-01-05T09:00", 480);
        let (from, to) = (utc(2026, 3, 1, 0, 0), utc(2026, 4, 1, 0, 0));
        assert_eq!(a.between(from, to, 50), b.between(from, to, 50));
    }

    /// The seek in `expansion_start` must not change any occurrence: compare
    /// with a plain expansion from DTSTART for awkward rules and query points.
    #[test]
    fn seeking_matches_full_expansion() {
        let cases = [
            ("FREQ=DAILY;INTERVAL=3;BYHOUR=9,21", "Europe/Berlin", "2024-02-29T09:00", 90),
            ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYSETPOS=-1", "America/New_York", "2024-01-03T18:00", 60),
            ("FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,MO,SA", "Australia/Sydney", "2024-01-10T23:00", 180),
            ("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16", "Europe/Berlin", "2024-01-31T16:00", 600),
            ("FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31", "Asia/Tokyo", "2024-01-31T12:00", 60),
            (
                "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;BYHOUR=2;BYMINUTE=30",
                "Europe/Berlin",
                "2024-03-31T03:30",
                60,
            ),
            ("FREQ=YEARLY;INTERVAL=2;BYWEEKNO=1,53;BYDAY=MO", "UTC", "2024-01-01T06:00", 60),
            ("FREQ=HOURLY;INTERVAL=5;BYMINUTE=15", "Europe/Berlin", "2024-03-30T01:15", 20),
            ("FREQ=HOURLY;INTERVAL=7;BYDAY=SA,SU", "America/Santiago", "2024-04-06T00:00", 120),
            ("FREQ=DAILY;UNTIL=20260401T000000Z", "Europe/London", "2024-03-30T01:30", 45),
            ("FREQ=DAILY;BYHOUR=0,12", "America/Santiago", "2024-01-01T00:00", 30),
            ("FREQ=WEEKLY;BYDAY=SU;BYHOUR=0", "America/Santiago", "2024-01-07T00:00", 30),
        ];
        for (rule, zone, starts, minutes) in cases {
            let s = schedule(rule, zone, starts, minutes);
            let full: Vec<Interval> = (&RRuleSet::new(s.start).rrule(s.rule.clone()).limit())
                .into_iter()
                .take_while(|dt| dt.timestamp_millis() < utc(2028, 1, 1, 0, 0))
                .map(|dt| iv(dt.timestamp_millis(), dt.timestamp_millis() + s.duration_ms))
                .collect();
            let mut from = utc(2024, 1, 1, 0, 0);
            while from < utc(2027, 6, 1, 0, 0) {
                let to = from + 45 * DAY;
                let want: Vec<Interval> =
                    full.iter().copied().filter(|i| i.end_ms > from && i.start_ms < to).collect();
                assert_eq!(s.between(from, to, 10_000), want, "{rule} in {zone} from {from}");
                from += 17 * DAY + 5 * HOUR + 7 * MIN;
            }
        }
    }

    #[test]
    fn far_from_starts_stays_fast() {
        // Ten years of hourly occurrences would be ~88,000 steps without seeking.
        let s = schedule("FREQ=HOURLY;BYMINUTE=0", "Europe/Berlin", "2016-01-01T00:00", 30);
        let t0 = std::time::Instant::now();
        for i in 0..200 {
            let at = utc(2026, 1, 1, 0, 0) + i * 7 * HOUR;
            assert!(s.covering(at).is_some() || s.covering(at + 30 * MIN).is_some());
        }
        assert!(t0.elapsed() < std::time::Duration::from_secs(2), "{:?}", t0.elapsed());
    }

    #[test]
    fn bad_time_zone_names_the_field() {
        let e = parse_err(window(BUSINESS_DAYS, "Berlin", "2026-01-05T09:00", 60));
        assert_eq!(e.field, Field::TimeZone);
        assert_eq!(e.message, "`Berlin` is not a time zone; use an IANA name such as Europe/Berlin");
        assert!(e.to_string().starts_with("time_zone: "));
        assert_eq!(parse_err(window(BUSINESS_DAYS, "", "2026-01-05T09:00", 60)).field, Field::TimeZone);
        // The crate's own "Local" pseudo-zone is not an IANA name.
        assert_eq!(parse_err(window(BUSINESS_DAYS, "Local", "2026-01-05T09:00", 60)).field, Field::TimeZone);
    }

    #[test]
    fn bad_rule_names_the_field() {
        let rule_error = |rule: &str| {
            let e = parse_err(window(rule, "Europe/Berlin", "2026-01-05T09:00", 60));
            assert_eq!(e.field, Field::Rule, "{rule}: {e}");
            assert!(e.to_string().starts_with("rule: "));
            e.message
        };
        assert!(rule_error("FREQ=FORTNIGHTLY").contains("is not a valid RRULE"));
        assert!(rule_error("BYDAY=MO").contains("FREQ"));
        assert!(rule_error("FREQ=WEEKLY;BYDAY=XX").contains("XX"));
        assert!(rule_error("").contains("is empty"));
        assert!(rule_error("FREQ=MINUTELY;BYSECOND=0").contains("too fine-grained"));
        assert!(rule_error("FREQ=SECONDLY").contains("too fine-grained"));
        assert!(rule_error("DTSTART:20260105T090000Z\nRRULE:FREQ=DAILY").contains("`starts`"));
        assert!(rule_error("FREQ=DAILY\nEXDATE:20260106T090000Z").contains("single RRULE"));
        assert!(rule_error("FREQ=DAILY;UNTIL=20261231").contains("UTC"));
        assert_eq!(
            rule_error("FREQ=DAILY;UNTIL=20250101T000000Z"),
            "is not a valid RRULE: UNTIL is earlier than `starts`"
        );
        assert!(rule_error("FREQ=DAILY;INTERVAL=0").contains("INTERVAL=0"));
        assert!(rule_error("FREQ=DAILY;COUNT=1000000").contains("COUNT"));
        assert!(rule_error("FREQ=HOURLY;BYMINUTE=0,10,20,30,40,50").contains("windows a day"));
        assert!(rule_error("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").contains("never produces"));
        let long = format!("FREQ=WEEKLY;BYDAY={}", vec!["MO"; 200].join(","));
        assert!(rule_error(&long).contains("at most 500"));
    }

    #[test]
    fn bad_duration_names_the_field() {
        for minutes in [0, 10_081] {
            let e = parse_err(window(BUSINESS_DAYS, "Europe/Berlin", "2026-01-05T09:00", minutes));
            assert_eq!(e.field, Field::DurationMinutes);
            assert!(e.to_string().starts_with("duration_minutes: "), "{e}");
            assert!(e.message.contains("1 to 10080 minutes"), "{e}");
        }
        assert!(parse(&window(BUSINESS_DAYS, "Europe/Berlin", "2026-01-05T09:00", 10_080)).is_ok());
    }

    #[test]
    fn bad_starts_names_the_field() {
        for starts in [
            "2026-01-05 09:00",
            "2026-01-05T09:00:00",
            "05.01.2026 09:00",
            "2026-02-30T09:00",
            "1969-12-31T23:00",
        ] {
            let e = parse_err(window(BUSINESS_DAYS, "Europe/Berlin", starts, 60));
            assert_eq!(e.field, Field::Starts, "{starts}");
        }
        let gap = parse_err(window(BUSINESS_DAYS, "Europe/Berlin", "2026-03-29T02:30", 60));
        assert!(gap.message.contains("does not exist in Europe/Berlin"), "{gap}");
        // A time that happens twice takes the earlier one (CEST, UTC+2).
        let twice = schedule("FREQ=YEARLY", "Europe/Berlin", "2026-10-25T02:30", 60);
        assert_eq!(twice.start.timestamp_millis(), utc(2026, 10, 25, 0, 30));
    }
}
