//! `/fleet`: which revision of each daemon task definition family runs where. Rows are
//! families, columns are environments grouped by account or by region; each cell lists the
//! daemons running the family there with revision, image tag, instances and deployment. Made on
//! the server from each environment's stored inventory (no ECS call while rendering); each
//! column says how old its data is and has a Refresh button. Filters are a plain GET form.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::fleet::{get_fleet, FleetColumn, FleetQuery, FleetView, FLEET_PAGE_SIZE};
use crate::components::{resource::Resource, time::format_duration, Follow, LoadError};
use crate::layout::PageHeader;

/// Seconds between updates while a deployment runs somewhere.
const FOLLOW_SECS: u32 = 10;

#[component]
pub fn FleetPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        FleetQuery { q: get("q"), group: get("group"), attention: get("attention"), page: get("page") }
    });
    let fleet = Resource::new_with_options(move || query.get(), get_fleet, false);
    view! {
        <PageHeader title="Fleet" />
        <p class="page-intro">
            "Which revision of each daemon task definition family runs in each environment, read from each environment's inventory. A cell lists the daemons running the family there: revision, image tag, instances running it and without it, and the latest deployment."
        </p>
        <Filters query=query.get_untracked() />
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the fleet…"</p> }>
            {move || {
                fleet
                    .get()
                    .map(|r| match r {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(v) => view! { <FleetTable v query=query.get_untracked() follow=true /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Filters(query: FleetQuery) -> impl IntoView {
    let by_region = query.group == "region";
    view! {
        <form method="get" action="/fleet" class="panel filters" role="search" aria-label="Filter the fleet">
            <div class="row">
                <div class="field">
                    <label for="fleet-q">"Search families"</label>
                    <input id="fleet-q" name="q" type="search" value=query.q aria-describedby="fleet-q-help" />
                    <p class="help" id="fleet-q-help">"Part of a family name, e.g. cloudwatch."</p>
                </div>
                <div class="field">
                    <label for="fleet-group">"Group columns by"</label>
                    <select id="fleet-group" name="group">
                        <option value="account" selected=!by_region>"Account"</option>
                        <option value="region" selected=by_region>"Region"</option>
                    </select>
                </div>
                <div class="field checkbox">
                    <input id="fleet-attention" name="attention" type="checkbox" value="on" checked=query.attention == "on" />
                    <label for="fleet-attention">"Only families that need attention"</label>
                </div>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn">"Apply"</button>
            </div>
        </form>
    }
}

/// The fleet table with its summary and pager; `follow`: update the page every
/// [`FOLLOW_SECS`] while a deployment runs (the home page, which embeds it, follows by itself).
#[component]
pub(crate) fn FleetTable(v: FleetView, query: FleetQuery, follow: bool) -> impl IntoView {
    let now = v.now;
    // Type-erased parts: the page is one deep view type otherwise (rustc's recursion limit in
    // the hydrate build).
    let header =
        v.columns.iter().map(|c| view! { <ColumnHeader c=c.clone() now /> }).collect_view().into_any();
    let groups = v
        .groups
        .iter()
        .map(|(g, n)| view! { <th scope="colgroup" colspan=n.to_string()>{g.clone()}</th> })
        .collect_view()
        .into_any();
    let first = (v.page - 1) * FLEET_PAGE_SIZE + 1;
    let summary = if v.matching == 0 {
        format!("0 of {} families", v.families)
    } else {
        format!("Families {first}–{} of {} ({} in all)", first + v.rows.len() - 1, v.matching, v.families)
    };
    let pager = (v.pages > 1).then(|| {
        let prev = (v.page > 1).then(|| view! { <a class="btn" rel="prev" href=query.href_for_page(v.page - 1)>"Previous page"</a> });
        let next = (v.page < v.pages).then(|| view! { <a class="btn" rel="next" href=query.href_for_page(v.page + 1)>"Next page"</a> });
        view! { <nav class="pager" aria-label="Pages of families">{prev} {format!(" Page {} of {} ", v.page, v.pages)} {next}</nav> }
    });
    let body = if v.rows.is_empty() {
        let cols = (v.columns.len() + 1).to_string();
        view! {
            <tbody><tr><td colspan=cols class="empty-state">
                {if v.families == 0 { "No daemon runs in any environment yet, or no inventory was read yet." } else { "No family matches the filters." }}
            </td></tr></tbody>
        }
        .into_any()
    } else {
        let environments: Vec<String> = v.columns.iter().map(|c| c.environment.clone()).collect();
        view! { <tbody inner_html=super::fleet_cells::rows_html(&v.rows, &environments)></tbody> }.into_any()
    };
    view! {
        <div class="panel">
            <p class="help">{summary}</p>
            {(follow && v.in_progress).then(|| view! {
                <Follow secs=FOLLOW_SECS text=format!("A deployment is in progress: this page updates every {FOLLOW_SECS} s.") />
            })}
            <div class="table-scroll">
                <table class="data fleet" aria-label="Fleet">
                    <thead>
                        <tr><td></td>{groups}</tr>
                        <tr><th scope="col">"Family"</th>{header}</tr>
                    </thead>
                    {body}
                </table>
            </div>
            {pager}
        </div>
    }
    .into_any()
}

#[component]
fn ColumnHeader(c: FleetColumn, now: i64) -> impl IntoView {
    let age = match c.refreshed_at {
        Some(at) => format!("read {} ago", format_duration(((now - at).max(0) as f64) / 1000.0)),
        None => "not read yet".to_string(),
    };
    let name = c.environment.clone();
    view! {
        <th scope="col" data-environment=c.environment.clone()>
            <div>{c.environment.clone()}</div>
            <div class="help">{c.region.clone()}</div>
            <div class="help age">{age}</div>
            {c.error.map(|e| view! { <div class="error" role="status">{e}</div> })}
            <form method="post" action="/api/refresh-fleet-environment" class="inline-form">
                <input type="hidden" name="name" value=name.clone() />
                <button type="submit" class="btn small" aria-label=format!("Refresh {name}")>"Refresh"</button>
            </form>
        </th>
    }
    .into_any()
}
