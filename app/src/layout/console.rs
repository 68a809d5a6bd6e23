use crate::components::resource::Resource;
use leptos::prelude::*;

use super::nav::SideNav;
use crate::api::auth::{current_user, Logout};
use crate::VERSION;

/// Top bar, collapsible side navigation, main area and footer. Rendered on the server only;
/// the navigation toggle is the layout's one island.
#[component]
pub fn ConsoleLayout(children: Children) -> impl IntoView {
    view! {
        <div class="console" data-hydrated="false">
            <a class="skip-link" href="#main-content">"Skip to main content"</a>
            <header class="top-bar">
                <NavToggle />
                <a class="brand" href="/">"Daemon Portal"</a>
                <span class="brand-sub">"for Amazon ECS Managed Daemons"</span>
                <span class="spacer"></span>
                <UserMenu />
            </header>
            <SideNav />
            <main id="main-content" class="content" tabindex="-1">
                {children()}
            </main>
            <footer class="footer">
                <span>"Daemon Portal "</span>
                <span class="version">{format!("v{VERSION}")}</span>
            </footer>
            <HydrationMark />
        </div>
    }
}

/// Marks the page `data-hydrated="true"` once the wasm runs (the end-to-end tests' proof that
/// the islands hydrated) and tells `early_input.js` to replay what was typed before. The browser
/// hydrates islands in document order, so this one, the last on every page, runs after all the
/// others.
#[island]
fn HydrationMark() -> impl IntoView {
    Effect::new(move |_| {
        let doc = document();
        if let Some(console) = doc.query_selector(".console").ok().flatten() {
            let _ = console.set_attribute("data-hydrated", "true");
        }
        if let Ok(event) = leptos::web_sys::Event::new("portal-hydrated") {
            let _ = doc.dispatch_event(&event);
        }
    });
}

/// Collapses and expands the side navigation.
#[island]
fn NavToggle() -> impl IntoView {
    let (open, set_open) = signal(true);
    Effect::new(move |_| {
        let open = open.get();
        let doc = document();
        if let Some(console) = doc.query_selector(".console").ok().flatten() {
            let _ = console.class_list().toggle_with_force("nav-collapsed", !open);
        }
        if let Some(nav) = doc.get_element_by_id("side-nav") {
            let _ = if open { nav.remove_attribute("hidden") } else { nav.set_attribute("hidden", "") };
        }
    });
    view! {
        <button
            type="button"
            class="nav-toggle"
            aria-controls="side-nav"
            aria-expanded=move || if open.get() { "true" } else { "false" }
            aria-label=move || if open.get() { "Collapse navigation" } else { "Expand navigation" }
            on:click=move |_| set_open.update(|open| *open = !*open)
        >
            <span aria-hidden="true">"☰"</span>
        </button>
    }
}

/// The signed-in user and a **Sign out** button (a plain form POST, works without JavaScript).
#[component]
fn UserMenu() -> impl IntoView {
    use leptos::server_fn::ServerFn;
    let user = Resource::new_with_options(|| (), |_| current_user(), false);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                user.await.ok().flatten().map(|u| {
                    let role = if u.is_admin {
                        "admin".to_string()
                    } else {
                        u.teams.iter().map(|(t, r)| format!("{t}: {}", r.as_str())).collect::<Vec<_>>().join(", ")
                    };
                    view! {
                        <span class="user-menu">
                            <span class="user-name" title=role>{u.username.clone()}</span>
                            <a class="user-tokens" href="/account/tokens">"API tokens"</a>
                            <form method="post" action=Logout::url() class="sign-out">
                                <button type="submit" class="btn link sign-out-button">"Sign out"</button>
                            </form>
                        </span>
                    }
                })
            })}
        </Suspense>
    }
}
