//! The simulated clock. In real-time mode simulated time runs `speed` times
//! faster than wall time from an anchor; in manual mode it only moves when
//! told to, so tests are deterministic and never sleep.

use crate::state::Ms;
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Default speed: a 6-instance rolling update at 25% drain (~140 simulated
/// seconds) takes ~14 s of wall time, and a 5-minute bake 30 s.
pub const DEFAULT_SPEED: f64 = 10.0;

#[derive(Debug)]
pub struct Clock {
    manual: bool,
    speed: f64,
    anchor: Mutex<(Instant, Ms)>,
}

pub fn wall_ms() -> Ms {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as Ms).unwrap_or(0)
}

impl Clock {
    pub fn new(manual: bool, speed: f64, start: Ms) -> Self {
        Self {
            manual,
            speed: if speed.is_finite() && speed > 0.0 { speed } else { DEFAULT_SPEED },
            anchor: Mutex::new((Instant::now(), start)),
        }
    }

    pub fn manual(&self) -> bool {
        self.manual
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Where simulated time should be now (`None` in manual mode, where the
    /// state's own clock is the truth).
    pub fn target(&self) -> Option<Ms> {
        if self.manual {
            return None;
        }
        let (at, sim) = *self.anchor.lock().unwrap_or_else(|e| e.into_inner());
        Some(sim + (at.elapsed().as_secs_f64() * 1000.0 * self.speed) as Ms)
    }

    /// Re-anchors real-time mode at simulated time `sim` (after a reset,
    /// load, or a manual jump ahead).
    pub fn rebase(&self, sim: Ms) {
        *self.anchor.lock().unwrap_or_else(|e| e.into_inner()) = (Instant::now(), sim);
    }
}
