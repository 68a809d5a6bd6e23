//! `/clusters/:name?tab=daemons|instances|providers&instance=ID`. Tabs are links, so they work
//! without wasm and can be bookmarked.

use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{
    clusters::{get_cluster, ClusterDetail, InstanceRow},
    daemons::list_daemons,
};
use crate::components::{sizes_label, LoadError, ShortArn, StatusBadge};
use crate::layout::{Crumb, PageHeader};
use crate::pages::env_scope::EnvScope;

const TABS: [(&str, &str); 3] =
    [("daemons", "Daemons"), ("instances", "Managed instances"), ("providers", "Capacity providers")];

#[component]
pub fn ClusterPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let tab = move || query.read().get("tab").unwrap_or_else(|| "daemons".into());
    let selected = move || query.read().get("instance");
    let env = scope.arg();
    let detail = Resource::new_with_options(move || (name(), env.clone()), |(n, e)| get_cluster(n, e), false);
    let env = scope.arg();
    let daemons =
        Resource::new_with_options(move || (name(), env.clone()), |(n, e)| list_daemons(n, e), false);
    let title = name();
    let crumbs =
        scope.crumbs(vec![Crumb::link("Clusters", scope.path("/clusters")), Crumb::here(title.clone())]);

    view! {
        <PageHeader title=title.clone() crumbs=crumbs />
        <nav class="tabs" aria-label="Cluster sections">
            {TABS
                .iter()
                .map(|&(id, label)| {
                    let href = scope.path(&format!("/clusters/{}?tab={id}", name()));
                    view! {
                        <a href=href aria-current=move || (tab() == id).then_some("page")>{label}</a>
                    }
                })
                .collect_view()}
        </nav>
        <Transition fallback=|| view! { <p class="empty-state">"Loading the cluster…"</p> }>
            {move || {
                let current = tab();
                match current.as_str() {
                    "instances" | "providers" => {
                        detail
                            .get()
                            .map(|r| match r {
                                Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                                Ok(d) if current == "providers" => view! { <ProvidersTab d=d /> }.into_any(),
                                Ok(d) => view! { <InstancesTab d=d selected=selected() scope=scope.clone() /> }.into_any(),
                            })
                    }
                    _ => {
                        daemons
                            .get()
                            .map(|r| match r {
                                Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                                Ok(rows) if rows.is_empty() => {
                                    view! { <div class="panel"><p class="empty-state">"No daemons in this cluster."</p></div> }.into_any()
                                }
                                Ok(rows) => {
                                    view! {
                                        <div class="panel">
                                            <div class="table-scroll">
                                            <table class="data" aria-label="Daemons">
                                                <thead>
                                                    <tr><th>"Name"</th><th>"Status"</th><th>"Revision"</th><th>"Running"</th><th>"Without daemon"</th></tr>
                                                </thead>
                                                <tbody>
                                                    {rows
                                                        .into_iter()
                                                        .map(|d| {
                                                            view! {
                                                                <tr>
                                                                    <td><a href=scope.path(&format!("/daemons/{}/{}", d.cluster, d.name))>{d.name.clone()}</a></td>
                                                                    <td><StatusBadge status=d.status.clone() /></td>
                                                                    <td class="mono">{d.revisions.join(", ")}</td>
                                                                    <td>{d.running}</td>
                                                                    <td>{d.without_daemon}</td>
                                                                </tr>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </tbody>
                                            </table>
                                            </div>
                                        </div>
                                    }
                                        .into_any()
                                }
                            })
                    }
                }
            }}
        </Transition>
    }
}

#[component]
fn ProvidersTab(d: ClusterDetail) -> impl IntoView {
    view! {
        <div class="panel">
            <div class="table-scroll">
            <table class="data" aria-label="Capacity providers">
                <thead>
                    <tr><th>"Name"</th><th>"Status"</th><th>"Instance size"</th><th>"Instances"</th></tr>
                </thead>
                <tbody>
                    {d.providers
                        .into_iter()
                        .map(|p| {
                            view! {
                                <tr>
                                    <td>{p.name.clone()}</td>
                                    <td><StatusBadge status=p.status.clone() /></td>
                                    <td>{sizes_label(p.instance_cpu, p.instance_memory)}</td>
                                    <td>{p.instances}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            </div>
        </div>
    }
}

#[component]
fn InstancesTab(d: ClusterDetail, selected: Option<String>, scope: EnvScope) -> impl IntoView {
    let cluster = d.summary.name.clone();
    let chosen: Option<InstanceRow> =
        selected.as_ref().and_then(|id| d.instances.iter().find(|i| &i.id == id).cloned());
    view! {
        <div class="panel">
            <div class="table-scroll">
            <table class="data" aria-label="Managed instances">
                <thead>
                    <tr>
                        <th>"Instance"</th>
                        <th>"Capacity provider"</th>
                        <th>"State"</th>
                        <th>"Health"</th>
                        <th>"Daemons"</th>
                        <th>"Application tasks"</th>
                    </tr>
                </thead>
                <tbody>
                    {d.instances
                        .iter()
                        .map(|i| {
                            let href = scope.path(&format!("/clusters/{cluster}?tab=instances&instance={}", i.id));
                            let is_sel = selected.as_deref() == Some(i.id.as_str());
                            let running_daemons = i.daemon_tasks.iter().filter(|t| t.status == "RUNNING").count();
                            view! {
                                <tr class:selected=is_sel>
                                    <td class="mono">
                                        <a href=href aria-current=is_sel.then_some("true")>{i.id.clone()}</a>
                                    </td>
                                    <td>{i.capacity_provider.clone()}</td>
                                    <td><StatusBadge status=i.status.clone() /></td>
                                    <td><StatusBadge status=i.health.clone() /></td>
                                    <td>{format!("{running_daemons} of {} running", i.daemon_tasks.len())}</td>
                                    <td>{i.app_tasks.len()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            </div>
        </div>
        {chosen.map(|i| view! { <InstanceDetail i=i /> })}
    }
}

#[component]
fn InstanceDetail(i: InstanceRow) -> impl IntoView {
    let task_rows = |tasks: Vec<crate::api::clusters::TaskRow>, what: &'static str| {
        if tasks.is_empty() {
            return view! { <p class="empty-state">{format!("No {what} on this instance.")}</p> }.into_any();
        }
        view! {
            <div class="table-scroll">
            <table class="data" aria-label=what>
                <thead><tr><th>"Name"</th><th>"Status"</th><th>"Revision"</th><th>"Task"</th></tr></thead>
                <tbody>
                    {tasks
                        .into_iter()
                        .map(|t| {
                            view! {
                                <tr>
                                    <td>{t.group.clone()}</td>
                                    <td><StatusBadge status=t.status.clone() /></td>
                                    <td class="mono">{t.definition.clone()}</td>
                                    <td><ShortArn arn=t.arn.clone() /></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="instance-title">
            <h2 id="instance-title">{format!("Instance {}", i.id)}</h2>
            <p class="help">{format!("{} · {} · health {}", i.capacity_provider, i.status, i.health)}</p>
            <h3>"Daemons"</h3>
            {task_rows(i.daemon_tasks.clone(), "daemon tasks")}
            <h3>"Application tasks"</h3>
            {task_rows(i.app_tasks.clone(), "application tasks")}
        </section>
    }
}
