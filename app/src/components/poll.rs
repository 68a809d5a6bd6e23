//! Refreshing a page while something it shows is changing: quick at first, then backing off,
//! and stopping once it settles.

use leptos::prelude::*;

/// Delays between refreshes while something changes.
const POLL_MS: [u64; 6] = [700, 1000, 1500, 2000, 3000, 4000];

/// Moves `tick` (part of a `Resource`'s key) after a delay each time `changing` answers
/// `Some(true)`; `Some(false)` resets the back-off; `None` (not loaded yet) waits.
pub fn poll_while(tick: RwSignal<u32>, changing: impl Fn() -> Option<bool> + Send + Sync + 'static) {
    let polls = StoredValue::new(0usize);
    Effect::new(move |_| match changing() {
        Some(true) => {
            let n = polls.get_value();
            polls.set_value(n + 1);
            let delay = POLL_MS[n.min(POLL_MS.len() - 1)];
            set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_millis(delay));
        }
        Some(false) => polls.set_value(0),
        None => {}
    });
}
