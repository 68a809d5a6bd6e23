//! `/task-definitions/:family/:revision`: one revision, the daemons using it, its actions and
//! a diff against another revision.

use crate::components::resource::Resource;
use leptos::prelude::*;
use leptos_router::{
    components::Form,
    hooks::{use_params_map, use_query_map},
};

use super::{diff::JsonDiff, list::encode, revision_href};
use crate::api::task_definitions::{
    get_task_definition, get_task_definition_spec, DeleteTaskDefinition, TaskDefinitionDetail,
};
use crate::components::{ErrorAlert, ExportForm, LoadError, StatusBadge};
use crate::domain::sizes::{format_gb, format_vcpu};
use crate::layout::{Crumb, PageHeader};
use crate::pages::env_scope::EnvScope;

#[component]
pub fn RevisionPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let params = use_params_map();
    let query = use_query_map();
    let family = move || params.read().get("family").unwrap_or_default();
    let revision = move || params.read().get("revision").and_then(|r| r.parse::<u32>().ok()).unwrap_or(0);
    let env = scope.arg();
    let detail = Resource::new_with_options(
        move || (family(), revision(), env.clone()),
        |(f, r, e)| get_task_definition(f, r, e),
        false,
    );
    let delete = ServerAction::<DeleteTaskDefinition>::new();

    view! {
        <Transition fallback=|| view! { <p class="empty-state">"Loading the revision…"</p> }>
            {move || {
                let scope = scope.clone();
                Suspend::new(async move {
                match detail.await {
                    Err(e) => {
                        let title = format!("{}:{}", family(), revision());
                        let crumbs = scope.crumbs(vec![Crumb::link("Daemon task definitions", scope.path("/task-definitions"))]);
                        view! {
                            <PageHeader title crumbs />
                            <ErrorAlert error=Signal::derive(move || Some(e.clone())) />
                        }
                            .into_any()
                    }
                    Ok(d) => view! { <RevisionView d query delete scope /> }.into_any(),
                }
            })}}
        </Transition>
    }
}

