//! Delivery metrics (the four DORA figures) computed from the portal's change requests: the
//! query the `/delivery` page and `/api/v1` take, the figures they answer, and the pure
//! computation from ended change requests to figures and per-bucket series.
//!
//! Every time compared here is the portal's clock: `created_at` (the request was made) and
//! `finished_at` (the worker saw it end), never a time ECS reported. Definitions (also the
//! page's help text):
//! - A **change** is a deploy, update or rollback request that reached ECS (ECS accepted the
//!   call and the portal recorded its deployment) and ended: succeeded, failed, rolled back or
//!   stopped. A request ECS refused changed nothing and is only counted in `refused_by_ecs`.
//! - A change is in the period (and in a bucket) by when it ended.
//! - **Deployment frequency**: successful changes, per day or week of the period.
//! - **Lead time**: from the request's creation to its success; median and 90th percentile
//!   (nearest rank).
//! - **Change failure rate**: failed, rolled back and stopped changes over all changes.
//! - **Time to restore**: for each failed, rolled back or stopped change, the time from its end
//!   until the next successful change of the same daemon (same environment, cluster and daemon)
//!   ended; the median over the failures that were restored. Failures not followed by a success
//!   yet are counted as not restored.

use serde::{Deserialize, Serialize};

use super::{
    utc::{civil_from_days, days, start_of_day, DAY_MS, WEEK_MS},
    FieldErrors,
};

/// The periods offered, in days.
pub const PERIODS: [u32; 3] = [7, 30, 90];
/// The period when none is given.
pub const DEFAULT_PERIOD: u32 = 30;

fn default_period() -> u32 {
    DEFAULT_PERIOD
}

/// Which changes to measure. Empty `team` / `cluster`: all of them; `environment` `None`: all
/// environments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryQuery {
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub environment: Option<String>,
    /// Days: 7, 30 or 90.
    #[serde(default = "default_period")]
    pub period: u32,
}

impl Default for DeliveryQuery {
    fn default() -> Self {
        Self { team: String::new(), cluster: String::new(), environment: None, period: DEFAULT_PERIOD }
    }
}

impl DeliveryQuery {
    /// The query trimmed (an empty environment is none), or the fields' errors.
    pub fn validate(&self) -> Result<DeliveryQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        if !PERIODS.contains(&self.period) {
            errors.add("period", "Choose the last 7, 30 or 90 days.");
        }
        for (field, value) in [("team", &self.team), ("cluster", &self.cluster)] {
            if value.len() > 255 {
                errors.add(field, "At most 255 characters.");
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(DeliveryQuery {
            team: self.team.trim().to_string(),
            cluster: self.cluster.trim().to_string(),
            environment: self
                .environment
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_string),
            period: self.period,
        })
    }
}

/// How the period is cut into a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Day,
    Week,
}

impl Bucket {
    pub fn ms(self) -> i64 {
        match self {
            Bucket::Day => DAY_MS,
            Bucket::Week => WEEK_MS,
        }
    }
}

/// The measured span: `[from, to)` in epoch ms (portal clock), cut into `buckets` of `bucket`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: i64,
    pub to: i64,
    pub bucket: Bucket,
    pub buckets: u32,
}

/// The window of the last `period` days up to `now`: whole UTC days (7 or 30), or whole weeks
/// (13 for 90 days), the last one ending at midnight after `now`, so a bucket is a calendar
/// day or a week of calendar days.
pub fn window(period: u32, now: i64) -> Window {
    let (bucket, buckets) =
        if period > 30 { (Bucket::Week, period.div_ceil(7)) } else { (Bucket::Day, period) };
    let end_of_today = start_of_day(now) + DAY_MS;
    Window { from: end_of_today - i64::from(buckets) * bucket.ms(), to: now, bucket, buckets }
}

/// How an ended change ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed,
    RolledBack,
    Stopped,
}

impl Outcome {
    /// From a change request's `state`; `None` for a request that has not ended in one of these.
    pub fn from_state(state: &str) -> Option<Self> {
        match state {
            "succeeded" => Some(Outcome::Succeeded),
            "failed" => Some(Outcome::Failed),
            "rolled_back" => Some(Outcome::RolledBack),
            "stopped" => Some(Outcome::Stopped),
            _ => None,
        }
    }

