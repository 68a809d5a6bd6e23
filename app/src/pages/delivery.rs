//! `/delivery`: the four DORA figures of the portal's change requests for a team, cluster and
//! period. A GET filter form (no island), the figures, and per figure a chart drawn on the
//! server as SVG (`services::delivery::charts`) with a table of the same numbers beneath it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::delivery::{get_delivery_metrics, DeliveryView};
use crate::components::{resource::Resource, time::format_duration, LoadError};
use crate::domain::delivery::{Bucket, BucketFigures, DeliveryMetrics, DeliveryQuery, DEFAULT_PERIOD};
use crate::domain::FieldErrors;
use crate::layout::{Crumb, PageHeader};

/// The definitions, as the page states them (the same as `domain::delivery`'s).
const CHANGE_HELP: &str = "A change is a deploy, update or rollback request that reached ECS (ECS accepted the call and started a deployment) and ended: succeeded, failed, rolled back or stopped. It counts in the day or week it ended. All times are the portal's own clock: when the request was made and when the portal saw it end.";
const FREQUENCY_HELP: &str = "Successful changes in the period, per day and per week.";
const LEAD_HELP: &str =
    "From the request's creation (approval waits included) to its success. Median, and 90th percentile by nearest rank.";
const FAILURE_HELP: &str = "Changes that failed, were rolled back or were stopped, over all changes that reached ECS. Requests ECS refused changed nothing and are not counted.";
const RESTORE_HELP: &str = "For each failed, rolled back or stopped change: the time from its end until the next successful change of the same daemon (same environment, cluster and daemon) ended. Median over the failures that were restored; the others are counted as not restored.";

#[component]
pub fn DeliveryPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = {
        let m = query_map.read_untracked();
        let get = |k: &str| m.get(k).unwrap_or_default();
        let period = get("period");
        DeliveryQuery {
            team: get("team"),
            cluster: get("cluster"),
            environment: Some(get("environment")).filter(|e| !e.trim().is_empty()),
            // Not a number: 0, which the check refuses with the field's message.
            period: if period.trim().is_empty() {
                DEFAULT_PERIOD
            } else {
                period.trim().parse().unwrap_or(0)
            },
        }
    };
    let errors = query.validate().err().unwrap_or_default();
    let data = Resource::new_with_options(
        {
            let query = query.clone();
            move || query.clone()
        },
        get_delivery_metrics,
        false,
    );
    view! {
        <PageHeader title="Delivery metrics" crumbs=vec![Crumb::link("History", "/history"), Crumb::here("Delivery metrics")] />
        <p class="page-intro">
            "How often and how safely changes reach the fleet: deployment frequency, lead time, change failure rate and time to restore, computed from the portal's change requests."
        </p>
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the delivery metrics…"</p> }>
            {move || {
                let (query, errors) = (query.clone(), errors.clone());
                data.get().map(move |r| match r {
                    Err(e) => {
                        view! {
                            <Filters query errors teams=vec![] clusters=vec![] />
                            <LoadError error=e />
                        }
                            .into_any()
                    }
                    Ok(v) => {
                        let (teams, clusters) = (v.teams.clone(), v.clusters.clone());
                        view! {
                            <Filters query errors teams clusters />
                            <Figures v />
                        }
                            .into_any()
                    }
                })
            }}
        </Suspense>
    }
}

/// `<option>`s: "All …" then `values`, the current one selected (kept even if not listed).
fn options(all: &'static str, values: Vec<String>, current: &str) -> AnyView {
    let mut values = values;
    if !current.is_empty() && !values.iter().any(|v| v == current) {
        values.insert(0, current.to_string());
    }
    let current = current.to_string();
    view! {
        <option value="" selected=current.is_empty()>{all}</option>
        {values
            .into_iter()
            .map(|v| {
                let selected = v == current;
                let text = v.clone();
                view! { <option value=v selected=selected>{text}</option> }
            })
            .collect_view()}
    }
    .into_any()
}

