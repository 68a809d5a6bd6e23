//! Small readers of DOM events for islands.

/// The `name` of an event's target element, so one handler on a container can tell which
/// field changed (without pulling in more web-sys features).
pub fn target_name(ev: &leptos::ev::Event) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let target = ev.target()?;
        let el = target.dyn_into::<leptos::web_sys::Element>().ok()?;
        el.get_attribute("name")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}
