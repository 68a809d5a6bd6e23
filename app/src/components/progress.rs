use leptos::prelude::*;

/// An accessible progress bar: `role="progressbar"` with `aria-valuenow` in percent.
#[component]
pub fn ProgressBar(
    #[prop(into)] percent: Signal<u32>,
    #[prop(into)] label: String,
    #[prop(optional, into)] detail: Signal<String>,
) -> impl IntoView {
    let pct = move || percent.get().min(100);
    view! {
        <div class="progress">
            <div
                class="track"
                role="progressbar"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || pct().to_string()
                aria-valuetext=move || format!("{}% {}", pct(), detail.get())
            >
                <div class="fill" style=move || format!("width: {}%", pct())></div>
            </div>
            <span class="label">{move || format!("{}%", pct())}</span>
            <span class="detail">{move || detail.get()}</span>
        </div>
    }
}
