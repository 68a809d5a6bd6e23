//! The frame of every admin page: the 403 page for non-admins, the tabs for admins.

use crate::components::resource::Resource;
use leptos::prelude::*;

use crate::api::auth::current_user;
use crate::layout::{Crumb, PageHeader};

/// (label, path) of the admin tabs.
const TABS: [(&str, &str); 7] = [
    ("Users", "/admin"),
    ("Teams and memberships", "/admin/teams"),
    ("Approval policies", "/admin/policies"),
    ("Freeze windows", "/admin/freezes"),
    ("Delivery windows", "/admin/windows"),
    ("Allowed roles", "/admin/roles"),
    ("Environments", "/admin/environments"),
];

/// Renders `children` for admins; a 403 page (with the HTTP status) for everyone else.
#[component]
pub fn AdminGate(current: &'static str, children: ChildrenFn) -> impl IntoView {
    let user = Resource::new_with_options(|| (), |_| current_user(), false);
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let admin = user.await.ok().flatten().is_some_and(|u| u.is_admin());
                if admin {
                    view! { <AdminTabs current />{children.with_value(|c| c())} }.into_any()
                } else {
                    view! { <Forbidden /> }.into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn AdminTabs(current: &'static str) -> impl IntoView {
    view! {
        <nav class="tabs admin-tabs" aria-label="Administration">
            {TABS
                .iter()
                .map(|&(label, path)| {
                    view! { <a href=path aria-current=(path == current).then_some("page")>{label}</a> }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::FORBIDDEN);
        }
    }
    view! {
        <PageHeader title="Not allowed" crumbs=vec![Crumb::here("Administration")] />
        <div class="alert error forbidden" role="alert">
            <strong>"403: administration is for administrators."</strong>
            <div class="alert-detail">
                "Ask an administrator to change users, teams, memberships or approval policies."
            </div>
        </div>
    }
}
