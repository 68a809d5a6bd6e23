use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::StateBadge;
use crate::api::changes::{list_change_requests, Inbox, RequestFilter};
use crate::components::{time::format_epoch, LoadError};
use crate::domain::change::ChangeState;
use crate::layout::{Crumb, PageHeader};

/// `/approvals?inbox=waiting|mine|all&state=&cluster=&after=`.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        RequestFilter {
            inbox: Inbox::parse(&q.get("inbox").unwrap_or_default()),
            state: q.get("state").unwrap_or_default(),
            cluster: q.get("cluster").unwrap_or_default(),
            after: q.get("after").unwrap_or_default(),
        }
    };
    let requests = Resource::new_with_options(filter, list_change_requests, false);
    let tab = move |inbox: Inbox, label: &'static str| {
        let current = filter().inbox == inbox;
        view! {
            <a
                href=format!("/approvals?inbox={}", inbox.as_str())
                class=if current { "tab current" } else { "tab" }
                aria-current=current.then_some("page")
            >
                {label}
            </a>
        }
    };
    view! {
        <PageHeader title="Approvals" crumbs=vec![Crumb::here("Approvals")] />
        <nav class="tabs" aria-label="Request lists">
            {move || tab(Inbox::Waiting, "Waiting for me")}
            {move || tab(Inbox::Mine, "My requests")}
            {move || tab(Inbox::All, "All requests")}
        </nav>
        <div class="panel">
            <form method="get" action="/approvals" class="filter-bar">
                <input type="hidden" name="inbox" value=move || filter().inbox.as_str() />
                <label for="filter-state">"State"</label>
                <select id="filter-state" name="state">
                    <option value="">"Any"</option>
                    {move || {
                        let current = filter().state;
                        ChangeState::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected=current == s.as_str()>{s.label()}</option> })
                            .collect_view()
                    }}
                </select>
                <label for="filter-cluster">"Cluster"</label>
                <input id="filter-cluster" name="cluster" value=move || filter().cluster />
                <button type="submit" class="btn">"Filter"</button>
            </form>
            <Transition fallback=|| view! { <p class="empty-state">"Loading requests…"</p> }>
                {move || {
                    requests.get().map(|res| match res {
                        Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                        Ok(page) if page.rows.is_empty() => {
                            view! { <p class="empty-state">"No change requests here."</p> }.into_any()
                        }
                        Ok(page) => {
                            let next = page.next.clone().map(|after| {
                                let f = filter();
                                format!(
                                    "/approvals?inbox={}&state={}&cluster={}&after={after}",
                                    f.inbox.as_str(),
                                    f.state,
                                    f.cluster
                                )
                            });
                            view! {
                                <table class="data" aria-label="Change requests">
                                    <thead>
                                        <tr>
                                            <th>"Request"</th>
                                            <th>"State"</th>
                                            <th>"Daemon"</th>
                                            <th>"Revision"</th>
                                            <th>"Requester"</th>
                                            <th>"Team"</th>
                                            <th>"Approvals"</th>
                                            <th>"Created"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page
                                            .rows
                                            .into_iter()
                                            .map(|r| {
                                                let daemon = if r.daemon.is_empty() {
                                                    "—".to_string()
                                                } else {
                                                    format!("{}/{}", r.cluster, r.daemon)
                                                };
                                                let revision = match (r.from_revision.is_empty(), r.to_revision.is_empty()) {
                                                    (_, true) => r.from_revision.clone(),
                                                    (true, false) => r.to_revision.clone(),
                                                    (false, false) => format!("{} → {}", r.from_revision, r.to_revision),
                                                };
                                                view! {
                                                    <tr>
                                                        <td><a href=format!("/approvals/{}", r.id)>{r.summary.clone()}</a></td>
                                                        <td><StateBadge state=r.state /></td>
                                                        <td>{daemon}</td>
                                                        <td class="mono">{revision}</td>
                                                        <td>{r.requester.clone()}</td>
                                                        <td>{r.team.clone()}</td>
                                                        <td>{format!("{} of {}", r.approvals, r.approvals_required)}</td>
                                                        <td>{format_epoch(r.created_at as f64 / 1000.0)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                                {next.map(|href| view! { <p class="pager"><a href=href>"Older requests"</a></p> })}
                            }
                                .into_any()
                        }
                    })
                }}
            </Transition>
        </div>
    }
}
