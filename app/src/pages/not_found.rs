use leptos::prelude::*;

use crate::layout::PageHeader;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <PageHeader title="Page not found" />
        <p>"There is nothing at this address. Use the navigation on the left."</p>
    }
}
