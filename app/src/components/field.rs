//! Labelled form controls with help text and an inline error, wired for both plain HTML form
//! posts (they carry `name`) and reactive state (they update a signal as the user types).

use leptos::prelude::*;

fn described_by(id: &str, has_help: bool) -> String {
    let mut ids = vec![format!("{id}-error")];
    if has_help {
        ids.push(format!("{id}-help"));
    }
    ids.join(" ")
}

#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] help: Option<String>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional, into)] input_type: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] list: Option<String>,
) -> impl IntoView {
    let described = described_by(&id, help.is_some());
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {help.map(|h| view! { <p class="help" id=help_id>{h}</p> })}
            <input
                id=id
                name=name
                type=input_type.unwrap_or_else(|| "text".into())
                placeholder=placeholder
                list=list
                required=required
                value=move || value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
            />
            <div class="error" id=error_id aria-live="polite">{move || error.get()}</div>
        </div>
    }
}

#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    /// (value, label) pairs.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] help: Option<String>,
) -> impl IntoView {
    let described = described_by(&id, help.is_some());
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {help.map(|h| view! { <p class="help" id=help_id>{h}</p> })}
            <select
                id=id
                name=name
                on:change=move |ev| value.set(event_target_value(&ev))
                prop:value=move || value.get()
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
            >
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{l}</option> }
                        })
                        .collect_view()
                }}
            </select>
            <div class="error" id=error_id aria-live="polite">{move || error.get()}</div>
        </div>
    }
}

#[component]
pub fn CheckboxField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    checked: RwSignal<bool>,
    #[prop(optional, into)] help: Option<String>,
) -> impl IntoView {
    let help_id = format!("{id}-help");
    view! {
        <div class="field inline">
            <input
                type="checkbox"
                id=id.clone()
                name=name
                value="on"
                checked=move || checked.get_untracked()
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
            {help.map(|h| view! { <span class="help" id=help_id>{h}</span> })}
        </div>
    }
}
