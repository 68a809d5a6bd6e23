use leptos::prelude::*;

use crate::layout::{Crumb, PageHeader};

/// A section that exists in the navigation but whose page is not built yet.
#[component]
pub fn SectionPlaceholder(title: &'static str) -> impl IntoView {
    view! {
        <PageHeader title=title crumbs=vec![Crumb::here(title)] />
        <p class="empty-state">"This section is coming soon."</p>
    }
}
