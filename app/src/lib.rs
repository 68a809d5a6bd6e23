//! Daemon Portal's user interface: pages, components and server-function declarations.
//!
//! Compiled twice: with `ssr` into the server (rendering and the server side of server
//! functions) and with `hydrate` into wasm for the browser. Server-only code sits behind
//! `#[cfg(feature = "ssr")]`; IO happens behind the [`backend::Backend`] trait, implemented in
//! the `server` crate, so neither sqlx nor aws-sdk-ecs can reach the wasm build.

pub mod api;
pub mod app;
pub mod auth;
pub mod components;
pub mod domain;
pub mod layout;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod services;

pub use app::{shell, App};

/// The version shown in the footer and reported by `/healthz`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Server functions answer a form with a redirect: back to the form's page, or on to the
    // page of what it created. Back to this page means the island already shows the result, so
    // stay (a reload would lose it); anywhere else is a page load, as there is no client router.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        let location = leptos::prelude::window().location();
        let path = to.split(['?', '#']).next().unwrap_or(to);
        if location.pathname().ok().as_deref() != Some(path) {
            let _ = location.set_href(to);
        }
    });
    // Islands: the server renders every page; only `#[island]` components ship to the
    // browser and hydrate (the budget in bench/portal/RESULTS.md).
    leptos::mount::hydrate_islands();
}
