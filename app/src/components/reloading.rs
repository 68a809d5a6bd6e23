//! Data an island got from the server as a prop, loaded again after the island changed it.
//!
//! The admin pages render their tables on the server and hand the rows to their island. After
//! one of its forms succeeds, the island asks the server function again. This keeps `Resource`
//! and `Transition` out of those islands: 3–15 KB of a page's wasm (bench/portal/RESULTS.md).

use std::future::Future;

use leptos::prelude::*;

/// `initial`, replaced by what `load` answers each time `refresh` changes. A slower answer to
/// an older refresh is dropped.
pub fn reloading<T, F, Fut>(initial: T, refresh: RwSignal<u32>, load: F) -> ReadSignal<T>
where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = T> + 'static,
{
    let (value, set) = signal(initial);
    Effect::new(move |previous: Option<u32>| {
        let n = refresh.get();
        // The first run is hydration: the server's rows are current.
        if previous.is_some() {
            let answer = load();
            leptos::task::spawn_local(async move {
                let answer = answer.await;
                if refresh.get_untracked() == n {
                    set.set(answer);
                }
            });
        }
        n
    });
    value
}
