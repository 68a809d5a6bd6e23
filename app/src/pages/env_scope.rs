//! The environment a page acts in. Pages about one environment's ECS (daemons, clusters, task
//! definitions, the deploy forms) live under `/e/<environment>/…`; the same pages without the
//! prefix are the default environment's, so every URL from before environments still works.
//! A GET form may also name it as `?environment=` (the picker below, which works without wasm).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::environments::list_environment_names;
use crate::components::resource::Resource;
use crate::layout::Crumb;

/// The page's environment: "" for the default one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvScope {
    pub name: String,
}

impl EnvScope {
    /// The `:env` of the route, else the `environment` query value, else the default ("").
    pub fn from_route() -> Self {
        let path = use_params_map().read_untracked().get("env");
        let query = use_query_map().read_untracked().get("environment");
        Self { name: path.or(query).map(|n| n.trim().to_string()).unwrap_or_default() }
    }

    pub fn named(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }

    /// `path` in this environment: `/e/<name><path>`, or `path` for the default one.
    pub fn path(&self, path: &str) -> String {
        if self.name.is_empty() {
            path.to_string()
        } else {
            format!("/e/{}{path}", self.name)
        }
    }

    /// What server functions take as `environment` ("" = the default).
    pub fn arg(&self) -> String {
        self.name.clone()
    }

    /// The breadcrumb that says which environment the page is in (none for the default
    /// environment's unprefixed pages, whose trail stays as it was).
    pub fn crumbs(&self, mut rest: Vec<Crumb>) -> Vec<Crumb> {
        if !self.name.is_empty() {
            rest.insert(0, Crumb::link(format!("Environment {}", self.name), "/fleet"));
        }
        rest
    }
}

/// "Environment" picker: a GET form to `section` (`/daemons`, `/clusters`,
/// `/task-definitions`) naming the environment; choosing one reloads the section there.
#[component]
pub fn EnvironmentPicker(scope: EnvScope, section: &'static str) -> impl IntoView {
    let choices = Resource::new_with_options(|| (), |_| list_environment_names(), false);
    let current = scope.name.clone();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let current = current.clone();
                choices.get().and_then(Result::ok).filter(|c| c.names.len() > 1).map(|c| {
                    let chosen = if current.is_empty() { c.default.clone() } else { current.clone() };
                    view! {
                        <form method="get" action=section class="filter-bar">
                            <label for="environment-select">"Environment"</label>
                            <select
                                id="environment-select"
                                name="environment"
                                onchange="this.form.requestSubmit ? this.form.requestSubmit() : this.form.submit()"
                            >
                                {c.names.into_iter().map(|n| {
                                    let selected = n == chosen;
                                    view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                                }).collect_view()}
                            </select>
                            <noscript><button type="submit" class="btn">"Switch"</button></noscript>
                        </form>
                    }
                })
            }}
        </Suspense>
    }
}