#[component]
fn Filters(
    query: DeliveryQuery,
    errors: FieldErrors,
    teams: Vec<String>,
    clusters: Vec<String>,
) -> impl IntoView {
    let period_error = errors
        .get("period")
        .map(|e| view! { <p class="error" id="delivery-period-error">{e.to_string()}</p> });
    let described = if period_error.is_some() {
        "delivery-period-help delivery-period-error"
    } else {
        "delivery-period-help"
    };
    let periods = [(7u32, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")]
        .into_iter()
        .map(|(days, label)| view! { <option value=days.to_string() selected=query.period == days>{label}</option> })
        .collect_view();
    view! {
        <form method="get" action="/delivery" class="panel filters" role="search" aria-label="Choose what to measure">
            {query.environment.clone().map(|e| view! { <input type="hidden" name="environment" value=e /> })}
            <div class="row">
                <div class="field">
                    <label for="delivery-team">"Team"</label>
                    <select id="delivery-team" name="team" aria-describedby="delivery-team-help">
                        {options("All teams", teams, query.team.trim())}
                    </select>
                    <p class="help" id="delivery-team-help">"The team that owns the changed daemons."</p>
                </div>
                <div class="field">
                    <label for="delivery-cluster">"Cluster"</label>
                    <select id="delivery-cluster" name="cluster" aria-describedby="delivery-cluster-help">
                        {options("All clusters", clusters, query.cluster.trim())}
                    </select>
                    <p class="help" id="delivery-cluster-help">"Where the changes were made."</p>
                </div>
                <div class="field">
                    <label for="delivery-period">"Period"</label>
                    <select id="delivery-period" name="period" aria-describedby=described
                        aria-invalid=errors.get("period").map(|_| "true")>
                        {periods}
                    </select>
                    <p class="help" id="delivery-period-help">"Whole days (UTC) up to now; 90 days are shown by week."</p>
                    {period_error}
                </div>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn primary">"Apply"</button>
            </div>
        </form>
    }
}

fn duration(ms: Option<i64>) -> String {
    ms.map(|ms| format_duration(ms as f64 / 1000.0)).unwrap_or_else(|| "—".into())
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "—".into())
}

#[component]
fn Figures(v: DeliveryView) -> impl IntoView {
    let m = v.metrics;
    let per = match m.bucket {
        Bucket::Day => "day",
        Bucket::Week => "week",
    };
    let frequency = match m.bucket {
        Bucket::Day => format!("{:.1} per day", m.deployments_per_day),
        Bucket::Week => format!("{:.1} per week", m.deployments_per_week),
    };
    let summary = view! {
        <section class="count-grid delivery-figures" aria-label="The four figures">
            <div class="count-card" id="figure-frequency">
                <span class="count">{frequency}</span>
                <span class="count-label">{format!("Deployment frequency ({} successful)", m.deployments)}</span>
            </div>
            <div class="count-card" id="figure-lead-time">
                <span class="count">{duration(m.lead_time_median_ms)}</span>
                <span class="count-label">{format!("Median lead time (90th percentile {})", duration(m.lead_time_p90_ms))}</span>
            </div>
            <div class="count-card" id="figure-failure-rate">
                <span class="count">{percent(m.change_failure_rate)}</span>
                <span class="count-label">{format!("Change failure rate ({} of {} changes)", m.failures, m.changes)}</span>
            </div>
            <div class="count-card" id="figure-restore">
                <span class="count">{duration(m.time_to_restore_median_ms)}</span>
                <span class="count-label">{format!("Median time to restore ({} restored, {} not restored)", m.restored, m.not_restored)}</span>
            </div>
        </section>
        <p class="help">
            {CHANGE_HELP}
            {(m.refused_by_ecs > 0).then(|| format!(" {} requests refused by ECS are not counted.", m.refused_by_ecs))}
        </p>
    }
    .into_any();
    let head = match m.bucket {
        Bucket::Day => "Day (UTC)",
        Bucket::Week => "Week from (UTC)",
    };
    view! {
        {summary}
        <Figure id="frequency" title=format!("Deployment frequency: successful changes per {per}") help=FREQUENCY_HELP
            svg=v.charts.deployments head columns=vec!["Successful changes"]
            rows=series(&m, |b| vec![b.deployments.to_string()]) />
        <Figure id="lead-time" title=format!("Lead time: median per {per}") help=LEAD_HELP svg=v.charts.lead_time head
            columns=vec!["Successful changes", "Median lead time"]
            rows=series(&m, |b| vec![b.deployments.to_string(), duration(b.lead_time_median_ms)]) />
        <Figure id="failure-rate" title=format!("Change failure rate per {per}") help=FAILURE_HELP
            svg=v.charts.failure_rate head columns=vec!["Changes", "Failed", "Failure rate"]
            rows=series(&m, |b| vec![b.changes.to_string(), b.failures.to_string(), percent(b.failure_rate)]) />
        <Figure id="restore" title=format!("Time to restore: median per {per}") help=RESTORE_HELP svg=v.charts.restore head
            columns=vec!["Failed", "Median time to restore"]
            rows=series(&m, |b| vec![b.failures.to_string(), duration(b.restore_median_ms)]) />
    }
}

/// One table row per bucket: its label and `cells`.
fn series(m: &DeliveryMetrics, cells: impl Fn(&BucketFigures) -> Vec<String>) -> Vec<(String, Vec<String>)> {
    m.series.iter().map(|b| (b.label.clone(), cells(b))).collect()
}

/// A figure's section: heading, help, the chart and the table with its numbers.
#[component]
fn Figure(
    id: &'static str,
    title: String,
    help: &'static str,
    svg: String,
    head: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<(String, Vec<String>)>,
) -> impl IntoView {
    let heading = format!("delivery-{id}-title");
    let labelled_by = heading.clone();
    view! {
        <section class="panel delivery-figure" id=format!("delivery-{id}") aria-labelledby=labelled_by>
            <h2 id=heading>{title.clone()}</h2>
            <p class="help">{help}</p>
            <div class="chart" inner_html=svg></div>
            <div class="table-scroll">
                <table class="data">
                    <caption>{format!("{title}: the numbers of the chart")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{head}</th>
                            {columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|(label, cells)| {
                                view! {
                                    <tr>
                                        <th scope="row">{label}</th>
                                        {cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
