//! Data an island got from the server as a prop, loaded again after the island changed it.
//!
//! The admin and API token pages render their tables on the server and hand the rows to their
//! island. After one of its forms succeeds, the island asks the server function again. This
//! keeps `Resource` and `Transition` out of those islands: 3–15 KB of a page's wasm
//! (bench/portal/RESULTS.md).

use std::future::Future;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use super::FormAction;
use crate::api::PortalError;

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

/// Bumps `refresh` whenever `action` succeeds, so the page's lists load again (with
/// JavaScript; a plain form post reloads the whole page anyway).
pub fn refresh_on_ok<S>(action: FormAction<S>, refresh: RwSignal<u32>)
where
    S: ServerFn<Error = PortalError> + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            refresh.update(|n| *n += 1);
        }
    });
}
