use leptos::prelude::*;

/// Marks a page that follows something in progress: `layout/follow.js` fetches the page again
/// every `secs` seconds and replaces the main area in place, keeping the focus, with a button
/// to pause the updates. Without JavaScript the page reloads itself instead. `text` says so.
#[component]
pub fn Follow(secs: u32, #[prop(into)] text: String) -> impl IntoView {
    view! {
        <p class="help follow" data-follow=secs.to_string()>
            {text}
            " "
            <button type="button" class="btn link small" data-follow-toggle="" hidden>
                "Pause updates"
            </button>
        </p>
        <noscript>
            <meta http-equiv="refresh" content=secs.to_string() />
        </noscript>
    }
}
