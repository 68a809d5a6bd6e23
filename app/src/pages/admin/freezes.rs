//! `/admin/freezes`: freeze windows, one-off or weekly, when approved requests wait.

use crate::components::{refresh_on_ok, reloading, FormAction, PostForm};
use leptos::prelude::*;

use super::{gate::AdminGate, TextAreaField};
use crate::api::admin::{admin_list_freezes, AdminDeleteFreeze, AdminSaveFreeze, FreezeView};
use crate::api::PortalError;
use crate::components::FieldMessages;
use crate::components::{time::format_epoch, ErrorAlert, LoadError, SelectField, TextField};
use crate::domain::policy::FreezeWindowForm;
use crate::domain::utc::WEEKDAY_NAMES;
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn FreezeWindowsPage() -> impl IntoView {
    view! {
        <AdminGate current="/admin/freezes">
            <PageHeader
                title="Freeze windows"
                crumbs=vec![Crumb::link("Administration", "/admin"), Crumb::here("Freeze windows")]
            />
            <Suspense fallback=|| view! { <p class="empty-state">"Loading freeze windows…"</p> }>
                {Suspend::new(async move {
                    let windows = admin_list_freezes().await;
                    view! { <FreezesBody windows /> }
                })}
            </Suspense>
        </AdminGate>
    }
}

/// The page body is one island: its forms post in place and refresh its tables.
#[island(lazy)]
fn FreezesBody(windows: Result<Vec<FreezeView>, PortalError>) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let windows = reloading(windows, refresh, admin_list_freezes);
    view! {
        <p class="page-intro">
            "During a freeze window approved requests wait instead of executing; an administrator may override with a written reason. Times are UTC."
        </p>
        <div class="panel">
            <h2>"Freeze windows"</h2>
            {move || match windows.get() {
                Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                Ok(list) => view! { <FreezesTable list refresh /> }.into_any(),
            }}
        </div>
        <FreezeEditor refresh />
    }
}

