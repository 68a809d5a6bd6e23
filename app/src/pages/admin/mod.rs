//! `/admin`: users, teams and memberships, approval policies, freeze windows. For admins only:
//! everyone else gets a 403 page (and every server function behind it answers 403 as well).

mod environments;
mod freezes;
mod gate;
mod policies;
mod roles;
mod teams;
mod users;
mod windows;

pub use environments::EnvironmentsPage;
pub use freezes::FreezeWindowsPage;
pub use policies::PoliciesPage;
pub use roles::RolesPage;
pub use teams::TeamsPage;
pub use users::UsersPage;
pub use windows::DeliveryWindowsPage;

use leptos::prelude::*;

/// A labelled multi-line text input with help and an inline error.
#[component]
pub(crate) fn TextAreaField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] help: Option<String>,
) -> impl IntoView {
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let described = format!("{error_id} {help_id}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {help.map(|h| view! { <p class="help" id=help_id.clone()>{h}</p> })}
            <textarea
                id=id
                name=name
                rows="3"
                class="short"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
            >
                {value.get_untracked()}
            </textarea>
            <div class="error" id=error_id aria-live="polite">{move || error.get()}</div>
        </div>
    }
}