    pub fn is_failure(self) -> bool {
        self != Outcome::Succeeded
    }
}

/// One ended change request, as the computation reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRecord {
    pub id: String,
    pub environment: String,
    pub cluster: String,
    pub daemon: String,
    pub outcome: Outcome,
    /// Portal clock, epoch ms.
    pub created_at: i64,
    pub finished_at: i64,
    /// ECS accepted the call (the request has a deployment ARN).
    pub reached_ecs: bool,
}

/// The figures of one bucket of the series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketFigures {
    /// Epoch ms (portal clock, UTC midnight) where the bucket starts.
    pub start: i64,
    /// `YYYY-MM-DD` of its first day.
    pub label: String,
    /// Successful changes that ended in the bucket.
    pub deployments: u32,
    pub lead_time_median_ms: Option<i64>,
    /// Changes that ended in the bucket, and how many of them failed.
    pub changes: u32,
    pub failures: u32,
    /// failures / changes (0..=1); `None` without changes.
    pub failure_rate: Option<f64>,
    /// Median time to restore of the failures that ended in the bucket and were restored.
    pub restore_median_ms: Option<i64>,
}

/// The four figures over the period, and their series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryMetrics {
    /// The query, validated.
    pub query: DeliveryQuery,
    /// The window, epoch ms (portal clock).
    pub from: i64,
    pub to: i64,
    pub bucket: Bucket,
    /// Successful changes in the period.
    pub deployments: u32,
    pub deployments_per_day: f64,
    pub deployments_per_week: f64,
    pub lead_time_median_ms: Option<i64>,
    pub lead_time_p90_ms: Option<i64>,
    /// Changes that reached ECS and ended in the period.
    pub changes: u32,
    /// Of those, failed, rolled back or stopped.
    pub failures: u32,
    /// failures / changes (0..=1); `None` without changes.
    pub change_failure_rate: Option<f64>,
    /// Failures followed by a successful change of the same daemon, and those not (yet).
    pub restored: u32,
    pub not_restored: u32,
    pub time_to_restore_median_ms: Option<i64>,
    /// Requests ECS refused (never reached ECS): not counted above.
    pub refused_by_ecs: u32,
    pub series: Vec<BucketFigures>,
}

/// The median: the middle value, or the mean of the two middle ones (rounded down).
pub fn median(values: &[i64]) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]).div_euclid(2)),
    }
}

/// The `p`-th percentile (0 < p ≤ 100) by nearest rank: the smallest value with at least p %
/// of the values at or below it.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    if v.is_empty() {
        return None;
    }
    let rank = (v.len() * p as usize).div_ceil(100).max(1);
    Some(v[rank.min(v.len()) - 1])
}

/// `YYYY-MM-DD` of the UTC day holding `at_ms`.
pub fn date_label(at_ms: i64) -> String {
    let (y, m, d) = civil_from_days(days(at_ms));
    format!("{y:04}-{m:02}-{d:02}")
}