#[component]
fn FreezesTable(list: Vec<FreezeView>, refresh: RwSignal<u32>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty-state">"No freeze windows."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Freeze windows">
            <thead>
                <tr>
                    <th>"Environment"</th>
                    <th>"Cluster"</th>
                    <th>"Capacity provider"</th>
                    <th>"When"</th>
                    <th>"Reason"</th>
                    <th>"Now"</th>
                    <th>"Created"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|v| {
                        let delete = FormAction::<AdminDeleteFreeze>::new();
                        refresh_on_ok(delete, refresh);
                        let w = v.window;
                        let id = w.id.clone();
                        view! {
                            <tr data-freeze=w.id.clone()>
                                <td>{if w.environment == "*" { "* (every environment)".to_string() } else { w.environment.clone() }}</td>
                                <td>{if w.cluster == "*" { "* (every cluster)".to_string() } else { w.cluster.clone() }}</td>
                                <td>{if w.capacity_provider.is_empty() { "all".to_string() } else { w.capacity_provider.clone() }}</td>
                                <td>{v.description.clone()}</td>
                                <td class="reason">{w.reason.clone()}</td>
                                <td>
                                    <span class=if v.active_now { "badge warn" } else { "badge muted" }>
                                        {if v.active_now { "Frozen now" } else { "Not now" }}
                                    </span>
                                </td>
                                <td>{format!("{} by {}", format_epoch(v.created_at as f64 / 1000.0), v.created_by)}</td>
                                <td>
                                    <PostForm action=delete attr:class="inline-form">
                                        <input type="hidden" name="id" value=id />
                                        <button type="submit" class="btn danger">"Delete"</button>
                                    </PostForm>
                                    <ErrorAlert error=Signal::derive(move || delete.value().get().and_then(|r| r.err())) />
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

#[component]
fn FreezeEditor(refresh: RwSignal<u32>) -> impl IntoView {
    let action = FormAction::<AdminSaveFreeze>::new();
    refresh_on_ok(action, refresh);
    let initial = FreezeWindowForm::defaults();
    let kind = RwSignal::new(initial.kind.clone());
    let environment = RwSignal::new(initial.environment.clone());
    let cluster = RwSignal::new(initial.cluster.clone());
    let provider = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let days: [RwSignal<bool>; 7] = std::array::from_fn(|_| RwSignal::new(false));
    let start_time = RwSignal::new(String::new());
    let end_time = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let form = move || FreezeWindowForm {
        id: String::new(),
        kind: kind.get(),
        environment: environment.get(),
        cluster: cluster.get(),
        capacity_provider: provider.get(),
        starts_at: starts.get(),
        ends_at: ends.get(),
        weekdays: (0..7).filter(|d| days[*d].get()).map(|d| d.to_string()).collect(),
        start_time: start_time.get(),
        end_time: end_time.get(),
        reason: reason.get(),
    };
    let errors = FieldMessages::new(
        Memo::new(move |_| form().parse().err().unwrap_or_default()),
        Signal::derive(move || action.value().get().and_then(|r| r.err())),
    );
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            reason.set(String::new());
            errors.reset();
        }
    });
    // Without JavaScript both groups of fields show (the kind decides which counts); once
    // hydrated, only the chosen kind's.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let kinds = vec![
        ("once".to_string(), "One-off: from a date and time to another".to_string()),
        ("weekly".to_string(), "Weekly: on chosen weekdays between two times".to_string()),
    ];
    view! {
        <div class="panel">
            <h2>"Create freeze window"</h2>
            <ErrorAlert error=errors.top() />
            <PostForm action>
                <SelectField id="freeze-kind" name="form[kind]" label="Kind" value=kind options=kinds error=errors.field("kind") />
                <div class="row">
                    <TextField
                        id="freeze-environment"
                        name="form[environment]"
                        label="Environment"
                        value=environment
                        error=errors.field("environment")
                        help="An environment name, or * for every environment."
                    />
                    <TextField
                        id="freeze-cluster"
                        name="form[cluster]"
                        label="Cluster"
                        value=cluster
                        error=errors.field("cluster")
                        help="A cluster name, or * for every cluster."
                    />
                    <TextField
                        id="freeze-provider"
                        name="form[capacity_provider]"
                        label="Capacity provider"
                        value=provider
                        error=errors.field("capacity_provider")
                        help="Optional: only requests touching this capacity provider wait."
                    />
                </div>
                <fieldset hidden=move || hydrated.get() && kind.get() != "once">
                    <legend>"One-off"</legend>
                    <div class="row">
                        <TextField
                            id="freeze-starts"
                            name="form[starts_at]"
                            label="Starts at (UTC)"
                            input_type="datetime-local"
                            value=starts
                            error=errors.field("starts_at")
                            help="YYYY-MM-DD HH:MM"
                        />
                        <TextField
                            id="freeze-ends"
                            name="form[ends_at]"
                            label="Ends at (UTC)"
                            input_type="datetime-local"
                            value=ends
                            error=errors.field("ends_at")
                            help="After the start; the freeze ends at this minute."
                        />
                    </div>
                </fieldset>
                <fieldset hidden=move || hydrated.get() && kind.get() != "weekly">
                    <legend>"Weekly"</legend>
                    <div class="field">
                        <span class="label" id="freeze-days-label">"Weekdays"</span>
                        <div class="weekdays" role="group" aria-labelledby="freeze-days-label">
                            {(0..7)
                                .map(|d| {
                                    let id = format!("freeze-day-{d}");
                                    let checked = days[d];
                                    view! {
                                        <span class="field inline">
                                            <input
                                                type="checkbox"
                                                id=id.clone()
                                                name=format!("form[weekdays][{d}]")
                                                value=d.to_string()
                                                prop:checked=move || checked.get()
                                                on:change=move |ev| checked.set(event_target_checked(&ev))
                                            />
                                            <label for=id>{WEEKDAY_NAMES[d]}</label>
                                        </span>
                                    }
                                })
                                .collect_view()}
                        </div>
                        <div class="error" id="freeze-days-error" aria-live="polite">{errors.field("weekdays")}</div>
                    </div>
                    <div class="row">
                        <TextField
                            id="freeze-start-time"
                            name="form[start_time]"
                            label="From (UTC)"
                            input_type="time"
                            value=start_time
                            error=errors.field("start_time")
                            help="HH:MM"
                        />
                        <TextField
                            id="freeze-end-time"
                            name="form[end_time]"
                            label="Until (UTC)"
                            value=end_time
                            error=errors.field("end_time")
                            help="HH:MM; earlier than the start means the next day; 24:00 is midnight."
                        />
                    </div>
                </fieldset>
                <TextAreaField
                    id="freeze-reason"
                    name="form[reason]"
                    label="Reason"
                    value=reason
                    error=errors.field("reason")
                    help="Shown to people whose requests wait. Up to 500 characters."
                />
                <div class="form-actions">
                    <button type="submit" class="btn primary" on:click=errors.on_submit() disabled=move || action.pending().get()>
                        "Create freeze window"
                    </button>
                </div>
            </PostForm>
        </div>
    }
}
