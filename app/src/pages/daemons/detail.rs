//! The daemon page: status, revisions with counts, the active deployment with progress, every
//! instance, past deployments; Update and Delete. Refreshes itself while a deployment runs.

use crate::components::resource::Resource;
use crate::components::{FormAction, PostForm};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::tables::InstancesTable;
use crate::api::daemons::{get_daemon, DaemonDetail, DeleteDaemon, DeploymentView};
use crate::api::PortalError;
use crate::components::{
    poll::poll_while,
    time::{format_duration, format_opt_epoch},
    Alert, ErrorAlert, ExportForm, LoadError, ProgressBar, ShortArn, StatusBadge,
};
use crate::layout::{Crumb, PageHeader};
use crate::pages::env_scope::EnvScope;

#[component]
pub fn DaemonPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let params = use_params_map();
    let query = use_query_map();
    let (cluster, name) = {
        let p = params.read_untracked();
        (p.get("cluster").unwrap_or_default(), p.get("name").unwrap_or_default())
    };
    let page = query.read_untracked().get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1);
    let history_href = if scope.name.is_empty() {
        format!("/history?cluster={cluster}&daemon={name}")
    } else {
        format!("/history?environment={}&cluster={cluster}&daemon={name}", scope.name)
    };
    let live = view! { <DaemonLive cluster=cluster.clone() name=name.clone() page env=scope.arg() /> };
    view! {
        <PageHeader
            title=name.clone()
            crumbs=scope.crumbs(vec![
                Crumb::link("Daemons", scope.path(&format!("/daemons?cluster={cluster}"))),
                Crumb::here(name.clone()),
            ])
        >
            <form method="get" action=scope.path(&format!("/daemons/{cluster}/{name}/update"))>
                <button type="submit" class="btn primary">"Update"</button>
            </form>
            <DeleteButton cluster=cluster.clone() name=name.clone() env=scope.arg() />
            <a class="btn" href=history_href>"Rollout history"</a>
            <ExportForm
                id="daemon-export".to_string()
                environment=scope.arg()
                fields=vec![("cluster", cluster.clone()), ("daemon", name.clone())]
            />
        </PageHeader>
        {live}
    }
}

