//! When a promotion's stage may start: the freeze windows (deny) and the delivery windows
//! (allow and deny, RRULEs in time zones) of where it runs. Deny wins; where allow windows
//! apply, only their occurrences are open. Evaluated again at every worker round, so a freeze
//! first and the delivery windows after it compose over time.

use super::{
    delivery_windows::{self, schedule},
    recurrence::{next_allowed, Allowed, Occurrences, Schedule},
};
use crate::{
    domain::delivery_window::{DeliveryWindow, Effect},
    services::{db::Db, promotions::gates::WindowGate},
};

/// How far ahead a stage looks for an allowed time.
pub const HORIZON_MS: i64 = 400 * 86_400_000;

/// The window gate of a stage in `environment` on `cluster` touching `providers` at `at_ms`.
pub async fn stage_gate(
    db: &Db,
    environment: &str,
    cluster: &str,
    providers: &[String],
    at_ms: i64,
) -> Result<WindowGate, sqlx::Error> {
    let freezes = super::freezes::freezes_for(db, environment, cluster, providers, at_ms).await?;
    if !freezes.is_empty() {
        let reasons: Vec<String> = freezes.iter().map(|f| f.reason.clone()).collect();
        return Ok(match freezes.iter().filter_map(|f| f.next_end_after(at_ms)).max() {
            Some(end) => WindowGate::Until(end, format!("freeze: {}", reasons.join("; "))),
            None => WindowGate::Closed(format!("freeze: {}", reasons.join("; "))),
        });
    }
    let windows: Vec<DeliveryWindow> = delivery_windows::list(db)
        .await?
        .into_iter()
        .filter(|w| w.applies_to(environment, cluster, providers))
        .collect();
    Ok(gate(&windows, at_ms))
}

/// The gate the delivery windows give at `at_ms` (pure, for tests and the calendar).
pub fn gate(windows: &[DeliveryWindow], at_ms: i64) -> WindowGate {
    // A stored window whose rule no longer parses (a zone renamed by a tz update) cannot be
    // honoured: an allow window then allows nothing and a deny window denies everything, so a
    // stage waits rather than starting outside what was meant.
    let mut allow: Vec<Schedule> = Vec::new();
    let mut deny: Vec<Schedule> = Vec::new();
    for w in windows {
        match (schedule(w), w.effect) {
            (Ok(s), Effect::Allow) => allow.push(s),
            (Ok(s), Effect::Deny) => deny.push(s),
            (Err(e), _) => {
                return WindowGate::Closed(format!("window {} cannot be read: {}", w.describe(), e.summary()))
            }
        }
    }
    if allow.is_empty() && deny.is_empty() {
        return WindowGate::Open;
    }
    let allow_refs: Vec<&dyn Occurrences> = allow.iter().map(|s| s as &dyn Occurrences).collect();
    let deny_refs: Vec<&dyn Occurrences> = deny.iter().map(|s| s as &dyn Occurrences).collect();
    let why =
        windows.iter().map(|w| w.reason.clone()).filter(|r| !r.is_empty()).collect::<Vec<_>>().join("; ");
    let why =
        if why.is_empty() { "delivery windows".to_string() } else { format!("delivery windows: {why}") };
    match next_allowed(at_ms, &allow_refs, &deny_refs, HORIZON_MS) {
        Allowed::Now => WindowGate::Open,
        Allowed::At(t) => WindowGate::Until(t, why),
        Allowed::NotWithin(_) => WindowGate::Closed(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::delivery_window::DeliveryWindowForm;

    /// 2026-12-07T10:00:00Z, a Monday.
    const MONDAY_10: i64 = 1_796_637_600_000;
    const HOUR: i64 = 3_600_000;

    fn window(effect: &str, rule: &str, starts: &str, minutes: &str) -> DeliveryWindow {
        let form = DeliveryWindowForm {
            effect: effect.into(),
            environment: "*".into(),
            cluster: "*".into(),
            rule: rule.into(),
            time_zone: "UTC".into(),
            starts: starts.into(),
            duration_minutes: minutes.into(),
            ..Default::default()
        };
        form.parse().unwrap()
    }

    #[test]
    fn no_windows_leave_the_gate_open() {
        assert_eq!(gate(&[], MONDAY_10), WindowGate::Open);
    }

    #[test]
    fn a_deny_window_holds_until_it_ends() {
        let deny = window("deny", "FREQ=DAILY", "2026-01-01T09:00", "120");
        assert!(matches!(gate(&[deny], MONDAY_10), WindowGate::Until(t, _) if t == MONDAY_10 + HOUR));
    }

    #[test]
    fn an_allow_window_opens_at_its_next_start_and_deny_wins() {
        let allow = window("allow", "FREQ=DAILY", "2026-01-01T14:00", "60");
        assert!(
            matches!(gate(std::slice::from_ref(&allow), MONDAY_10), WindowGate::Until(t, _) if t == MONDAY_10 + 4 * HOUR)
        );
        assert_eq!(gate(std::slice::from_ref(&allow), MONDAY_10 + 4 * HOUR + 1), WindowGate::Open);
        // Monday's occurrence denied: Tuesday's.
        let deny = window("deny", "FREQ=WEEKLY;BYDAY=MO", "2026-01-05T00:00", "1440");
        let next = gate(&[allow, deny], MONDAY_10);
        assert!(matches!(next, WindowGate::Until(t, _) if t == MONDAY_10 + 28 * HOUR), "{next:?}");
    }

    #[test]
    fn a_window_that_cannot_be_read_closes_the_gate() {
        let mut w = window("allow", "FREQ=DAILY", "2026-01-01T14:00", "60");
        w.time_zone = "Mars/Olympus".into();
        assert!(matches!(gate(&[w], MONDAY_10), WindowGate::Closed(_)));
    }
}
