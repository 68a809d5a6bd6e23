//! What a deployment will touch, shown before anything is submitted: per capacity provider the
//! instances replaced, in how many batches, the application tasks that move, and how long past
//! deployments there took. Pure, so the deploy form recomputes it in the browser as the
//! providers and drain percentage change.

use serde::{Deserialize, Serialize};

/// Said on every preview: a daemon change replaces instances, it does not patch them.
pub const REPLACEMENT_WARNING: &str = "Every instance of these capacity providers will be replaced: ECS drains it (its application tasks move to other instances), then it comes back with the new daemon revision. Any change to a daemon's task definition or settings does this.";

/// (instances per batch, batches) for `instances` at `drain_percent`:
/// `ceil(instances × drain% / 100)` per batch, at least one.
pub fn batches(instances: u32, drain_percent: f64) -> (u32, u32) {
    if instances == 0 {
        return (0, 0);
    }
    let drain = if drain_percent.is_finite() { drain_percent.clamp(1.0, 100.0) } else { 25.0 };
    let per = ((f64::from(instances) * drain / 100.0).ceil() as u32).clamp(1, instances);
    (per, instances.div_ceil(per))
}

/// How long deployments on a provider took (portal-clock durations of past successful ones).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DurationEstimate {
    pub median_secs: f64,
    pub min_secs: f64,
    pub max_secs: f64,
    pub samples: u32,
}

impl DurationEstimate {
    pub fn from_samples(secs: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = secs.iter().copied().filter(|s| s.is_finite() && *s >= 0.0).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        Some(Self { median_secs: median, min_secs: v[0], max_secs: v[n - 1], samples: n as u32 })
    }

    /// How sure: low (1–2 past deployments), medium (3–9), high (10 or more).
    pub fn confidence(&self) -> &'static str {
        match self.samples {
            0..=2 => "low",
            3..=9 => "medium",
            _ => "high",
        }
    }

    pub fn describe(&self) -> String {
        let m = |s: f64| super::promotion::duration_text((s * 1000.0) as i64);
        format!(
            "about {} ({}–{}; {} confidence, {} past deployment{})",
            m(self.median_secs),
            m(self.min_secs),
            m(self.max_secs),
            self.confidence(),
            self.samples,
            if self.samples == 1 { "" } else { "s" }
        )
    }
}

/// One provider's preview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderBlast {
    pub provider: String,
    pub instances: u32,
    pub per_batch: u32,
    pub batches: u32,
    pub app_tasks: u32,
    pub estimate: Option<DurationEstimate>,
}

impl ProviderBlast {
    pub fn new(
        provider: &str,
        instances: u32,
        app_tasks: u32,
        drain_percent: f64,
        estimate: Option<DurationEstimate>,
    ) -> Self {
        let (per_batch, batches) = batches(instances, drain_percent);
        Self { provider: provider.to_string(), instances, per_batch, batches, app_tasks, estimate }
    }

    pub fn estimate_text(&self) -> String {
        estimate_text(self.estimate.as_ref())
    }
}

/// What the preview says of an estimate (or of having none).
pub fn estimate_text(estimate: Option<&DurationEstimate>) -> String {
    match estimate {
        Some(e) => e.describe(),
        None => "no estimate: no past deployment on this provider".into(),
    }
}

/// "4 of 1 instance": batches, and instances in each.
pub fn batches_text(batches: u32, per_batch: u32) -> String {
    format!("{batches} of {per_batch} instance{}", if per_batch == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_round_up() {
        assert_eq!(batches(4, 25.0), (1, 4));
        assert_eq!(batches(4, 50.0), (2, 2));
        assert_eq!(batches(12, 25.0), (3, 4));
        assert_eq!(batches(5, 30.0), (2, 3));
        assert_eq!(batches(1, 25.0), (1, 1));
        assert_eq!(batches(6, 100.0), (6, 1));
        assert_eq!(batches(0, 25.0), (0, 0));
        assert_eq!(batches(10, f64::NAN), (3, 4));
    }

    #[test]
    fn estimates_say_how_sure_they_are() {
        assert!(DurationEstimate::from_samples(&[]).is_none());
        let one = DurationEstimate::from_samples(&[90.0]).unwrap();
        assert_eq!((one.median_secs, one.confidence()), (90.0, "low"));
        let four = DurationEstimate::from_samples(&[60.0, 240.0, 120.0, 180.0]).unwrap();
        assert_eq!(
            (four.median_secs, four.min_secs, four.max_secs, four.confidence()),
            (150.0, 60.0, 240.0, "medium")
        );
        assert_eq!(four.describe(), "about 2 min 30 s (1 min–4 min; medium confidence, 4 past deployments)");
        let many = DurationEstimate::from_samples(&[10.0; 12]).unwrap();
        assert_eq!(many.confidence(), "high");
    }
}
