use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::StateBadge;
use crate::api::changes::{list_change_requests, Inbox, RequestFilter};
use crate::components::{time::format_epoch, LoadError};
use crate::domain::change::ChangeState;
use crate::layout::{Crumb, PageHeader};

/// `/approvals?inbox=waiting|mine|all&state=&cluster=&environment=&after=`.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        RequestFilter {
            inbox: Inbox::parse(&q.get("inbox").unwrap_or_default()),
            state: q.get("state").unwrap_or_default(),
            cluster: q.get("cluster").unwrap_or_default(),
            environment: q.get("environment").unwrap_or_default(),
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
                                    "/approvals?inbox={}&state={}&cluster={}&environment={}&after={after}",
                                    f.inbox.as_str(),
                                    f.state,
                                    f.cluster,
                                    f.environment
                                )
                            });
                            view! {
                                <div class="table-scroll">
                                <table class="data requests" aria-label="Change requests">
                                    <thead>
                                        <tr>
                                            <th>"Request"</th>
                                            <th>"State"</th>
                                            <th>"Daemon"</th>
                                            <th class="col-optional">"Revision"</th>
                                            <th>"Requester"</th>
                                            <th>"Approvals"</th>
                                            <th class="col-optional">"Created"</th>
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
                                                let full = match (r.from_revision.is_empty(), r.to_revision.is_empty()) {
                                                    (_, true) => r.from_revision.clone(),
                                                    (true, false) => r.to_revision.clone(),
                                                    (false, false) => format!("{} → {}", r.from_revision, r.to_revision),
                                                };
                                                let revision = revision_change(&r.from_revision, &r.to_revision).unwrap_or_else(|| full.clone());
                                                let created = format_epoch(r.created_at as f64 / 1000.0);
                                                let (date, time) = created.split_once(' ').unwrap_or((&created, ""));
                                                let (date, time) = (date.to_string(), time.to_string());
                                                view! {
                                                    <tr>
                                                        <td class="summary">
                                                            <a class="clamp-3" href=format!("/approvals/{}", r.id) title=r.summary.clone()>
                                                                {r.summary.clone()}
                                                            </a>
                                                        </td>
                                                        <td><StateBadge state=r.state /></td>
                                                        <td>
                                                            {daemon}
                                                            {(!r.environment.is_empty()).then(|| view! { <div class="help environment">{r.environment.clone()}</div> })}
                                                        </td>
                                                        <td class="col-optional mono revision" title=full>{revision}</td>
                                                        <td>
                                                            {r.requester.clone()}
                                                            {(!r.team.is_empty()).then(|| view! { <div class="help">{r.team.clone()}</div> })}
                                                        </td>
                                                        <td class="nowrap">{format!("{} of {}", r.approvals, r.approvals_required)}</td>
                                                        <td class="col-optional nowrap">{date}<div class="help">{time}</div></td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                                </div>
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

/// `family:1 → 2` when both sides are revisions of one family (the list has no room for the
/// family twice; the summary and the cell's title have it in full).
fn revision_change(from: &str, to: &str) -> Option<String> {
    let (family, old) = from.rsplit_once(':')?;
    let (to_family, new) = to.rsplit_once(':')?;
    (family == to_family).then(|| format!("{family}:{old} → {new}"))
}

#[cfg(test)]
mod tests {
    use super::revision_change;

    #[test]
    fn one_family_is_named_once() {
        assert_eq!(revision_change("agent:1", "agent:2").as_deref(), Some("agent:1 → 2"));
        assert_eq!(revision_change("agent:1", "other:2"), None);
        assert_eq!(revision_change("", "agent:2"), None);
    }
}
