use crate::components::resource::Resource;
use leptos::prelude::*;

use crate::api::clusters::list_clusters;
use crate::components::{LoadError, StatusBadge};
use crate::layout::{Crumb, PageHeader};
use crate::pages::env_scope::{EnvScope, EnvironmentPicker};

#[component]
pub fn ClustersPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let env = scope.arg();
    let clusters = Resource::new_with_options(move || env.clone(), list_clusters, false);
    view! {
        <PageHeader title="Clusters" crumbs=scope.crumbs(vec![Crumb::here("Clusters")]) />
        <div class="panel">
            <EnvironmentPicker scope=scope.clone() section="/clusters" />
            <Suspense fallback=|| view! { <p class="empty-state">"Loading clusters…"</p> }>
                {move || {
                    clusters
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                            Ok(list) if list.is_empty() => {
                                view! { <p class="empty-state">"No clusters in this account and region."</p> }.into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <div class="table-scroll">
                                    <table class="data" aria-label="Clusters">
                                        <thead>
                                            <tr>
                                                <th>"Name"</th>
                                                <th>"Status"</th>
                                                <th>"Capacity providers"</th>
                                                <th>"Container instances"</th>
                                                <th>"Running tasks"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .into_iter()
                                                .map(|c| {
                                                    view! {
                                                        <tr>
                                                            <td><a href=scope.path(&format!("/clusters/{}", c.name))>{c.name.clone()}</a></td>
                                                            <td><StatusBadge status=c.status.clone() /></td>
                                                            <td>{c.capacity_providers.join(", ")}</td>
                                                            <td>{c.instances}</td>
                                                            <td>{c.running_tasks}</td>
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
            </Suspense>
        </div>
    }
}