#[component]
fn RevisionView(
    d: TaskDefinitionDetail,
    query: Memo<leptos_router::params::ParamsMap>,
    delete: ServerAction<DeleteTaskDefinition>,
    scope: EnvScope,
) -> impl IntoView {
    let r = d.record.clone();
    let name = format!("{}:{}", r.family, r.revision);
    let active = r.status == "ACTIVE";
    let deployed = if d.usage_error.is_some() {
        "Unknown"
    } else if d.daemons.is_empty() {
        "Not deployed"
    } else {
        "Deployed"
    };
    let confirming = RwSignal::new(query.with_untracked(|q| q.get("delete").is_some()));
    let deploy_href =
        scope.path(&format!("/daemons/new?family={}&revision={}", encode(&r.family), r.revision));
    let new_revision_href = format!("{}/new-revision", revision_href(&scope, &r.family, r.revision));
    let copy_href = format!(
        "/fleet/copy?family={}&revision={}&from={}",
        encode(&r.family),
        r.revision,
        encode(&scope.arg())
    );
    let env_arg = scope.arg();
    let cancel_href = revision_href(&scope, &r.family, r.revision);
    let spec = r.spec.clone();
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".to_string());

    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    let confirm_name = name.clone();
    let daemon_count = d.daemons.len();
    let (confirm_family, confirm_revision) = (r.family.clone(), r.revision);
    let confirm = move || {
        let env_arg = env_arg.clone();
        let cancel_href = cancel_href.clone();
        let confirm_name = confirm_name.clone();
        let family = confirm_family.clone();
        confirming.get().then(move || {
            let keep = if daemon_count == 0 {
                "No daemon uses it now.".to_string()
            } else {
                format!(
                    "{daemon_count} daemon{} use it and keep running it until you update them.",
                    if daemon_count == 1 { "" } else { "s" }
                )
            };
            view! {
                <section class="alert warning td-confirm" role="alertdialog" aria-labelledby="td-confirm-title">
                    <h2 id="td-confirm-title">{format!("Delete revision {confirm_name}?")}</h2>
                    <p>
                        {format!(
                            "Deleting {confirm_name} stops new deployments from using it. Daemons already running it keep running. {keep}",
                        )}
                    </p>
                    <ErrorAlert error=delete_error />
                    <ActionForm action=delete>
                        <input type="hidden" name="family" value=family.clone() />
                        <input type="hidden" name="revision" value=confirm_revision.to_string() />
                        <input type="hidden" name="environment" value=env_arg.clone() />
                        <div class="form-actions">
                            <a
                                class="btn link"
                                href=cancel_href.clone()
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    confirming.set(false);
                                }
                            >
                                "Cancel"
                            </a>
                            <button type="submit" class="btn danger" disabled=move || delete.pending().get()>
                                {format!("Delete {confirm_name}")}
                            </button>
                        </div>
                    </ActionForm>
                </section>
            }
        })
    };

    let export_env = scope.arg();
    let export_fields = vec![("family", r.family.clone()), ("revision", r.revision.to_string())];
    let other_revisions: Vec<u32> =
        d.revisions.iter().map(|x| x.revision).filter(|x| *x != r.revision).collect();
    let default_compare = other_revisions.iter().copied().filter(|x| *x < r.revision).max();

    view! {
        <PageHeader
            title=name.clone()
            crumbs=scope.crumbs(vec![Crumb::link("Daemon task definitions", scope.path("/task-definitions"))])
        >
            {active.then(|| view! {
                <a class="btn primary" href=deploy_href.clone()>"Deploy"</a>
            })}
            <a class="btn" href=new_revision_href.clone()>"Create new revision"</a>
            <a class="btn" href=copy_href.clone()>"Copy to environment"</a>
            <ExportForm id="revision-export".to_string() environment=export_env fields=export_fields />
            {active.then(|| view! {
                <form method="get" class="inline-form">
                    <input type="hidden" name="delete" value="1" />
                    <button
                        type="submit"
                        class="btn danger"
                        aria-expanded=move || if confirming.get() { "true" } else { "false" }
                        on:click=move |ev| {
                            ev.prevent_default();
                            confirming.set(true);
                        }
                    >
                        "Delete revision"
                    </button>
                </form>
            })}
        </PageHeader>
        {confirm}
        <section class="panel" aria-labelledby="td-overview">
            <h2 id="td-overview">"Overview"</h2>
            <dl class="kv">
                <div><dt>"ARN"</dt><dd class="td-arn">{r.arn.clone()}</dd></div>
                <div><dt>"Status"</dt><dd><StatusBadge status=r.status.clone() /></dd></div>
                <div><dt>"Deployment"</dt><dd><StatusBadge status=deployed /></dd></div>
                <div><dt>"Registered"</dt><dd>{opt(r.registered_at.clone())}</dd></div>
                <div><dt>"Task role"</dt><dd>{opt(spec.task_role_arn.clone())}</dd></div>
                <div><dt>"Task execution role"</dt><dd>{opt(spec.execution_role_arn.clone())}</dd></div>
                <div><dt>"Task CPU"</dt><dd>{opt(spec.cpu.map(|c| format!("{} vCPU", format_vcpu(c))))}</dd></div>
                <div><dt>"Task memory"</dt><dd>{opt(spec.memory.map(|m| format!("{} GB", format_gb(m))))}</dd></div>
            </dl>
            {d.usage_error.clone().map(|e| view! {
                <p class="help">{format!("Could not list the daemons: {e}")}</p>
            })}
        </section>
        <section class="panel" aria-labelledby="td-containers">
            <h2 id="td-containers">"Containers"</h2>
            <div class="table-scroll">
            <table class="data" aria-labelledby="td-containers">
                <thead>
                    <tr>
                        <th scope="col">"Container name"</th>
                        <th scope="col">"Image"</th>
                        <th scope="col">"Essential"</th>
                        <th scope="col">"CPU"</th>
                        <th scope="col">"Memory"</th>
                        <th scope="col">"Environment variables"</th>
                        <th scope="col">"Logging"</th>
                    </tr>
                </thead>
                <tbody>
                    {spec
                        .containers
                        .iter()
                        .map(|c| {
                            let logs = match &c.logs {
                                Some(l) => format!("CloudWatch Logs: {} ({}, prefix {})", l.group, l.region, l.stream_prefix),
                                None => "None".to_string(),
                            };
                            view! {
                                <tr>
                                    <td>{c.name.clone()}</td>
                                    <td class="mono">{c.image.clone()}</td>
                                    <td>{if c.essential { "Yes" } else { "No" }}</td>
                                    <td>{format!("{} vCPU", format_vcpu(c.cpu))}</td>
                                    <td>{format!("{} GB", format_gb(c.memory))}</td>
                                    <td>
                                        {if c.environment.is_empty() {
                                            view! { <span>"None"</span> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="td-env-list">
                                                    {c.environment
                                                        .iter()
                                                        .map(|(k, v)| view! {
                                                            <li><code>{k.clone()}</code>" = "<span class="td-env-value">{v.clone()}</span></li>
                                                        })
                                                        .collect_view()}
                                                </ul>
                                            }
                                                .into_any()
                                        }}
                                    </td>
                                    <td>{logs}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            </div>
        </section>
        <section class="panel" aria-labelledby="td-daemons">
            <h2 id="td-daemons">"Daemons using this revision"</h2>
            {if d.daemons.is_empty() {
                view! { <p class="empty-state">"No daemon runs this revision."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                    <table class="data" aria-labelledby="td-daemons">
                        <thead>
                            <tr>
                                <th scope="col">"Daemon"</th>
                                <th scope="col">"Cluster"</th>
                                <th scope="col">"Status"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {d.daemons
                                .iter()
                                .map(|u| view! {
                                    <tr>
                                        <td><a href=scope.path(&format!("/daemons/{}/{}", u.cluster, u.daemon_name))>{u.daemon_name.clone()}</a></td>
                                        <td>{u.cluster.clone()}</td>
                                        <td><StatusBadge status=u.status.clone() /></td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="td-json-title">
            <h2 id="td-json-title">"JSON"</h2>
            <pre class="td-json-view" tabindex="0">{d.json.clone()}</pre>
        </section>
        <CompareSection
            family=r.family.clone()
            revision=r.revision
            json=d.json.clone()
            others=other_revisions
            default_compare
            query
            scope=scope.clone()
        />
    }
}

#[component]
fn CompareSection(
    family: String,
    revision: u32,
    json: String,
    others: Vec<u32>,
    default_compare: Option<u32>,
    query: Memo<leptos_router::params::ParamsMap>,
    scope: EnvScope,
) -> impl IntoView {
    if others.is_empty() {
        return view! {
            <section class="panel" aria-labelledby="td-compare">
                <h2 id="td-compare">"Compare revisions"</h2>
                <p class="empty-state">"This is the only revision of the family."</p>
            </section>
        }
        .into_any();
    }
    let compare = Memo::new(move |_| {
        query.with(|q| q.get("compare").and_then(|c| c.parse::<u32>().ok())).or(default_compare)
    });
    let fam = family.clone();
    let env = scope.arg();
    let other = Resource::new_with_options(
        move || compare.get(),
        move |c| {
            let fam = fam.clone();
            let env = env.clone();
            async move {
                match c {
                    Some(c) => {
                        get_task_definition_spec(fam, c, env).await.map(|s| Some((c, s.to_json_pretty())))
                    }
                    None => Ok(None),
                }
            }
        },
        false,
    );
    let here = format!("{family}:{revision}");
    let action = revision_href(&scope, &family, revision);
    view! {
        <section class="panel" aria-labelledby="td-compare">
            <h2 id="td-compare">"Compare revisions"</h2>
            <Form method="GET" action=action>
                <div class="filter-bar">
                    <label for="td-compare-with">"Compare with revision"</label>
                    <select id="td-compare-with" name="compare">
                        {others
                            .iter()
                            .map(|o| {
                                let o = *o;
                                view! {
                                    <option value=o.to_string() selected=move || compare.get() == Some(o)>
                                        {format!("{family}:{o}")}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <button type="submit" class="btn">"Compare"</button>
                </div>
            </Form>
            <Transition fallback=|| view! { <p class="empty-state">"Loading the other revision…"</p> }>
                {move || {
                    let here = here.clone();
                    let json = json.clone();
                    Suspend::new(async move {
                        match other.await {
                            Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                            Ok(None) => view! { <p class="help">"Choose a revision to compare with."</p> }.into_any(),
                            Ok(Some((c, other_json))) => {
                                let other_label = format!("{}:{c}", here.rsplit_once(':').map(|x| x.0).unwrap_or(""));
                                // Older revision on the left.
                                let (ol, oj, nl, nj) = if c < revision {
                                    (other_label, other_json, here, json)
                                } else {
                                    (here, json, other_label, other_json)
                                };
                                view! { <JsonDiff old_label=ol new_label=nl old=oj new=nj /> }.into_any()
                            }
                        }
                    })
                }}
            </Transition>
        </section>
    }
    .into_any()
}
