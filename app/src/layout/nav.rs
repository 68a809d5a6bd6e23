use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The left navigation, in order: (label, path).
pub const NAV_ENTRIES: [(&str, &str); 5] = [
    ("Daemon task definitions", "/task-definitions"),
    ("Daemons", "/daemons"),
    ("Clusters", "/clusters"),
    ("Approvals", "/approvals"),
    ("History", "/history"),
];

#[component]
pub fn SideNav(open: ReadSignal<bool>) -> impl IntoView {
    let location = use_location();
    let is_current = move |path: &'static str| {
        let current = location.pathname.get();
        current == path || current.starts_with(&format!("{path}/"))
    };

    view! {
        <nav id="side-nav" class="side-nav" aria-label="Main" hidden=move || !open.get()>
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
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
                <AuditNavLink />
            </ul>
        </nav>
    }
}

/// "Audit log", shown to admins only (the page itself refuses everyone else).
#[component]
fn AuditNavLink() -> impl IntoView {
    let user = Resource::new(|| (), |_| crate::api::auth::current_user());
    let pathname = use_location().pathname;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                user.await.ok().flatten().filter(|u| u.is_admin).map(|_| {
                    let current = move || (pathname.get() == "/audit").then_some("page");
                    view! { <li><a href="/audit" aria-current=current>"Audit log"</a></li> }
                })
            })}
        </Suspense>
    }
}
