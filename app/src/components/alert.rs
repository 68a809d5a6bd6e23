use leptos::prelude::*;

use crate::api::PortalError;

/// A boxed message at the top of a form or page. `kind`: error, success, info, warning.
#[component]
pub fn Alert(#[prop(into)] kind: String, children: Children) -> impl IntoView {
    let role = if kind == "error" { "alert" } else { "status" };
    view! { <div class=format!("alert {kind}") role=role>{children()}</div> }
}

/// Shows a server function's error, if any, readably. Field errors are summarised here and
/// shown in full next to their fields.
#[component]
pub fn ErrorAlert(#[prop(into)] error: Signal<Option<PortalError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let heading = match &e {
                PortalError::Invalid(f) => format!(
                    "Fix the {} highlighted field{} and try again.",
                    f.len(),
                    if f.len() == 1 { "" } else { "s" }
                ),
                PortalError::Ecs { code, .. } => format!("ECS refused the request ({code})"),
                PortalError::NotFound(_) => "Not found".into(),
                PortalError::Forbidden(_) | PortalError::Unauthenticated => "Not allowed".into(),
                _ => "The request failed".into(),
            };
            let detail = match &e {
                PortalError::Invalid(_) => None,
                other => Some(other.to_string()),
            };
            view! {
                <div class="alert error" role="alert">
                    <strong>{heading}</strong>
                    {detail.map(|d| view! { <div class="alert-detail">{d}</div> })}
                </div>
            }
        })
    }
}

/// A page's data could not be loaded: the error, shown like [`ErrorAlert`], and, when the page
/// is rendered on the server, the page's HTTP status from `PortalError::status` (a refused page
/// answers 403, a missing daemon 404), so that what the page says and what it answers agree.
#[component]
pub fn LoadError(error: PortalError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(error.status()) {
            opts.set_status(code);
        }
    }
    view! { <ErrorAlert error=Signal::derive(move || Some(error.clone())) /> }
}