fn rate(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// The figures of `rows` (any order) for `query` in `window`. Rows that ended outside the
/// window are ignored, except as the success that restores a failure inside it.
pub fn compute(query: &DeliveryQuery, window: Window, rows: &[ChangeRecord]) -> DeliveryMetrics {
    let mut rows: Vec<&ChangeRecord> = rows.iter().collect();
    rows.sort_by(|a, b| (a.finished_at, &a.id).cmp(&(b.finished_at, &b.id)));
    let n = window.buckets as usize;
    let bucket_of = |at: i64| -> Option<usize> {
        (at >= window.from && at <= window.to.max(window.from))
            .then(|| (((at - window.from) / window.bucket.ms()) as usize).min(n.saturating_sub(1)))
    };

    let mut lead: Vec<Vec<i64>> = vec![Vec::new(); n];
    let mut restore: Vec<Vec<i64>> = vec![Vec::new(); n];
    let mut changes = vec![0u32; n];
    let mut failures = vec![0u32; n];
    let mut deployments = vec![0u32; n];
    let (mut not_restored, mut refused_by_ecs) = (0u32, 0u32);

    for (i, r) in rows.iter().enumerate() {
        let Some(b) = bucket_of(r.finished_at) else { continue };
        if !r.reached_ecs {
            refused_by_ecs += 1;
            continue;
        }
        changes[b] += 1;
        if !r.outcome.is_failure() {
            deployments[b] += 1;
            lead[b].push((r.finished_at - r.created_at).max(0));
            continue;
        }
        failures[b] += 1;
        // The next success of the same daemon after this failure ended (rows are in end order).
        let next = rows[i + 1..].iter().find(|s| {
            s.reached_ecs
                && s.outcome == Outcome::Succeeded
                && s.finished_at >= r.finished_at
                && (&s.environment, &s.cluster, &s.daemon) == (&r.environment, &r.cluster, &r.daemon)
        });
        match next {
            Some(s) => restore[b].push(s.finished_at - r.finished_at),
            None => not_restored += 1,
        }
    }

    let series: Vec<BucketFigures> = (0..n)
        .map(|b| {
            let start = window.from + b as i64 * window.bucket.ms();
            BucketFigures {
                start,
                label: date_label(start),
                deployments: deployments[b],
                lead_time_median_ms: median(&lead[b]),
                changes: changes[b],
                failures: failures[b],
                failure_rate: rate(failures[b], changes[b]),
                restore_median_ms: median(&restore[b]),
            }
        })
        .collect();
    let all_lead: Vec<i64> = lead.concat();
    let all_restore: Vec<i64> = restore.concat();
    let (deployed, changed, failed) =
        (deployments.iter().sum::<u32>(), changes.iter().sum::<u32>(), failures.iter().sum::<u32>());
    let days = ((window.to - window.from) as f64 / DAY_MS as f64).max(1.0);
    DeliveryMetrics {
        query: query.clone(),
        from: window.from,
        to: window.to,
        bucket: window.bucket,
        deployments: deployed,
        deployments_per_day: f64::from(deployed) / days,
        deployments_per_week: f64::from(deployed) / days * 7.0,
        lead_time_median_ms: median(&all_lead),
        lead_time_p90_ms: percentile(&all_lead, 90),
        changes: changed,
        failures: failed,
        change_failure_rate: rate(failed, changed),
        restored: all_restore.len() as u32,
        not_restored,
        time_to_restore_median_ms: median(&all_restore),
        refused_by_ecs,
        series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;
    /// 2026-12-07 12:00 UTC.
    const NOW: i64 = 1_796_644_800_000;

    fn row(id: &str, daemon: &str, outcome: Outcome, created_at: i64, finished_at: i64) -> ChangeRecord {
        ChangeRecord {
            id: id.into(),
            environment: "default".into(),
            cluster: "prod".into(),
            daemon: daemon.into(),
            outcome,
            created_at,
            finished_at,
            reached_ecs: true,
        }
    }

    fn q(period: u32) -> DeliveryQuery {
        DeliveryQuery { period, ..Default::default() }
    }

    #[test]
    fn the_window_is_whole_days_or_weeks_ending_today() {
        assert_eq!(date_label(NOW), "2026-12-07");
        let w = window(7, NOW);
        assert_eq!((w.bucket, w.buckets, w.to), (Bucket::Day, 7, NOW));
        assert_eq!(date_label(w.from), "2026-12-01");
        assert_eq!(w.from % DAY_MS, 0);
        let w = window(30, NOW);
        assert_eq!((w.bucket, w.buckets), (Bucket::Day, 30));
        assert_eq!(date_label(w.from), "2026-11-08");
        let w = window(90, NOW);
        assert_eq!((w.bucket, w.buckets), (Bucket::Week, 13));
        assert_eq!(start_of_day(NOW) + DAY_MS - w.from, 91 * DAY_MS);
    }

    #[test]
    fn no_changes_give_zeros_and_no_figures() {
        let m = compute(&q(7), window(7, NOW), &[]);
        assert_eq!((m.deployments, m.changes, m.failures, m.restored, m.not_restored), (0, 0, 0, 0, 0));
        assert_eq!(m.deployments_per_day, 0.0);
        assert_eq!((m.lead_time_median_ms, m.lead_time_p90_ms), (None, None));
        assert_eq!(m.change_failure_rate, None);
        assert_eq!(m.time_to_restore_median_ms, None);
        assert_eq!(m.series.len(), 7);
        assert!(m.series.iter().all(|b| b.changes == 0 && b.failure_rate.is_none()));
        assert_eq!(m.series[0].label, "2026-12-01");
        assert_eq!(m.series[6].label, "2026-12-07");
    }

    #[test]
    fn the_four_figures_of_a_mixed_period() {
        let rows = vec![
            // Day 0 (Dec 1): a success after 1 h; a failure of agent, restored 2 h later.
            row("a", "agent", Outcome::Succeeded, window(7, NOW).from, window(7, NOW).from + HOUR),
            row(
                "b",
                "agent",
                Outcome::RolledBack,
                NOW - 6 * DAY_MS - 12 * HOUR,
                NOW - 6 * DAY_MS - 11 * HOUR,
            ),
            row("c", "agent", Outcome::Succeeded, NOW - 6 * DAY_MS - 10 * HOUR, NOW - 6 * DAY_MS - 9 * HOUR),
            // Today: logs succeeds after 3 h and fails; never restored.
            row("d", "logs", Outcome::Succeeded, NOW - 5 * HOUR, NOW - 2 * HOUR),
            row("e", "logs", Outcome::Failed, NOW - 90 * 60_000, NOW - HOUR),
        ];
        let m = compute(&q(7), window(7, NOW), &rows);
        assert_eq!(m.deployments, 3);
        assert_eq!(m.changes, 5);
        assert_eq!(m.failures, 2);
        assert_eq!(m.change_failure_rate, Some(0.4));
        // Lead times: 1 h, 1 h, 3 h.
        assert_eq!(m.lead_time_median_ms, Some(HOUR));
        assert_eq!(m.lead_time_p90_ms, Some(3 * HOUR));
        assert_eq!((m.restored, m.not_restored), (1, 1));
        assert_eq!(m.time_to_restore_median_ms, Some(2 * HOUR));
        let per_bucket: Vec<u32> = m.series.iter().map(|b| b.deployments).collect();
        assert_eq!(per_bucket, vec![2, 0, 0, 0, 0, 0, 1]);
        assert_eq!(m.series[0].failure_rate, Some(1.0 / 3.0));
        assert_eq!(m.series[0].restore_median_ms, Some(2 * HOUR));
        assert_eq!(m.series[6].failure_rate, Some(0.5));
        assert_eq!(m.series[6].restore_median_ms, None, "the failure of logs is not restored");
        assert_eq!(m.series[6].lead_time_median_ms, Some(3 * HOUR));
        assert!((m.deployments_per_week - m.deployments_per_day * 7.0).abs() < 1e-9);
    }

    #[test]
    fn only_failures_give_a_full_failure_rate_and_no_lead_time() {
        let rows = vec![
            row("a", "agent", Outcome::Failed, NOW - 3 * HOUR, NOW - 2 * HOUR),
            row("b", "agent", Outcome::Stopped, NOW - 2 * HOUR, NOW - HOUR),
        ];
        let m = compute(&q(30), window(30, NOW), &rows);
        assert_eq!((m.deployments, m.changes, m.failures), (0, 2, 2));
        assert_eq!(m.change_failure_rate, Some(1.0));
        assert_eq!(m.lead_time_median_ms, None);
        assert_eq!((m.restored, m.not_restored), (0, 2), "restore never happened");
        assert_eq!(m.time_to_restore_median_ms, None);
    }

    #[test]
    fn restore_needs_the_same_daemon_in_the_same_environment_and_cluster() {
        let mut other_env = row("c", "agent", Outcome::Succeeded, NOW - 3 * HOUR, NOW - 2 * HOUR);
        other_env.environment = "staging".into();
        let mut other_cluster = row("d", "agent", Outcome::Succeeded, NOW - 3 * HOUR, NOW - 2 * HOUR);
        other_cluster.cluster = "dev".into();
        let rows = vec![
            row("a", "agent", Outcome::Failed, NOW - 5 * HOUR, NOW - 4 * HOUR),
            row("b", "logs", Outcome::Succeeded, NOW - 4 * HOUR, NOW - 3 * HOUR),
            other_env,
            other_cluster,
            // An earlier success does not restore a later failure.
            row("e", "agent", Outcome::Succeeded, NOW - 7 * HOUR, NOW - 6 * HOUR),
        ];
        let m = compute(&q(7), window(7, NOW), &rows);
        assert_eq!((m.restored, m.not_restored), (0, 1));
        // Two failures before one success: each is restored by it, from its own end.
        let rows = vec![
            row("a", "agent", Outcome::Failed, NOW - 5 * HOUR, NOW - 4 * HOUR),
            row("b", "agent", Outcome::RolledBack, NOW - 4 * HOUR, NOW - 3 * HOUR),
            row("c", "agent", Outcome::Succeeded, NOW - 2 * HOUR, NOW - HOUR),
        ];
        let m = compute(&q(7), window(7, NOW), &rows);
        assert_eq!((m.restored, m.not_restored), (2, 0));
        assert_eq!(m.time_to_restore_median_ms, Some(5 * HOUR / 2));
    }

    #[test]
    fn refused_requests_and_rows_outside_the_window_do_not_count() {
        let mut refused = row("a", "agent", Outcome::Failed, NOW - 2 * HOUR, NOW - HOUR);
        refused.reached_ecs = false;
        let rows = vec![refused, row("b", "agent", Outcome::Succeeded, NOW - 9 * DAY_MS, NOW - 8 * DAY_MS)];
        let m = compute(&q(7), window(7, NOW), &rows);
        assert_eq!((m.changes, m.deployments, m.refused_by_ecs), (0, 0, 1));
        assert_eq!(m.change_failure_rate, None);
    }

    #[test]
    fn weekly_buckets_for_ninety_days() {
        let w = window(90, NOW);
        let rows = vec![
            row("a", "agent", Outcome::Succeeded, w.from, w.from + HOUR),
            row("b", "agent", Outcome::Succeeded, w.from + 7 * DAY_MS, w.from + 7 * DAY_MS + 2 * HOUR),
            row("c", "agent", Outcome::Succeeded, NOW - HOUR, NOW),
        ];
        let m = compute(&q(90), w, &rows);
        assert_eq!(m.series.len(), 13);
        assert_eq!((m.series[0].deployments, m.series[1].deployments, m.series[12].deployments), (1, 1, 1));
        assert_eq!(m.series[1].lead_time_median_ms, Some(2 * HOUR));
        assert_eq!(m.bucket, Bucket::Week);
    }

    #[test]
    fn median_and_percentile() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3, 1, 2]), Some(2));
        assert_eq!(median(&[4, 1, 2, 3]), Some(2));
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(percentile(&[5], 90), Some(5));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&v, 100), Some(10));
        let v: Vec<i64> = (1..=20).collect();
        assert_eq!(percentile(&v, 90), Some(18));
    }

    #[test]
    fn the_query_is_checked_and_trimmed() {
        let bad = DeliveryQuery { period: 14, ..Default::default() };
        assert!(bad.validate().unwrap_err().get("period").is_some());
        let q = DeliveryQuery {
            team: " platform ".into(),
            cluster: "prod ".into(),
            environment: Some(" ".into()),
            period: 90,
        };
        let v = q.validate().unwrap();
        assert_eq!(
            (v.team.as_str(), v.cluster.as_str(), v.environment, v.period),
            ("platform", "prod", None, 90)
        );
        let json = serde_json::to_value(DeliveryQuery::default()).unwrap();
        assert_eq!(json, serde_json::json!({"team": "", "cluster": "", "environment": null, "period": 30}));
        let parsed: DeliveryQuery = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, DeliveryQuery::default());
    }
}
