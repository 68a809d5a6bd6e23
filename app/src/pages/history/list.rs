//! `/history`: the rollout history, newest first, filtered by the query string. With
//! `cluster` and `daemon` set it is that daemon's history (the daemon page links here).

use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{
    filters::HistoryFilters,
    pager::{ExportLinks, Pager},
    table::RolloutTable,
};
use crate::api::history::list_history;
use crate::components::LoadError;
use crate::domain::history::HistoryQuery;
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn HistoryPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        HistoryQuery {
            environment: get("environment"),
            cluster: get("cluster"),
            daemon: get("daemon"),
            team: get("team"),
            person: get("person"),
            status: get("status"),
            from: get("from"),
            to: get("to"),
            older: get("older"),
            newer: get("newer"),
        }
    });
    let page = Resource::new_with_options(move || query.get(), list_history, false);

    let heading = move || {
        let q = query.get();
        let (c, d) = (q.cluster.trim().to_string(), q.daemon.trim().to_string());
        if !c.is_empty() && !d.is_empty() {
            (
                format!("Rollout history of {d}"),
                vec![
                    Crumb::link("Daemons", format!("/daemons?cluster={c}")),
                    Crumb::link(d.clone(), format!("/daemons/{c}/{d}")),
                    Crumb::here("Rollout history"),
                ],
            )
        } else {
            ("History".to_string(), vec![Crumb::here("History")])
        }
    };
    let filters = move || query.get().filter_query();

    view! {
        {move || {
            let (title, crumbs) = heading();
            view! {
                <PageHeader title=title crumbs=crumbs>
                    <ExportLinks base="/history" filters=filters() />
                </PageHeader>
            }
            .into_any()
        }}
        <p class="page-intro">
            "Deployment frequency, lead time, change failure rate and time to restore over this history: "
            <a href="/delivery">"Delivery metrics"</a>"."
        </p>
        <div class="panel">
            {move || {
                let q = query.get();
                let errors = q.parse().err().unwrap_or_default();
                view! { <HistoryFilters query=q errors=errors /> }.into_any()
            }}
        </div>
        // Each part is type-erased (`into_any`): nested as one type, the page's view overflows
        // the compiler's query depth in the hydrate build.
        <div class="panel">{results(page, filters)}</div>
    }
}

fn results(
    page: Resource<Result<crate::api::history::HistoryPage, crate::api::PortalError>>,
    filters: impl Fn() -> String + Copy + Send + Sync + 'static,
) -> AnyView {
    view! {
            <Transition fallback=|| view! { <p class="empty-state">"Loading the history…"</p> }>
                {move || {
                    page.get().map(|res| match res {
                        // Field errors are also shown next to the filters.
                        Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                        Ok(p) if p.rows.is_empty() => {
                            let message = if p.newer.is_some() || p.older.is_some() {
                                "No more rollouts this way."
                            } else if filters().is_empty() {
                                "No rollouts yet. Deployments, updates and rollbacks appear here once they start."
                            } else {
                                "No rollouts match these filters."
                            };
                            view! {
                                <p class="empty-state">{message}</p>
                                <Pager base="/history" filters=filters() newer=p.newer older=p.older />
                            }
                                .into_any()
                        }
                        Ok(p) => {
                            view! {
                                <RolloutTable rows=p.rows />
                                <Pager base="/history" filters=filters() newer=p.newer older=p.older />
                            }
                                .into_any()
                        }
                    })
                }}
            </Transition>
    }
    .into_any()
}
