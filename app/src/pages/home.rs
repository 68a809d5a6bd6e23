use leptos::prelude::*;

use crate::layout::{PageHeader, NAV_ENTRIES};

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <PageHeader title="Welcome to Daemon Portal" />
        <section class="intro">
            <p>
                "Daemon Portal registers daemon task definitions and deploys them as ECS Managed Daemons: "
                "exactly one copy of an agent on every Managed Instance of the capacity providers you choose."
            </p>
            <p>
                "Verify that every instance runs the daemon, update it independently of your applications, "
                "and keep every change behind team approvals with a complete rollout history."
            </p>
        </section>
        <section class="card-grid" aria-label="Sections">
            {NAV_ENTRIES
                .iter()
                .map(|&(label, path)| view! { <a class="card" href=path>{label}</a> })
                .collect_view()}
        </section>
    }
}
