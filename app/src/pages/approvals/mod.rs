//! Approvals: the lists of change requests (waiting for me, mine, all) and the request page.

mod list;
mod request;

pub use list::ApprovalsPage;
pub use request::RequestPage;

use crate::domain::change::ChangeState;

/// Badge tone of a request state (see `components::badge`).
pub fn state_tone(s: ChangeState) -> &'static str {
    match s {
        ChangeState::Succeeded => "ok",
        ChangeState::Pending | ChangeState::Approved | ChangeState::Executing => "info",
        ChangeState::Stopped | ChangeState::Cancelled | ChangeState::Expired | ChangeState::RolledBack => {
            "warn"
        }
        ChangeState::Failed | ChangeState::Rejected => "err",
    }
}

/// A coloured badge with the state's label.
#[leptos::component]
pub fn StateBadge(state: ChangeState) -> impl leptos::IntoView {
    use leptos::prelude::*;
    view! { <span class=format!("badge {}", state_tone(state)) data-state=state.as_str()>{state.label()}</span> }
}
