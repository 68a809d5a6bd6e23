use crate::components::resource::Resource;
use leptos::prelude::*;

use super::nav::SideNav;
use crate::api::auth::{current_user, Logout};
use crate::VERSION;

/// Top bar, collapsible side navigation, main area and footer.
///
/// The collapse toggle is deliberately client-side state: it only responds once the wasm has
/// hydrated, which makes it the end-to-end test's proof that hydration works.
#[component]
pub fn ConsoleLayout(children: Children) -> impl IntoView {
    let (nav_open, set_nav_open) = signal(true);
    // Set once the browser has hydrated; tests and styles can key off it.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));

    view! {
        <div
            class="console"
            class:nav-collapsed=move || !nav_open.get()
            data-hydrated=move || if hydrated.get() { "true" } else { "false" }
        >
            <a class="skip-link" href="#main-content">"Skip to main content"</a>
            <header class="top-bar">
                <button
                    type="button"
                    class="nav-toggle"
                    aria-controls="side-nav"
                    aria-expanded=move || if nav_open.get() { "true" } else { "false" }
                    aria-label=move || {
                        if nav_open.get() { "Collapse navigation" } else { "Expand navigation" }
                    }
                    on:click=move |_| set_nav_open.update(|open| *open = !*open)
                >
                    <span aria-hidden="true">"☰"</span>
                </button>
                <a class="brand" href="/">"Daemon Portal"</a>
                <span class="brand-sub">"for Amazon ECS Managed Daemons"</span>
                <span class="spacer"></span>
                <UserMenu />
            </header>
            <SideNav open=nav_open />
            <main id="main-content" class="content" tabindex="-1">
                {children()}
            </main>
            <footer class="footer">
                <span>"Daemon Portal "</span>
                <span class="version">{format!("v{VERSION}")}</span>
            </footer>
        </div>
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
