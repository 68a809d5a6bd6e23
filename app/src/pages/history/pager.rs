use leptos::prelude::*;

/// "Newer" / "Older" links (each carrying a cursor and the filters) and the export links
/// (the filters only). Exports are plain downloads: `download` and `rel="external"` keep the
/// client-side router from treating them as pages.
#[component]
pub fn Pager(
    /// `/history` or `/audit`.
    base: &'static str,
    /// The filters as `k=v&…` (may be empty).
    filters: String,
    newer: Option<String>,
    older: Option<String>,
) -> impl IntoView {
    let href = move |key: &str, cursor: &str| {
        if filters.is_empty() {
            format!("{base}?{key}={cursor}")
        } else {
            format!("{base}?{filters}&{key}={cursor}")
        }
    };
    let newer = newer.map(|c| href("newer", &c));
    let older = older.map(|c| href("older", &c));
    view! {
        <nav class="pagination" aria-label="Pages">
            {newer.map(|h| view! { <a class="btn" href=h rel="prev">"Newer"</a> })}
            {older.map(|h| view! { <a class="btn" href=h rel="next">"Older"</a> })}
        </nav>
    }
}

#[component]
pub fn ExportLinks(base: &'static str, filters: String) -> impl IntoView {
    let link = |ext: &str| {
        if filters.is_empty() {
            format!("{base}/export.{ext}")
        } else {
            format!("{base}/export.{ext}?{filters}")
        }
    };
    view! {
        <a class="btn" href=link("csv") download="" rel="external">"Export CSV"</a>
        <a class="btn" href=link("json") download="" rel="external">"Export JSON"</a>
    }
}
