//! `/admin`: users, teams and memberships, approval policies, freeze windows. For admins only:
//! everyone else gets a 403 page (and every server function behind it answers 403 as well).

mod freezes;
mod gate;
mod policies;
mod roles;
mod teams;
mod users;

pub use freezes::FreezeWindowsPage;
pub use policies::PoliciesPage;
pub use roles::RolesPage;
pub use teams::TeamsPage;
pub use users::UsersPage;

use leptos::prelude::*;

use crate::api::PortalError;
use crate::domain::FieldErrors;

/// Field messages for a form: the browser's own check (from the domain type) once the user
/// tried to submit, otherwise the server's answer.
#[derive(Clone, Copy)]
pub(crate) struct FormErrors {
    pub client: Memo<FieldErrors>,
    pub server: Signal<Option<PortalError>>,
    pub submitted: RwSignal<bool>,
}

impl FormErrors {
    pub fn new(client: Memo<FieldErrors>, server: Signal<Option<PortalError>>) -> Self {
        Self { client, server, submitted: RwSignal::new(false) }
    }

    pub fn field(self, key: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            let client = if self.submitted.get() {
                self.client.with(|e| e.get(key).map(str::to_string))
            } else {
                None
            };
            client.or_else(|| {
                self.server.with(|e| {
                    e.as_ref().and_then(PortalError::fields).and_then(|f| f.get(key)).map(str::to_string)
                })
            })
        })
    }

    /// The submit button's click: shows the browser's messages, and keeps a form it already
    /// knows is wrong from being sent.
    pub fn on_submit(self) -> impl Fn(leptos::ev::MouseEvent) + Copy {
        move |ev| {
            self.submitted.set(true);
            if !self.client.with_untracked(FieldErrors::is_empty) {
                ev.prevent_default();
            }
        }
    }

    /// The alert at the top of the form.
    pub fn top(self) -> Signal<Option<PortalError>> {
        Signal::derive(move || {
            let client = self.client.get();
            if self.submitted.get() && !client.is_empty() {
                Some(PortalError::Invalid(client))
            } else {
                self.server.get()
            }
        })
    }
}

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
