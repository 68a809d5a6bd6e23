//! `/audit`: the audit log, newest first (admins only; the server function answers others
//! with 403, which becomes the page's status). Read-only: the log is append-only and nothing
//! here offers to edit or delete it.

use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::pager::{ExportLinks, Pager};
use crate::api::history::{list_audit, AuditView};
use crate::components::{time::format_epoch, LoadError, ShortArn, TextField};
use crate::domain::{history::AuditQuery, FieldErrors};
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn AuditPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        AuditQuery {
            actor: get("actor"),
            action: get("action"),
            from: get("from"),
            to: get("to"),
            older: get("older"),
            newer: get("newer"),
        }
    });
    let page = Resource::new_with_options(move || query.get(), list_audit, false);
    let filters = move || query.get().filter_query();

    view! {
        <PageHeader title="Audit log" crumbs=vec![Crumb::here("Audit log")]>
            {move || view! { <ExportLinks base="/audit" filters=filters() /> }}
        </PageHeader>
        <div class="panel">
            {move || {
                let q = query.get();
                let errors = q.parse().err().unwrap_or_default();
                view! { <AuditFilters query=q errors=errors /> }.into_any()
            }}
        </div>
        // Type-erased parts keep the hydrate build under the compiler's query depth limit.
        <div class="panel">{results(page, filters)}</div>
    }
}

fn results(
    page: Resource<Result<crate::api::history::AuditPage, crate::api::PortalError>>,
    filters: impl Fn() -> String + Copy + Send + Sync + 'static,
) -> AnyView {
    view! {
            <Transition fallback=|| view! { <p class="empty-state">"Loading the audit log…"</p> }>
                {move || {
                    page.get().map(|res| match res {
                        Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                        Ok(p) => {
                            let body = if p.rows.is_empty() {
                                view! { <p class="empty-state">"No entries match these filters."</p> }.into_any()
                            } else {
                                view! { <AuditTable rows=p.rows /> }.into_any()
                            };
                            view! {
                                {body}
                                <Pager base="/audit" filters=filters() newer=p.newer older=p.older />
                            }
                                .into_any()
                        }
                    })
                }}
            </Transition>
    }
    .into_any()
}

/// An island: the filters are checked in the browser before the GET is sent.
#[island(lazy)]
fn AuditFilters(query: AuditQuery, errors: FieldErrors) -> impl IntoView {
    let actor = RwSignal::new(query.actor.clone());
    let action = RwSignal::new(query.action.clone());
    let from = RwSignal::new(query.from.clone());
    let to = RwSignal::new(query.to.clone());
    let errors = RwSignal::new(errors);
    let err = move |f: &'static str| Signal::derive(move || errors.read().get(f).map(str::to_string));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let q = AuditQuery {
            actor: actor.get_untracked(),
            action: action.get_untracked(),
            from: from.get_untracked(),
            to: to.get_untracked(),
            ..Default::default()
        };
        match q.parse() {
            Ok(_) => errors.set(FieldErrors::new()),
            Err(e) => {
                ev.prevent_default();
                errors.set(e);
            }
        }
    };
    view! {
        <form method="get" action="/audit" class="audit-filters" on:submit=on_submit>
            <div class="row">
                <TextField id="a-actor" name="actor" label="Actor" value=actor error=err("actor")
                    help="Exact username." />
                <TextField id="a-action" name="action" label="Action" value=action error=err("action")
                    help="Exact action, e.g. login or daemon.update." />
                <TextField id="a-from" name="from" label="From" value=from error=err("from")
                    input_type="date" placeholder="YYYY-MM-DD" help="On or after this day (UTC)." />
                <TextField id="a-to" name="to" label="To" value=to error=err("to")
                    input_type="date" placeholder="YYYY-MM-DD" help="On or before this day (UTC)." />
            </div>
            <div class="form-actions">
                <a class="btn link" href="/audit">"Clear filters"</a>
                <button type="submit" class="btn primary">"Apply filters"</button>
            </div>
        </form>
    }
}

#[component]
fn AuditTable(rows: Vec<AuditView>) -> impl IntoView {
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Audit log">
            <thead>
                <tr>
                    <th>"When"</th>
                    <th>"Actor"</th>
                    <th class="col-optional">"Address"</th>
                    <th>"Action"</th>
                    <th>"Target"</th>
                    <th>"Detail"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| {
                        view! {
                            <tr>
                                <td class="nowrap">{format_epoch(r.at as f64 / 1000.0)}</td>
                                <td>{r.actor}</td>
                                <td class="col-optional mono">{r.ip}</td>
                                <td>{r.action}</td>
                                <td class="mono wrap-anywhere">
                                    {if r.target.starts_with("arn:") {
                                        view! { <ShortArn arn=r.target.clone() /> }.into_any()
                                    } else {
                                        r.target.clone().into_any()
                                    }}
                                </td>
                                <td><pre class="audit-detail clamp-3" title=r.detail.clone()>{r.detail.clone()}</pre></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
}
