//! `/admin/windows`: delivery windows, recurring allow and deny periods (RRULE in a time zone)
//! for promotions' stages. A plain server-rendered page: its forms post without wasm.

use leptos::prelude::*;

use super::gate::AdminGate;
use crate::api::windows::{admin_list_windows, AdminDeleteWindow, AdminSaveWindow, WindowRow};
use crate::api::PortalError;
use crate::components::{resource::Resource, time::format_epoch, ErrorAlert, LoadError};
use crate::domain::delivery_window::DeliveryWindowForm;
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn DeliveryWindowsPage() -> impl IntoView {
    let rows = Resource::new_with_options(|| (), |_| admin_list_windows(), false);
    view! {
        <AdminGate current="/admin/windows">
            <PageHeader
                title="Delivery windows"
                crumbs=vec![Crumb::link("Administration", "/admin"), Crumb::here("Delivery windows")]
            />
            <p class="page-intro">
                "When a promotion's stages may start. Deny wins; where allow windows apply, a stage starts only inside one, and waits for the next one otherwise (its page says until when). Freeze windows count as deny windows. See them on the "
                <a href="/calendar">"calendar"</a>"."
            </p>
            <Suspense fallback=|| view! { <p class="empty-state">"Loading delivery windows…"</p> }>
                {move || rows.get().map(|r| match r {
                    Err(e) => view! { <LoadError error=e /> }.into_any(),
                    Ok(list) => view! { <WindowsTable list /> }.into_any(),
                })}
            </Suspense>
            <WindowEditor />
        </AdminGate>
    }
}

#[component]
fn WindowsTable(list: Vec<WindowRow>) -> impl IntoView {
    if list.is_empty() {
        return view! { <section class="panel"><p class="empty-state">"No delivery windows: stages start whenever their gates hold."</p></section> }.into_any();
    }
    let delete = ServerAction::<AdminDeleteWindow>::new();
    let error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel" aria-labelledby="windows-title">
            <h2 id="windows-title">"Delivery windows"</h2>
            <ErrorAlert error=error />
            <div class="table-scroll">
                <table class="data" aria-label="Delivery windows">
                    <thead><tr>
                        <th>"Effect"</th><th>"Environment"</th><th>"Cluster"</th><th>"Capacity provider"</th>
                        <th>"Recurrence"</th><th>"Next"</th><th>"Reason"</th><th>"Actions"</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|r| {
                            let w = r.window;
                            let tone = if w.effect == crate::domain::delivery_window::Effect::Allow { "ok" } else { "err" };
                            let next = r.next.map(|(s, e)| format!("{} – {}", format_epoch(s as f64 / 1000.0), format_epoch(e as f64 / 1000.0))).unwrap_or_else(|| "none within a year".into());
                            view! {
                                <tr>
                                    <td><span class=format!("badge {tone}")>{w.effect.label()}</span></td>
                                    <td>{w.environment.clone()}</td>
                                    <td>{w.cluster.clone()}</td>
                                    <td>{if w.capacity_provider.is_empty() { "all".to_string() } else { w.capacity_provider.clone() }}</td>
                                    <td class="mono wrap-anywhere">{format!("{} from {} ({}), {} min", w.rule, w.starts, w.time_zone, w.duration_minutes)}</td>
                                    <td>{next}</td>
                                    <td>{w.reason.clone()}</td>
                                    <td>
                                        <ActionForm action=delete>
                                            <input type="hidden" name="id" value=w.id.clone() />
                                            <button type="submit" class="btn link" aria-label=format!("Delete window {} ({})", w.describe(), w.reason)>"Delete"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

fn text_field(
    f: &'static str,
    label: &'static str,
    help: &'static str,
    value: String,
    error: impl Fn(&str) -> Option<String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = format!("window-{f}");
    let (help_id, error_id) = (format!("{id}-help"), format!("{id}-error"));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <p class="help" id=help_id.clone()>{help}</p>
            <input id=id name=format!("form[{f}]") type="text" value=value aria-describedby=format!("{help_id} {error_id}")
                aria-invalid=move || if error(f).is_some() { "true" } else { "false" } />
            <div class="error" id=error_id aria-live="polite">{move || error(f)}</div>
        </div>
    }
}

/// A plain form (no wasm): a refusal comes back with each message next to its field, and
/// `layout/keep_input.js` puts back what was typed.
#[component]
fn WindowEditor() -> impl IntoView {
    let save = ServerAction::<AdminSaveWindow>::new();
    let error = move |field: &str| match save.value().get() {
        Some(Err(PortalError::Invalid(e))) => e.get(field).map(str::to_string),
        _ => None,
    };
    let other = Signal::derive(move || match save.value().get() {
        Some(Err(PortalError::Invalid(_))) => None,
        Some(Err(e)) => Some(e),
        _ => None,
    });
    let d = DeliveryWindowForm::defaults();
    view! {
        <section class="panel" aria-labelledby="window-editor-title">
            <h2 id="window-editor-title">"Add a delivery window"</h2>
            <ErrorAlert error=other />
            <ActionForm action=save attr:data-keep-input="">
                <div class="field">
                    <label for="window-effect">"Effect"</label>
                    <p class="help" id="window-effect-help">"Allow: stages start only inside such windows. Deny: never inside."</p>
                    <select id="window-effect" name="form[effect]" aria-describedby="window-effect-help">
                        <option value="allow" selected=true>"Allow"</option>
                        <option value="deny">"Deny"</option>
                    </select>
                </div>
                <div class="field-grid">
                    {text_field("environment", "Environment", "An environment's name, or * for every environment.", d.environment.clone(), error)}
                    {text_field("cluster", "Cluster", "A cluster's name, or * for every cluster.", d.cluster.clone(), error)}
                    {text_field("capacity_provider", "Capacity provider", "Blank for every capacity provider.", String::new(), error)}
                    {text_field("rule", "Recurrence (RRULE)", "RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH (times come from the first start).", d.rule.clone(), error)}
                    {text_field("time_zone", "Time zone", "An IANA name: UTC, Europe/Berlin, America/New_York.", d.time_zone.clone(), error)}
                    {text_field("starts", "First start", "Local date and time of the first occurrence, YYYY-MM-DDTHH:MM.", d.starts.clone(), error)}
                    {text_field("duration_minutes", "Duration (minutes)", "How long each occurrence lasts, 1 to 10080.", d.duration_minutes.clone(), error)}
                    {text_field("reason", "Reason", "Shown on the promotion page while a stage waits.", String::new(), error)}
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn primary" disabled=move || save.pending().get()>"Add window"</button>
                </div>
            </ActionForm>
        </section>
    }
}
