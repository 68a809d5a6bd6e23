use leptos::prelude::*;

use crate::domain::diff::{diff_counts, line_diff, DiffLine};

/// A colour-coded line diff of two revisions' JSON.
#[component]
pub fn JsonDiff(old_label: String, new_label: String, old: String, new: String) -> impl IntoView {
    let lines = line_diff(&old, &new);
    let (removed, added) = diff_counts(&lines);
    let summary = if removed + added == 0 {
        format!("{old_label} and {new_label} are identical.")
    } else {
        format!(
            "{added} line{} added and {removed} line{} removed going from {old_label} to {new_label}.",
            if added == 1 { "" } else { "s" },
            if removed == 1 { "" } else { "s" }
        )
    };
    view! {
        <p class="td-diff-summary" role="status">{summary}</p>
        <div class="diff td-diff" aria-label=format!("Differences between {old_label} and {new_label}")>
            {lines
                .into_iter()
                .map(|l| match l {
                    DiffLine::Same(t) => view! { <div class="same"><span class="mark" aria-hidden="true">"  "</span>{t}</div> }.into_any(),
                    DiffLine::Removed(t) => view! {
                        <del class="del"><span class="mark" aria-hidden="true">"- "</span>{t}</del>
                    }
                        .into_any(),
                    DiffLine::Added(t) => view! {
                        <ins class="add"><span class="mark" aria-hidden="true">"+ "</span>{t}</ins>
                    }
                        .into_any(),
                })
                .collect_view()}
        </div>
    }
}
