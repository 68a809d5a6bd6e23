use leptos::prelude::*;

/// The colour a status word gets: ok (green), warn (amber), err (red), info (blue), muted.
pub fn status_tone(status: &str) -> &'static str {
    match status {
        "ACTIVE" | "RUNNING" | "SUCCESSFUL" | "ROLLBACK_SUCCESSFUL" | "OK" | "HEALTHY" | "Deployed" => "ok",
        "PENDING"
        | "IN_PROGRESS"
        | "PROVISIONING"
        | "ROLLBACK_IN_PROGRESS"
        | "STOP_REQUESTED"
        | "DRAINING"
        | "DELETE_IN_PROGRESS"
        | "ACTIVATING" => "info",
        "STOPPED" | "INSUFFICIENT_DATA" | "DEREGISTERING" | "IMPAIRED" => "warn",
        "FAILED" | "ROLLBACK_FAILED" | "ALARM" | "UNHEALTHY" | "INACTIVE" | "DELETED" => "err",
        _ => "muted",
    }
}

/// A coloured dot and the status word.
#[component]
pub fn StatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let tone = status_tone(&status);
    view! { <span class=format!("badge {tone}")>{status.replace('_', " ")}</span> }
}
