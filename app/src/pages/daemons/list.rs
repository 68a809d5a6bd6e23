use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{clusters::list_clusters, daemons::list_daemons};
use crate::components::{ExportForm, LoadError, StatusBadge};

/// The id of the Daemons page's Export form, which the row checkboxes join.
const EXPORT_FORM: &str = "daemons-export";
use crate::layout::{Crumb, PageHeader};
use crate::pages::env_scope::{EnvScope, EnvironmentPicker};

/// The cluster a page shows when its URL names none: `default` where the environment has one,
/// else its first cluster.
pub fn default_cluster(clusters: &[crate::api::clusters::ClusterSummary]) -> String {
    match clusters.iter().find(|c| c.name == "default").or(clusters.first()) {
        Some(c) => c.name.clone(),
        None => "default".into(),
    }
}

/// `/daemons?cluster=NAME` (and `/e/<env>/daemons`): the daemons of one cluster.
#[component]
pub fn DaemonsPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let query = use_query_map();
    let asked = move || query.read().get("cluster").filter(|c| !c.is_empty());
    let env = scope.arg();
    let clusters = Resource::new_with_options(move || env.clone(), list_clusters, false);
    // One fetch decides the cluster (when the URL names none) and lists its daemons.
    let env = scope.arg();
    let daemons = Resource::new_with_options(
        move || (asked(), env.clone()),
        |(asked, env)| async move {
            let cluster = match asked {
                Some(c) => c,
                None => default_cluster(&list_clusters(env.clone()).await?),
            };
            list_daemons(cluster.clone(), env).await.map(|rows| (cluster, rows))
        },
        false,
    );
    let cluster = move || {
        asked()
            .or_else(|| daemons.get().and_then(Result::ok).map(|(c, _)| c))
            .unwrap_or_else(|| "default".into())
    };

    let crumbs = scope.crumbs(vec![Crumb::here("Daemons")]);
    let new_href = scope.path("/daemons/new");
    let list_href = scope.path("/daemons");
    let picker = view! { <EnvironmentPicker scope=scope.clone() section="/daemons" /> };
    view! {
        <PageHeader title="Daemons" crumbs=crumbs>
            <form method="get" action=new_href>
                <input type="hidden" name="cluster" value=cluster />
                <button type="submit" class="btn primary">"Create daemon"</button>
            </form>
        </PageHeader>
        <div class="panel">
            {picker}
            // A GET form: choosing a cluster works with and without wasm.
            <form method="get" action=list_href class="filter-bar">
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
                            Ok((_, rows)) if rows.is_empty() => {
                                view! {
                                    <p class="empty-state">
                                        "No daemons in this cluster yet. Create one from a daemon task definition."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok((cluster, rows)) => {
                                // The row checkboxes belong to the Export form (`form=`), so
                                // the selection is a plain GET without wasm.
                                view! {
                                    <ExportForm
                                        id=EXPORT_FORM.to_string()
                                        environment=scope.arg()
                                        fields=vec![("cluster", cluster)]
                                    />
                                    <div class="table-scroll">
                                    <table class="data" aria-label="Daemons">
                                        <thead>
                                            <tr>
                                                <th scope="col"><span class="visually-hidden">"Export"</span></th>
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
                                                    let href = scope.path(&format!("/daemons/{}/{}", d.cluster, d.name));
                                                    view! {
                                                        <tr>
                                                            <td>
                                                                <input
                                                                    type="checkbox"
                                                                    name="daemon"
                                                                    value=d.name.clone()
                                                                    form=EXPORT_FORM
                                                                    aria-label=format!("Select {} for export", d.name)
                                                                />
                                                            </td>
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
