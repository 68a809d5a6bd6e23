use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{clusters::list_clusters, daemons::list_daemons};
use crate::components::{LoadError, StatusBadge};
use crate::layout::{Crumb, PageHeader};

/// `/daemons?cluster=NAME`: the daemons of one cluster.
#[component]
pub fn DaemonsPage() -> impl IntoView {
    let query = use_query_map();
    let cluster =
        move || query.read().get("cluster").filter(|c| !c.is_empty()).unwrap_or_else(|| "default".into());
    let clusters = Resource::new_with_options(|| (), |_| list_clusters(), false);
    let daemons = Resource::new_with_options(cluster, list_daemons, false);

    view! {
        <PageHeader title="Daemons" crumbs=vec![Crumb::here("Daemons")]>
            <form method="get" action="/daemons/new">
                <input type="hidden" name="cluster" value=cluster />
                <button type="submit" class="btn primary">"Create daemon"</button>
            </form>
        </PageHeader>
        <div class="panel">
            // A GET form: choosing a cluster works with and without wasm.
            <form method="get" action="/daemons" class="filter-bar">
                <label for="cluster-select">"Cluster"</label>
                <select
                    id="cluster-select"
                    name="cluster"
                    onchange="this.form.requestSubmit ? this.form.requestSubmit() : this.form.submit()"
                >
                    <Suspense fallback=move || view! { <option>{cluster()}</option> }>
                        {move || {
                            let current = cluster();
                            clusters
                                .get()
                                .map(|r| {
                                    r.unwrap_or_default()
                                        .into_iter()
                                        .map(|c| {
                                            let selected = c.name == current;
                                            view! {
                                                <option value=c.name.clone() selected=selected>
                                                    {c.name.clone()}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                })
                        }}
                    </Suspense>
                </select>
                <noscript>
                    <button type="submit" class="btn">"Show"</button>
                </noscript>
            </form>
            <Transition fallback=|| view! { <p class="empty-state">"Loading daemons…"</p> }>
                {move || {
                    daemons
                        .get()
                        .map(|res| match res {
                            Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                            Ok(rows) if rows.is_empty() => {
                                view! {
                                    <p class="empty-state">
                                        "No daemons in this cluster yet. Create one from a daemon task definition."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(rows) => {
                                view! {
                                    <div class="table-scroll">
                                    <table class="data" aria-label="Daemons">
                                        <thead>
                                            <tr>
                                                <th>"Name"</th>
                                                <th>"Status"</th>
                                                <th>"Revision"</th>
                                                <th>"Capacity providers"</th>
                                                <th>"Running"</th>
                                                <th>"Without daemon"</th>
                                                <th>"Latest deployment"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows
                                                .into_iter()
                                                .map(|d| {
                                                    let href = format!("/daemons/{}/{}", d.cluster, d.name);
                                                    view! {
                                                        <tr>
                                                            <td><a href=href>{d.name.clone()}</a></td>
                                                            <td><StatusBadge status=d.status.clone() /></td>
                                                            <td class="mono">{d.revisions.join(", ")}</td>
                                                            <td>{d.capacity_providers.join(", ")}</td>
                                                            <td>{d.running}</td>
                                                            <td>{d.without_daemon}</td>
                                                            <td>
                                                                {d
                                                                    .latest_deployment
                                                                    .clone()
                                                                    .map(|s| view! { <StatusBadge status=s /> })}
                                                            </td>
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
                        })
                }}
            </Transition>
        </div>
    }
}
