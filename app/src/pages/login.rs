//! `/login`: a plain form POST to the `login` server function, so it works without JavaScript.
//! A failed attempt comes back to this page with the error in the URL, which `ServerAction`
//! reads, so the message shows with and without JavaScript alike.

use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{demo_accounts, Login};
use crate::api::PortalError;
use crate::layout::PageHeader;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || crate::auth::safe_next(&query.read().get("next").unwrap_or_default());
    let action = ServerAction::<Login>::new();
    let demo = Resource::new_with_options(|| (), |_| demo_accounts(), false);
    let error = move || {
        action.value().get().and_then(|r| r.err()).map(|e| match e {
            PortalError::WrongCredentials => "Wrong username or password.".to_string(),
            other => other.to_string(),
        })
    };
    view! {
        <PageHeader title="Sign in" />
        <form class="login-form" method="post" action=Login::url()>
            <input type="hidden" name="next" value=next />
            <div class="field">
                <label for="login-username">"Username"</label>
                <input id="login-username" type="text" name="username" autocomplete="username" required />
            </div>
            <div class="field">
                <label for="login-password">"Password"</label>
                <input
                    id="login-password"
                    type="password"
                    name="password"
                    autocomplete="current-password"
                    required
                />
            </div>
            {move || error().map(|e| view! { <p class="alert error login-error" role="alert">{e}</p> })}
            <div class="form-actions login-actions">
                <button type="submit" class="btn primary">"Sign in"</button>
            </div>
        </form>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                demo.await.unwrap_or(false).then(|| view! {
                    <div class="alert info demo-accounts" role="note">
                        <strong>"Demo accounts"</strong>
                        <p>
                            "This portal runs with the embedded ECS emulator. Sign in as "
                            <code>"admin"</code> " (administrator), "
                            <code>"alice"</code> " (deployer in team platform), "
                            <code>"bob"</code> " (approver) or "
                            <code>"carol"</code> " (viewer), all with the password "
                            <code>"demo-password"</code> "."
                        </p>
                    </div>
                })
            })}
        </Suspense>
    }
}
