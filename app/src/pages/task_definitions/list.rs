use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::{components::Form, hooks::use_query_map};

use super::revision_href;
use crate::api::task_definitions::{list_task_definitions, FamilyRow};
use crate::components::{Alert, LoadError, StatusBadge};
use crate::layout::{Crumb, PageHeader};
use crate::pages::env_scope::{EnvScope, EnvironmentPicker};

/// `/task-definitions` (and `/e/<env>/task-definitions`): families with their latest revision,
/// filter and pagination.
#[component]
pub fn TaskDefinitionsPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let query = use_query_map();
    let filter = move || query.read().get("filter").unwrap_or_default();
    let token = move || query.read().get("token").unwrap_or_default();
    let env = scope.arg();
    let page = Resource::new_with_options(
        move || (filter(), token(), env.clone()),
        |(f, t, e)| list_task_definitions(f, t, e),
        false,
    );
    let list = scope.path("/task-definitions");

    let deleted = move || {
        query.read().get("deleted").map(|d| {
            view! {
                <Alert kind="success">
                    {format!(
                        "Deleted revision {d}. Daemons already running it keep running; it can no longer be used for new deployments.",
                    )}
                </Alert>
            }
        })
    };

    let crumbs = scope.crumbs(vec![Crumb::here("Daemon task definitions")]);
    let new_href = scope.path("/task-definitions/new");
    let picker = view! { <EnvironmentPicker scope=scope.clone() section="/task-definitions" /> };
    let form_action = list.clone();
    let clear_href = list.clone();
    view! {
        <PageHeader title="Daemon task definitions" crumbs=crumbs>
            <a class="btn primary" href=new_href>
                "Create new daemon task definition"
            </a>
        </PageHeader>
        {deleted}
        {picker}
        <Form method="GET" action=form_action>
            <div class="filter-bar" role="search">
                <label for="td-filter">"Filter by family"</label>
                <input
                    id="td-filter"
                    type="search"
                    name="filter"
                    placeholder="Family name starts with…"
                    prop:value=filter
                    value=filter
                />
                <button type="submit" class="btn">"Filter"</button>
                {move || {
                    (!filter().is_empty())
                        .then(|| view! { <a class="btn link" href=clear_href.clone()>"Clear filter"</a> })
                }}
            </div>
        </Form>
        <Transition fallback=|| view! { <p class="empty-state">"Loading daemon task definitions…"</p> }>
            {move || {
                let list = list.clone();
                let scope = scope.clone();
                Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                    Ok(p) => {
                        let next = p.next_token.clone().map(|t| {
                            let mut href = format!("{list}?token={}", encode(&t));
                            let f = filter();
                            if !f.is_empty() {
                                href.push_str(&format!("&filter={}", encode(&f)));
                            }
                            href
                        });
                        let first = (!token().is_empty()).then(|| {
                            let f = filter();
                            if f.is_empty() {
                                list.clone()
                            } else {
                                format!("{list}?filter={}", encode(&f))
                            }
                        });
                        view! {
                            {p.usage_error.map(|e| view! {
                                <Alert kind="warning">
                                    {format!("Could not tell which definitions daemons use: {e}")}
                                </Alert>
                            })}
                            <FamilyTable rows=p.rows filtered=!filter().is_empty() scope=scope.clone() />
                            <nav class="pagination" aria-label="Pages">
                                {first.map(|h| view! { <a class="btn" href=h>"First page"</a> })}
                                {next.map(|h| view! { <a class="btn" href=h>"Next page"</a> })}
                            </nav>
                        }
                            .into_any()
                    }
                }
            })}}
        </Transition>
    }
}

#[component]
fn FamilyTable(rows: Vec<FamilyRow>, filtered: bool, scope: EnvScope) -> impl IntoView {
    if rows.is_empty() {
        let msg = if filtered {
            "No daemon task definition family starts with this filter."
        } else {
            "No daemon task definitions yet. Create one to deploy it as a daemon."
        };
        return view! { <p class="empty-state">{msg}</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Daemon task definition families">
            <thead>
                <tr>
                    <th scope="col">"Family"</th>
                    <th scope="col">"Latest revision"</th>
                    <th scope="col">"Active revisions"</th>
                    <th scope="col">"Deployment"</th>
                    <th scope="col">"Registered"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| {
                        let href = revision_href(&scope, &r.family, r.latest_revision);
                        let deployed = match r.deployed {
                            Some(true) => "Deployed",
                            Some(false) => "Not deployed",
                            None => "Unknown",
                        };
                        view! {
                            <tr>
                                <td><a href=href.clone()>{r.family.clone()}</a></td>
                                <td><a href=href>{format!("{}:{}", r.family, r.latest_revision)}</a></td>
                                <td>{r.active_revisions}</td>
                                <td><StatusBadge status=deployed /></td>
                                <td>{r.registered_at.unwrap_or_default()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

/// Percent-encodes a query value.
pub(super) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
