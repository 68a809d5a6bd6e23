use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The left navigation, in order: (label, path).
pub const NAV_ENTRIES: [(&str, &str); 8] = [
    ("Fleet", "/fleet"),
    ("Daemon task definitions", "/task-definitions"),
    ("Daemons", "/daemons"),
    ("Clusters", "/clusters"),
    ("Promotions", "/pipelines"),
    ("Approvals", "/approvals"),
    ("History", "/history"),
    ("Delivery metrics", "/delivery"),
];

#[component]
pub fn SideNav() -> impl IntoView {
    let location = use_location();
    let is_current = move |path: &'static str| {
        let current = location.pathname.get();
        current == path || current.starts_with(&format!("{path}/"))
    };

    // Re-read on every navigation, so the count follows approvals made on other pages.
    let counts = Resource::new_with_options(
        move || location.pathname.get(),
        |_| crate::api::changes::get_approval_counts(),
        false,
    );
    let count_badge = move || {
        counts.get().and_then(|r| r.ok().flatten()).filter(|c| c.waiting > 0).map(|c| {
            view! {
                <span class="nav-count" title="Requests waiting for your approval">{c.waiting}</span>
            }
        })
    };

    view! {
        <nav id="side-nav" class="side-nav" aria-label="Main">
            <ul>
                {NAV_ENTRIES
                    .iter()
                    .map(|&(label, path)| {
                        view! {
                            <li>
                                <a
                                    href=path
                                    aria-current=move || is_current(path).then_some("page")
                                >
                                    {label}
                                    {(path == "/approvals").then(|| view! { <Transition>{count_badge}</Transition> })}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
                <AdminEntries is_current />
            </ul>
        </nav>
    }
}

/// "Administration" and "Audit log", for admins only (the pages and server functions check
/// again).
#[component]
fn AdminEntries(is_current: impl Fn(&'static str) -> bool + Copy + Send + Sync + 'static) -> impl IntoView {
    let user = Resource::new_with_options(|| (), |_| crate::api::auth::current_user(), false);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                user.await.ok().flatten().filter(|u| u.is_admin()).map(|_| {
                    view! {
                        <li>
                            <a href="/admin" aria-current=move || is_current("/admin").then_some("page")>
                                "Administration"
                            </a>
                        </li>
                        <li>
                            <a href="/audit" aria-current=move || is_current("/audit").then_some("page")>
                                "Audit log"
                            </a>
                        </li>
                    }
                })
            })}
        </Suspense>
    }
}
