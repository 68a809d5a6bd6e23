//! The month calendar (UTC): every delivery window's occurrences, the freeze windows, the
//! promotions started each day, and the stages scheduled to start when a window opens.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};

use super::{store, PromotionError, Promotions};
use crate::{
    api::windows::{CalendarDay, CalendarEntry, CalendarMonth},
    domain::{
        delivery_window::Effect,
        promotion::{PromotionState, StageState},
    },
    services::{
        clock::now_ms,
        policies::{delivery_windows, freezes},
    },
};

const DAY_MS: i64 = 86_400_000;
/// Occurrences drawn per window and month (an hourly rule would otherwise fill the page).
const PER_WINDOW: usize = 62;

fn hhmm(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms).single().map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
}

fn span(start: i64, end: i64) -> String {
    format!("{}–{} UTC", hhmm(start), hhmm(end))
}

/// The first day of `month` (`YYYY-MM`; anything else: this month).
fn first_day(month: &str) -> NaiveDate {
    let parsed = month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1));
    parsed.unwrap_or_else(|| {
        let today = Utc.timestamp_millis_opt(now_ms()).single().map(|t| t.date_naive()).unwrap_or_default();
        NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or_default()
    })
}

fn ms_of(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0)
}

impl Promotions {
    pub async fn calendar(&self, month: &str) -> Result<CalendarMonth, PromotionError> {
        let first = first_day(month);
        let next_first = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
        let previous_first = first.checked_sub_months(chrono::Months::new(1)).unwrap_or(first);
        let (from, to) = (ms_of(first), ms_of(next_first));
        let count = ((to - from) / DAY_MS) as usize;
        let mut days: Vec<CalendarDay> = (0..count)
            .map(|i| {
                let d = first + chrono::Days::new(i as u64);
                CalendarDay { date: d.format("%Y-%m-%d").to_string(), day: d.day(), entries: vec![] }
            })
            .collect();
        let mut put = |at: i64, entry: CalendarEntry| {
            if (from..to).contains(&at) {
                days[((at - from) / DAY_MS) as usize].entries.push(entry);
            }
        };
        for w in delivery_windows::list(self.db()).await? {
            let Ok(s) = delivery_windows::schedule(&w) else { continue };
            let kind = match w.effect {
                Effect::Allow => "allow",
                Effect::Deny => "deny",
            };
            let scope = if w.capacity_provider.is_empty() {
                format!("{} / {}", w.environment, w.cluster)
            } else {
                format!("{} / {} / {}", w.environment, w.cluster, w.capacity_provider)
            };
            for i in s.between(from, to, PER_WINDOW) {
                let label = format!(
                    "{} {scope}{}",
                    w.effect.label(),
                    if w.reason.is_empty() { String::new() } else { format!(": {}", w.reason) }
                );
                put(
                    i.start_ms.max(from),
                    CalendarEntry {
                        kind: kind.into(),
                        time: span(i.start_ms, i.end_ms),
                        label,
                        href: Some("/admin/windows".into()),
                    },
                );
            }
        }
        for f in freezes::list(self.db()).await? {
            // Day by day: a freeze covering some instant of the day shows on it.
            let mut day = from;
            while day < to {
                let covered = (0..48).map(|h| day + h * 1_800_000).find(|t| f.window.covers(*t));
                if let Some(t) = covered {
                    let end = f.window.next_end_after(t).unwrap_or(t);
                    let label = format!(
                        "Freeze {} / {}: {}",
                        f.window.environment, f.window.cluster, f.window.reason
                    );
                    put(
                        day,
                        CalendarEntry {
                            kind: "freeze".into(),
                            time: span(t, end),
                            label,
                            href: Some("/admin/freezes".into()),
                        },
                    );
                }
                day += DAY_MS;
            }
        }
        for p in store::promotions(self.db(), None, None, 500).await? {
            let href = Some(format!("/promotions/{}", p.id));
            let label =
                format!("{}:{} through {} ({})", p.family, p.revision, p.pipeline_name, p.state.label());
            put(
                p.created_at,
                CalendarEntry {
                    kind: "promotion".into(),
                    time: format!("{} UTC", hhmm(p.created_at)),
                    label,
                    href: href.clone(),
                },
            );
            if matches!(p.state, PromotionState::Running | PromotionState::Paused) {
                for s in store::stages(self.db(), &p.id).await? {
                    if s.state == StageState::Waiting && s.waiting_until > 0 {
                        let label = format!(
                            "{} {}:{} starts when its window opens",
                            s.spec.name, p.family, p.revision
                        );
                        put(
                            s.waiting_until,
                            CalendarEntry {
                                kind: "scheduled".into(),
                                time: format!("{} UTC", hhmm(s.waiting_until)),
                                label,
                                href: href.clone(),
                            },
                        );
                    }
                }
            }
        }
        for d in &mut days {
            d.entries.sort_by(|a, b| a.time.cmp(&b.time));
        }
        Ok(CalendarMonth {
            month: first.format("%Y-%m").to_string(),
            title: first.format("%B %Y").to_string(),
            previous: previous_first.format("%Y-%m").to_string(),
            next: next_first.format("%Y-%m").to_string(),
            leading_blanks: first.weekday().num_days_from_monday(),
            days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_fall_back() {
        assert_eq!(first_day("2026-02"), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert_eq!(first_day("2026-13").day(), 1);
        assert_eq!(span(0, 3_600_000 * 9 + 60_000 * 30), "00:00–09:30 UTC");
    }
}
