//! `/`: the dashboard. What needs the user's attention, as counts that link to where it is
//! dealt with, the families of the fleet that need attention in any environment (the fleet
//! view, filtered), the rollouts running now with their progress, and the newest rollouts.
//! Rendered on the server; while rollouts run, the page follows them (`components::Follow`).

use leptos::prelude::*;

use crate::api::dashboard::{get_dashboard, Dashboard, MissingDaemon, RolloutInProgress, RECENT_DAYS};
use crate::api::fleet::{get_fleet, FleetQuery};
use crate::components::{resource::Resource, Follow, LoadError, ProgressBar};
use crate::layout::PageHeader;
use crate::pages::history::table::RolloutTable;

/// Seconds between updates while a rollout runs.
const FOLLOW_SECS: u32 = 10;

#[component]
pub fn HomePage() -> impl IntoView {
    let dashboard = Resource::new_with_options(|| (), |_| get_dashboard(), false);
    let attention = || FleetQuery { attention: "on".into(), ..Default::default() };
    let fleet = Resource::new_with_options(attention, get_fleet, false);
    view! {
        <PageHeader title="Dashboard" />
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the dashboard…"</p> }>
            {move || {
                dashboard
                    .get()
                    .map(|r| match r {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(d) => view! { <DashboardView d=d /> }.into_any(),
                    })
            }}
        </Suspense>
        <section class="panel" aria-labelledby="fleet-title">
            <header>
                <h2 id="fleet-title">"Fleet: families that need attention"</h2>
                <a href="/fleet">"Whole fleet"</a>
            </header>
            <p class="help">
                "In any environment: instances without the daemon, a deployment in progress or failed, or an environment behind the others."
            </p>
            <Suspense fallback=|| view! { <p class="empty-state">"Loading the fleet…"</p> }>
                {move || {
                    fleet.get().map(|r| match r {
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                        Ok(v) if v.rows.is_empty() => view! {
                            <p class="empty-state">
                                {format!("Nothing needs attention in the {} environments' inventories.", v.columns.len())}
                            </p>
                        }
                        .into_any(),
                        Ok(v) => view! { <crate::pages::fleet::FleetTable v query=attention() follow=false /> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn DashboardView(d: Dashboard) -> impl IntoView {
    let running = d.rollouts_in_progress.len() as u32;
    let days = format!("last {RECENT_DAYS} days");
    let without = d.instances_without_daemon();
    view! {
        <section class="count-grid" aria-label="What needs attention">
            <Count name="waiting-for-me" n=d.waiting_for_me label="Waiting for my approval" href="/approvals?inbox=waiting" />
            <Count name="my-open-requests" n=d.my_open_requests label="My open requests" href="/approvals?inbox=mine" />
            <Count name="rollouts-in-progress" n=running label="Rollouts in progress" href="#in-progress" />
            <Count
                name="failures"
                n=d.failures_recently
                label=format!("Failures and rollbacks, {days}")
                href="/history"
                alert=true
            />
            <Count name="drift" n=d.drift_recently label=format!("Changes outside the portal, {days}") href="/history" alert=true />
            <Count
                name="without-daemon"
                n=without
                label="Instances without a daemon they should run"
                href="#missing-daemons"
                alert=true
            />
        </section>
        <section class="panel" id="in-progress" aria-labelledby="in-progress-title">
            <h2 id="in-progress-title">"Rollouts in progress"</h2>
            {if d.rollouts_in_progress.is_empty() {
                view! { <p class="empty-state">"No rollout is running."</p> }.into_any()
            } else {
                view! {
                    <Follow secs=FOLLOW_SECS text=format!("This page updates every {FOLLOW_SECS} s while a rollout runs.") />
                    <ul class="running-list">
                        {d.rollouts_in_progress.into_iter().map(|r| view! { <Running r=r /> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" id="missing-daemons" aria-labelledby="missing-title">
            <h2 id="missing-title">"Instances without a daemon they should run"</h2>
            <MissingDaemons missing=d.missing_daemons />
        </section>
        <section class="panel" aria-labelledby="newest-title">
            <header>
                <h2 id="newest-title">"Newest rollouts"</h2>
                <a href="/history">"All history"</a>
            </header>
            {if d.newest_rollouts.is_empty() {
                view! { <p class="empty-state">"Nothing has been rolled out yet."</p> }.into_any()
            } else {
                view! { <RolloutTable rows=d.newest_rollouts /> }.into_any()
            }}
        </section>
    }
}

/// One figure with what it counts, as a link to where it is dealt with. `alert`: a non-zero
/// figure is a problem (shown in the warning colour).
#[component]
fn Count(
    name: &'static str,
    n: u32,
    #[prop(into)] label: String,
    href: &'static str,
    #[prop(optional)] alert: bool,
) -> impl IntoView {
    let class = if alert && n > 0 { "count-card alert" } else { "count-card" };
    view! {
        <a class=class href=href data-count=name>
            <span class="count">{n}</span>
            <span class="count-label">{label}</span>
        </a>
    }
}

#[component]
fn Running(r: RolloutInProgress) -> impl IntoView {
    let v = r.rollout;
    let name = format!("{}/{}", v.cluster, v.daemon);
    let href = format!("/daemons/{name}");
    let target = if v.to_revision.is_empty() { "—".to_string() } else { v.to_revision.clone() };
    view! {
        <li>
            <a href=href>{name.clone()}</a>
            <span class="help">{format!(" → {target} · {}", v.status.replace('_', " "))}</span>
            {match r.percent {
                Some(p) => {
                    view! {
                        <ProgressBar
                            percent=p
                            label=format!("Rollout of {name}")
                            detail=format!("of instances on {target}")
                        />
                    }
                        .into_any()
                }
                None => view! { <p class="help">"Made outside the portal: progress not followed here."</p> }.into_any(),
            }}
        </li>
    }
}

#[component]
fn MissingDaemons(missing: Result<Vec<MissingDaemon>, String>) -> impl IntoView {
    match missing {
        Err(e) => {
            view! { <p class="alert error" role="alert">{format!("ECS did not answer: {e}")}</p> }.into_any()
        }
        Ok(m) if m.is_empty() => {
            view! { <p class="empty-state">"Every instance runs the daemons of its capacity providers."</p> }
                .into_any()
        }
        Ok(m) => view! {
            <table class="data" aria-label="Daemons missing from instances">
                <thead>
                    <tr>
                        <th>"Daemon"</th>
                        <th>"Instances without it"</th>
                    </tr>
                </thead>
                <tbody>
                    {m
                        .into_iter()
                        .map(|d| {
                            let name = format!("{}/{}", d.cluster, d.daemon);
                            view! {
                                <tr>
                                    <td><a href=format!("/daemons/{name}")>{name.clone()}</a></td>
                                    <td>{d.instances}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    }
}