/// Everything on the page that changes during a rollout: an island that fetches the daemon
/// again, with back-off, while a deployment is active or a change request on the daemon has
/// not reached ECS yet, and shows the final state once it ends.
#[island(lazy)]
fn DaemonLive(cluster: String, name: String, page: u32, env: String) -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let scope = env.clone();
    let daemon = Resource::new_with_options(
        move || tick.get(),
        move |_| get_daemon(cluster.clone(), name.clone(), page, env.clone()),
        false,
    );
    // While something is changing, fetch again after a delay; stop when it settles. A fetch
    // that failed on the way (ECS throttled, a replica restarting) is tried again.
    poll_while(tick, move || {
        daemon.with(|d| {
            d.as_ref().map(|r| match r {
                Ok(d) => d.is_changing(),
                Err(e) => matches!(e, PortalError::Ecs { .. } | PortalError::Internal(_)),
            })
        })
    });
    view! {
        <Transition fallback=|| view! { <p class="empty-state">"Loading the daemon…"</p> }>
            {move || {
                daemon
                    .get()
                    .map(|r| match r {
                        Ok(d) => view! { <DaemonBody d=d scope=EnvScope::named(scope.clone()) /> }.into_any(),
                        Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// Delete, confirmed in a modal dialog that keeps the keyboard: opening it moves the focus to
/// Cancel, Tab and Shift+Tab cycle through its two buttons, Escape or Cancel close it and give
/// the focus back to Delete.
#[island(lazy)]
fn DeleteButton(cluster: String, name: String, env: String) -> impl IntoView {
    let action = FormAction::<DeleteDaemon>::new();
    let confirming = RwSignal::new(false);
    let opener = NodeRef::<leptos::html::Button>::new();
    let cancel = NodeRef::<leptos::html::Button>::new();
    let confirm = NodeRef::<leptos::html::Button>::new();
    // After the dialog's `hidden` is gone: a hidden button takes no focus.
    let focus_later = move |target: NodeRef<leptos::html::Button>| {
        request_animation_frame(move || {
            if let Some(b) = target.get_untracked() {
                let _ = b.focus();
            }
        })
    };
    let open = move |_| {
        confirming.set(true);
        focus_later(cancel);
    };
    let close = move || {
        confirming.set(false);
        focus_later(opener);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "Tab" => {
            // The last button wraps to the first and back.
            let (from, to) = if ev.shift_key() { (cancel, confirm) } else { (confirm, cancel) };
            let at_edge = from.get_untracked().is_some_and(|b| {
                let b: &leptos::wasm_bindgen::JsValue = b.as_ref();
                ev.target().is_some_and(|t| {
                    let t: &leptos::wasm_bindgen::JsValue = t.as_ref();
                    t == b
                })
            });
            if at_edge {
                ev.prevent_default();
                if let Some(b) = to.get_untracked() {
                    let _ = b.focus();
                }
            }
        }
        _ => {}
    };
    let n = name.clone();
    view! {
        <button type="button" class="btn danger" node_ref=opener on:click=open>
            "Delete"
        </button>
        <div
            class="confirm-overlay"
            role="dialog"
            aria-modal="true"
            aria-labelledby="delete-title"
            hidden=move || !confirming.get()
            on:keydown=on_keydown
        >
            <div class="panel confirm">
                <h2 id="delete-title">{format!("Delete daemon {n}?")}</h2>
                <p>
                    "ECS drains the daemon from every instance and then removes it. Application tasks keep running."
                </p>
                <ErrorAlert error=Signal::derive(move || action.value().get().and_then(|r| r.err())) />
                <PostForm action=action>
                    <input type="hidden" name="cluster" value=cluster.clone() />
                    <input type="hidden" name="name" value=name.clone() />
                    <input type="hidden" name="environment" value=env.clone() />
                    <div class="form-actions">
                        <button type="button" class="btn link" node_ref=cancel on:click=move |_| close()>"Cancel"</button>
                        <button type="submit" class="btn danger" node_ref=confirm>"Delete daemon"</button>
                    </div>
                </PostForm>
            </div>
        </div>
    }
}

#[component]
fn DaemonBody(d: DaemonDetail, scope: EnvScope) -> impl IntoView {
    let deployment = d.deployment.clone();
    let total_running: i32 = d.current_revisions.iter().map(|r| r.total_running).sum();
    let total_without: i32 = d.current_revisions.iter().map(|r| r.total_without_daemon).sum();
    view! {
        <div class="panel">
            <h2>"Overview"</h2>
            <dl class="kv">
                <div><dt>"Status"</dt><dd><StatusBadge status=d.status.clone() /></dd></div>
                <div><dt>"Cluster"</dt><dd><a href=scope.path(&format!("/clusters/{}", d.cluster))>{d.cluster.clone()}</a></dd></div>
                <div><dt>"Capacity providers"</dt><dd>{d.settings.capacity_providers.join(", ")}</dd></div>
                <div><dt>"Running"</dt><dd>{format!("{total_running} instances")}</dd></div>
                <div><dt>"Without daemon"</dt><dd>{format!("{total_without} instances")}</dd></div>
                <div><dt>"Critical"</dt><dd>{if d.settings.critical { "Yes" } else { "No" }}</dd></div>
                <div><dt>"ARN"</dt><dd><ShortArn arn=d.arn.clone() /></dd></div>
                <div><dt>"Created"</dt><dd>{format_opt_epoch(d.created_at)}</dd></div>
            </dl>
        </div>
        {d.request_in_flight.clone().map(|id| view! {
            <Alert kind="info">
                "A change to this daemon is on its way to ECS: "
                <a href=format!("/approvals/{id}")>"change request"</a>
                ". This page refreshes until its deployment shows."
            </Alert>
        })}
        {deployment.map(|dep| view! { <ActiveDeployment dep=dep /> })}
        <div class="panel">
            <h2>"Current revisions"</h2>
            {if d.current_revisions.is_empty() {
                view! { <p class="empty-state">"No revision runs yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                    <table class="data" aria-label="Current revisions">
                        <thead>
                            <tr>
                                <th>"Revision"</th>
                                <th>"Capacity provider"</th>
                                <th>"Running"</th>
                                <th>"Without daemon"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {d.current_revisions
                                .iter()
                                .flat_map(|r| {
                                    let def = r.definition.clone();
                                    let scope = scope.clone();
                                    r.providers.iter().map(move |p| {
                                        let (fam, rev) = def.rsplit_once(':').unwrap_or((&def, ""));
                                        let href = scope.path(&format!("/task-definitions/{fam}/{rev}"));
                                        view! {
                                            <tr>
                                                <td class="mono"><a href=href>{def.clone()}</a></td>
                                                <td>{p.name.clone()}</td>
                                                <td>{p.running}</td>
                                                <td>{p.without_daemon}</td>
                                            </tr>
                                        }
                                    })
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    </div>
                }
                    .into_any()
            }}
        </div>
        <div class="panel">
            <header>
                <h2>"Managed instances"</h2>
                <span class="help">
                    {format!("{} of {} instances run the daemon", d.instances_running, d.instances_total)}
                </span>
            </header>
            <InstancesTable instances=d.instances.clone() daemon=d.name.clone() />
            <InstancePager d=d.clone() scope=scope.clone() />
        </div>
        <div class="panel">
            <h2>"Deployments"</h2>
            <DeploymentsTable deployments=d.past_deployments.clone() />
        </div>
    }
}

/// Previous/next links when the instances do not fit on one page.
#[component]
fn InstancePager(d: DaemonDetail, scope: EnvScope) -> impl IntoView {
    let per = crate::api::daemons::INSTANCES_PER_PAGE;
    let pages = d.instances_total.div_ceil(per).max(1);
    let page = d.instances_page.max(1);
    let base = scope.path(&format!("/daemons/{}/{}", d.cluster, d.name));
    (pages > 1).then(|| {
        let first = (page - 1) * per + 1;
        let last = (page * per).min(d.instances_total);
        view! {
            <nav class="pagination" aria-label="Instance pages">
                <span>{format!("Instances {first}–{last} of {}", d.instances_total)}</span>
                {(page > 1).then(|| view! { <a class="btn" href=format!("{base}?page={}", page - 1)>"Previous page"</a> })}
                {(page < pages).then(|| view! { <a class="btn" href=format!("{base}?page={}", page + 1)>"Next page"</a> })}
            </nav>
        }
    })
}

#[component]
fn ActiveDeployment(dep: DeploymentView) -> impl IntoView {
    let title = if dep.is_active() { "Deployment in progress" } else { "Latest deployment" };
    let detail = format!("{} of {} instances on {}", dep.on_target, dep.total_instances, dep.target);
    let from = if dep.sources.is_empty() { "—".to_string() } else { dep.sources.join(", ") };
    let reason = dep.rollback_reason.clone().or(dep.status_reason.clone());
    let failed = matches!(
        dep.status.as_str(),
        "STOPPED" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED" | "ROLLBACK_IN_PROGRESS" | "STOP_REQUESTED"
    );
    let duration = match (dep.created_at, dep.finished_at) {
        (Some(a), Some(b)) => Some(format_duration(b - a)),
        _ => None,
    };
    view! {
        <div class="panel deployment" aria-live="polite">
            <header>
                <h2>{title}</h2>
                <StatusBadge status=dep.status.clone() />
            </header>
            <ProgressBar percent=dep.percent label="Deployment progress" detail=detail />
            {(failed && reason.is_some()).then(|| view! {
                <Alert kind="warning">
                    <strong>{format!("{}: ", dep.status.replace('_', " "))}</strong>
                    <span class="reason">{reason.clone()}</span>
                </Alert>
            })}
            <dl class="kv">
                <div><dt>"Deployment"</dt><dd><ShortArn arn=dep.arn.clone() /></dd></div>
                <div><dt>"From"</dt><dd class="mono">{from}</dd></div>
                <div><dt>"To"</dt><dd class="mono">{dep.target.clone()}</dd></div>
                <div><dt>"Draining"</dt><dd>{dep.draining}</dd></div>
                <div><dt>"Drain percentage"</dt><dd>{dep.drain_percent.map(|p| format!("{p}%")).unwrap_or_default()}</dd></div>
                <div><dt>"Bake time"</dt><dd>{dep.bake_time_minutes.map(|b| format!("{b} min")).unwrap_or_default()}</dd></div>
                <div><dt>"Circuit breaker"</dt><dd>{dep.circuit_breaker.map(|(f, t)| format!("{f} of {t} failures")).unwrap_or_default()}</dd></div>
                <div><dt>"Triggered alarms"</dt><dd>{if dep.triggered_alarms.is_empty() { "None".to_string() } else { dep.triggered_alarms.join(", ") }}</dd></div>
                <div><dt>"Started"</dt><dd>{format_opt_epoch(dep.created_at)}</dd></div>
                <div><dt>"Duration"</dt><dd>{duration.unwrap_or_else(|| "—".into())}</dd></div>
            </dl>
        </div>
    }
}

#[component]
fn DeploymentsTable(deployments: Vec<DeploymentView>) -> impl IntoView {
    if deployments.is_empty() {
        return view! { <p class="empty-state">"No earlier deployments."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Past deployments">
            <thead>
                <tr>
                    <th>"Deployment"</th>
                    <th>"Status"</th>
                    <th>"From"</th>
                    <th>"To"</th>
                    <th class="col-optional">"Started"</th>
                    <th>"Reason"</th>
                </tr>
            </thead>
            <tbody>
                {deployments
                    .into_iter()
                    .map(|d| {
                        let reason = d.rollback_reason.clone().or(d.status_reason.clone()).unwrap_or_default();
                        view! {
                            <tr>
                                <td><ShortArn arn=d.arn.clone() /></td>
                                <td><StatusBadge status=d.status.clone() /></td>
                                <td class="mono">{d.sources.join(", ")}</td>
                                <td class="mono">{d.target.clone()}</td>
                                <td class="col-optional">{format_opt_epoch(d.created_at)}</td>
                                <td class="reason">
                                    <span class="clamp-3" title=reason.clone()>{reason.clone()}</span>
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
