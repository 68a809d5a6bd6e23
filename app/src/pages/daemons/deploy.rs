//! One form for **Create daemon**, **Deploy** (from a revision) and **Update**.

use std::collections::HashSet;

use crate::components::resource::Resource;
use crate::components::{FormAction, PostForm};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::daemons::{get_daemon, load_deploy_options, DeployDaemon, DeployOptions};
use crate::api::PortalError;
use crate::components::{Alert, ErrorAlert};
use crate::domain::{
    capacity::{does_not_fit_message, fits},
    deployment::DeployForm,
    sizes::{format_gb, format_vcpu},
    FieldErrors,
};
use crate::layout::{Crumb, PageHeader};

/// `/daemons/new?cluster=&family=&revision=`
#[component]
pub fn CreateDaemonPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let cluster = q("cluster");
    let mut initial = DeployForm::defaults(if cluster.is_empty() { "default" } else { &cluster });
    initial.family = q("family");
    initial.revision = q("revision");
    if initial.daemon_name.is_empty() && !initial.family.is_empty() {
        initial.daemon_name = initial.family.trim_end_matches("-daemon").to_string();
    }
    view! {
        <PageHeader title="Create daemon" crumbs=vec![Crumb::link("Daemons", "/daemons"), Crumb::here("Create daemon")] />
        <DeployFormView initial=initial updating=false />
    }
}

/// `/daemons/:cluster/:name/update`
#[component]
pub fn UpdateDaemonPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (p.get("cluster").unwrap_or_default(), p.get("name").unwrap_or_default())
    };
    let daemon = Resource::new_with_options(key, |(c, n)| get_daemon(c, n, 1), false);
    // "Roll back to this revision" on the History page links here with the revision to go to.
    let query = use_query_map();
    let wanted_revision = query.read_untracked().get("revision").unwrap_or_default();
    let rollback = query.read_untracked().get("rollback").is_some_and(|r| r == "1");
    let (cluster, name) = key();
    let title = if rollback { format!("Roll back {name}") } else { format!("Update {name}") };
    view! {
        <PageHeader
            title=title
            crumbs=vec![
                Crumb::link("Daemons", format!("/daemons?cluster={cluster}")),
                Crumb::link(name.clone(), format!("/daemons/{cluster}/{name}")),
                Crumb::here("Update"),
            ]
        />
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the daemon…"</p> }>
            {move || {
                daemon
                    .get()
                    .map(|r| match r {
                        Ok(d) => {
                            let mut form = d.settings.to_form();
                            // The user picks the new revision; default to the family's latest
                            // (or the one a rollback goes back to).
                            form.revision = wanted_revision.clone();
                            form.rollback = if rollback { "1".into() } else { String::new() };
                            view! {
                                {rollback.then(|| view! {
                                    <Alert kind="warn">
                                        {format!("Rolling back to revision {}: this requests an update back to it, under the cluster's approval policy.", wanted_revision)}
                                    </Alert>
                                })}
                                <Alert kind="info">
                                    "Deploying a new revision replaces the instances of the chosen capacity providers in batches of the drain percentage. Application tasks move to the replacement instances; their services are not changed."
                                </Alert>
                                <DeployFormView initial=form updating=true />
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorAlert error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !matches!(s, "" | "false" | "off" | "0"))
}

fn on(b: bool) -> Option<String> {
    b.then(|| "on".to_string())
}

/// Per chosen provider: (provider, cpu after deploy, mem after, instance cpu, instance mem, others).
fn capacity_rows(opts: &DeployOptions, f: &DeployForm) -> Vec<(String, u32, u32, u32, u32, Vec<String>)> {
    let family = opts.families.iter().find(|x| x.family == f.family);
    let wanted: Option<u32> = f.revision.parse().ok();
    let this = family.and_then(|fam| match wanted {
        Some(r) => fam.revisions.iter().find(|x| x.0 == r),
        None => fam.revisions.first(),
    });
    let (cpu, mem) = this.map(|x| (x.1, x.2)).unwrap_or((0, 0));
    opts.providers
        .iter()
        .filter(|p| f.capacity_providers.contains(&p.provider.name))
        .map(|p| {
            let others: Vec<&(String, u32, u32)> =
                p.daemons.iter().filter(|d| d.0 != f.daemon_name).collect();
            let c = cpu + others.iter().map(|d| d.1).sum::<u32>();
            let m = mem + others.iter().map(|d| d.2).sum::<u32>();
            (
                p.provider.name.clone(),
                c,
                m,
                p.provider.instance_cpu,
                p.provider.instance_memory,
                others.iter().map(|d| d.0.clone()).collect(),
            )
        })
        .collect()
}

#[island(lazy)]
fn DeployFormView(initial: DeployForm, updating: bool) -> impl IntoView {
    let action = FormAction::<DeployDaemon>::new();
    let form = RwSignal::new(initial.clone());
    let touched = RwSignal::new(HashSet::<String>::new());
    let attempted = RwSignal::new(false);
    let cluster = Memo::new(move |_| form.with(|f| f.cluster.clone()));
    let options = Resource::new_with_options(move || cluster.get(), load_deploy_options, false);

    let client_errors = Memo::new(move |_| form.with(|f| f.parse().err().unwrap_or_default()));
    let server_error = move || action.value().get().and_then(|r| r.err());
    let server_fields = move || server_error().and_then(|e| e.fields().cloned()).unwrap_or_default();
    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            let show_client = attempted.get() || touched.with(|t| t.contains(field));
            show_client
                .then(|| client_errors.with(|e| e.get(field).map(str::to_string)))
                .flatten()
                .or_else(|| server_fields().get(field).map(str::to_string))
        })
    };
    let set = move |apply: fn(&mut DeployForm, String)| {
        move |ev: leptos::ev::Event| form.update(|f| apply(f, event_target_value(&ev)))
    };

    let mark_touched = move |ev: leptos::ev::Event| {
        use wasm_bindgen_shim::target_name;
        if let Some(name) = target_name(&ev) {
            let field = name.trim_start_matches("form[").split(']').next().unwrap_or("").to_string();
            touched.update(|t| {
                t.insert(field);
            });
        }
    };

    let capacity_error = Signal::derive(move || {
        let f = form.get();
        options.get().and_then(|o| o.ok()).and_then(|o| {
            capacity_rows(&o, &f)
                .into_iter()
                .find(|r| !fits(r.1, r.2, r.3, r.4))
                .map(|r| does_not_fit_message(&r.0, r.1, r.2, r.3, r.4))
        })
    });

    let init = initial.clone();
    view! {
        <PostForm action=action>
            <div on:input=mark_touched on:change=mark_touched>
                <ErrorAlert error=Signal::derive(move || {
                    server_error().filter(|e| !matches!(e, PortalError::Invalid(_)) || attempted.get())
                }) />
                <input type="hidden" name="form[daemon_arn]" value=init.daemon_arn.clone() />
                <input type="hidden" name="form[rollback]" value=init.rollback.clone() />
                <div class="panel">
                    <h2>"Daemon"</h2>
                    <div class="field">
                        <label for="deploy-cluster">"Cluster"</label>
                        <p class="help" id="deploy-cluster-help">"The cluster whose capacity providers run the daemon."</p>
                        {if updating {
                            view! {
                                <input id="deploy-cluster" type="text" readonly name="form[cluster]" value=init.cluster.clone() />
                            }
                                .into_any()
                        } else {
                            view! {
                                <select
                                    id="deploy-cluster"
                                    name="form[cluster]"
                                    aria-describedby="deploy-cluster-help"
                                    on:change=set(|f, v| {
                                        f.cluster = v;
                                        f.capacity_providers.clear();
                                    })
                                >
                                    <Transition fallback=move || {
                                        view! { <option value=cluster.get()>{cluster.get()}</option> }
                                    }>
                                        {move || {
                                            let current = cluster.get();
                                            options
                                                .get()
                                                .and_then(|o| o.ok())
                                                .map(|o| {
                                                    o.clusters
                                                        .into_iter()
                                                        .map(|c| {
                                                            let sel = c == current;
                                                            view! { <option value=c.clone() selected=sel>{c.clone()}</option> }
                                                        })
                                                        .collect_view()
                                                })
                                        }}
                                    </Transition>
                                </select>
                            }
                                .into_any()
                        }}
                        <div class="error">{move || error_for("cluster").get()}</div>
                    </div>
                    <div class="field">
                        <label for="deploy-name">"Daemon name"</label>
                        <p class="help" id="deploy-name-help">"1–255 letters, digits, hyphens and underscores; unique in the cluster."</p>
                        <input
                            id="deploy-name"
                            type="text"
                            name="form[daemon_name]"
                            readonly=updating
                            value=init.daemon_name.clone()
                            prop:value=move || form.with(|f| f.daemon_name.clone())
                            on:input=set(|f, v| f.daemon_name = v)
                            aria-invalid=move || if error_for("daemon_name").get().is_some() { "true" } else { "false" }
                            aria-describedby="deploy-name-help deploy-name-error"
                        />
                        <div class="error" id="deploy-name-error" aria-live="polite">{move || error_for("daemon_name").get()}</div>
                    </div>
                    <div class="row">
                        <div class="field">
                            <label for="deploy-family">"Daemon task definition family"</label>
                            <select
                                id="deploy-family"
                                name="form[family]"
                                on:change=set(|f, v| {
                                    f.family = v;
                                    f.revision = String::new();
                                })
                                aria-invalid=move || if error_for("family").get().is_some() { "true" } else { "false" }
                                aria-describedby="deploy-family-error"
                            >
                                <option value="" selected=init.family.is_empty()>"Choose a family"</option>
                                <Transition fallback=move || {
                                    let fam = form.with_untracked(|f| f.family.clone());
                                    (!fam.is_empty()).then(|| view! { <option value=fam.clone() selected=true>{fam.clone()}</option> })
                                }>
                                    {move || {
                                        let current = form.with(|f| f.family.clone());
                                        options
                                            .get()
                                            .and_then(|o| o.ok())
                                            .map(|o| {
                                                o.families
                                                    .into_iter()
                                                    .map(|fam| {
                                                        let sel = fam.family == current;
                                                        view! { <option value=fam.family.clone() selected=sel>{fam.family.clone()}</option> }
                                                    })
                                                    .collect_view()
                                            })
                                    }}
                                </Transition>
                            </select>
                            <div class="error" id="deploy-family-error" aria-live="polite">{move || error_for("family").get()}</div>
                        </div>
                        <div class="field">
                            <label for="deploy-revision">"Revision"</label>
                            <select
                                id="deploy-revision"
                                name="form[revision]"
                                on:change=set(|f, v| f.revision = v)
                                aria-describedby="deploy-revision-error"
                            >
                                <Transition fallback=move || {
                                    let rev = form.with_untracked(|f| f.revision.clone());
                                    view! { <option value=rev.clone() selected=true>{if rev.is_empty() { "Latest".to_string() } else { rev.clone() }}</option> }
                                }>
                                    {move || {
                                        let (family, current) = form.with(|f| (f.family.clone(), f.revision.clone()));
                                        options
                                            .get()
                                            .and_then(|o| o.ok())
                                            .map(|o| {
                                                let revs = o
                                                    .families
                                                    .into_iter()
                                                    .find(|f| f.family == family)
                                                    .map(|f| f.revisions)
                                                    .unwrap_or_default();
                                                let latest = revs.first().map(|r| r.0);
                                                let latest_label = match latest {
                                                    Some(r) => format!("Latest ({r})"),
                                                    None => "Latest".to_string(),
                                                };
                                                view! {
                                                    <option value="" selected=current.is_empty()>{latest_label}</option>
                                                    {revs
                                                        .into_iter()
                                                        .map(|(rev, cpu, mem)| {
                                                            let sel = current == rev.to_string();
                                                            view! {
                                                                <option value=rev.to_string() selected=sel>
                                                                    {format!("{rev} — {} vCPU, {} GB", format_vcpu(cpu), format_gb(mem))}
                                                                </option>
                                                            }
                                                        })
                                                        .collect_view()}
                                                }
                                            })
                                    }}
                                </Transition>
                            </select>
                            <div class="error" id="deploy-revision-error" aria-live="polite">{move || error_for("revision").get()}</div>
                        </div>
                    </div>
                </div>

                <fieldset class="panel" aria-describedby="deploy-providers-help deploy-providers-error">
                    <legend>"Capacity providers"</legend>
                    <p class="help" id="deploy-providers-help">
                        "The daemon runs one task on every instance of each chosen Managed Instances capacity provider."
                    </p>
                    <Transition fallback=|| view! { <p>"Loading capacity providers…"</p> }>
                        {move || {
                            options
                                .get()
                                .map(|o| match o {
                                    Err(e) => view! { <ErrorAlert error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                                    Ok(o) if o.providers.is_empty() => {
                                        view! { <p class="empty-state">"This cluster has no Managed Instances capacity providers."</p> }
                                            .into_any()
                                    }
                                    Ok(o) => {
                                        o.providers
                                            .into_iter()
                                            .enumerate()
                                            .map(|(i, p)| {
                                                let name = p.provider.name.clone();
                                                let id = format!("deploy-cp-{i}");
                                                let n1 = name.clone();
                                                let n2 = name.clone();
                                                let is_checked = move || form.with(|f| f.capacity_providers.contains(&n1));
                                                view! {
                                                    <div class="field inline">
                                                        <input
                                                            type="checkbox"
                                                            id=id.clone()
                                                            name=format!("form[capacity_providers][{i}]")
                                                            value=name.clone()
                                                            checked=is_checked.clone()
                                                            prop:checked=is_checked.clone()
                                                            on:change=move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                let n = n2.clone();
                                                                form.update(|f| {
                                                                    f.capacity_providers.retain(|x| *x != n);
                                                                    if on {
                                                                        f.capacity_providers.push(n);
                                                                    }
                                                                });
                                                            }
                                                        />
                                                        <label for=id>{name.clone()}</label>
                                                        <span class="help">
                                                            {format!(
                                                                "{} instances of {} vCPU, {} GB",
                                                                p.provider.instances,
                                                                format_vcpu(p.provider.instance_cpu),
                                                                format_gb(p.provider.instance_memory),
                                                            )}
                                                        </span>
                                                    </div>
                                                }
                                            })
                                            .collect_view()
                                            .into_any()
                                    }
                                })
                        }}
                    </Transition>
                    <div class="error" id="deploy-providers-error" aria-live="polite">
                        // The capacity check reads the options resource: inside a Transition, so
                        // the server and the hydrating browser render it the same way.
                        <Transition fallback=|| ()>
                            {move || error_for("capacity_providers").get().or_else(|| capacity_error.get())}
                        </Transition>
                    </div>
                    <Transition fallback=|| ()>
                        {move || {
                            let f = form.get();
                            options
                                .get()
                                .and_then(|o| o.ok())
                                .map(|o| {
                                    let rows = capacity_rows(&o, &f);
                                    (!rows.is_empty())
                                        .then(|| {
                                            view! {
                                                <table class="data capacity" aria-label="Reserved per instance after this deployment">
                                                    <thead>
                                                        <tr>
                                                            <th>"Capacity provider"</th>
                                                            <th>"CPU reserved per instance"</th>
                                                            <th>"Memory reserved per instance"</th>
                                                            <th>"Other daemons"</th>
                                                        </tr>
                                                    </thead>
                                                    <tbody>
                                                        {rows
                                                            .into_iter()
                                                            .map(|(name, c, m, ic, im, others)| {
                                                                let ok = fits(c, m, ic, im);
                                                                view! {
                                                                    <tr class:over=!ok>
                                                                        <td>{name}</td>
                                                                        <td>{format!("{} of {} vCPU", format_vcpu(c), format_vcpu(ic))}</td>
                                                                        <td>{format!("{} of {} GB", format_gb(m), format_gb(im))}</td>
                                                                        <td>{if others.is_empty() { "—".to_string() } else { others.join(", ") }}</td>
                                                                    </tr>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </tbody>
                                                </table>
                                            }
                                        })
                                })
                        }}
                    </Transition>
                </fieldset>

                <div class="panel">
                    <h2>"Deployment"</h2>
                    <div class="row">
                        <div class="field">
                            <label for="deploy-drain">"Drain percentage"</label>
                            <p class="help" id="deploy-drain-help">"Share of instances replaced at once, 1–100."</p>
                            <input
                                id="deploy-drain"
                                type="text"
                                inputmode="decimal"
                                name="form[drain_percent]"
                                value=init.drain_percent.clone()
                                on:input=set(|f, v| f.drain_percent = v)
                                aria-invalid=move || if error_for("drain_percent").get().is_some() { "true" } else { "false" }
                                aria-describedby="deploy-drain-help deploy-drain-error"
                            />
                            <div class="error" id="deploy-drain-error" aria-live="polite">{move || error_for("drain_percent").get()}</div>
                        </div>
                        <div class="field">
                            <label for="deploy-bake">"Bake time (minutes)"</label>
                            <p class="help" id="deploy-bake-help">"How long ECS watches the alarms after every instance runs the new revision, 0–1440."</p>
                            <input
                                id="deploy-bake"
                                type="text"
                                inputmode="numeric"
                                name="form[bake_time]"
                                value=init.bake_time.clone()
                                on:input=set(|f, v| f.bake_time = v)
                                aria-invalid=move || if error_for("bake_time").get().is_some() { "true" } else { "false" }
                                aria-describedby="deploy-bake-help deploy-bake-error"
                            />
                            <div class="error" id="deploy-bake-error" aria-live="polite">{move || error_for("bake_time").get()}</div>
                        </div>
                    </div>
                    <fieldset>
                        <legend>"Alarms"</legend>
                        <p class="help">"CloudWatch alarms watched during the deployment and the bake time."</p>
                        <Transition fallback=|| ()>
                            {move || {
                                options
                                    .get()
                                    .and_then(|o| o.ok())
                                    .map(|o| {
                                        o.alarms
                                            .into_iter()
                                            .enumerate()
                                            .map(|(i, a)| {
                                                let id = format!("deploy-alarm-{i}");
                                                let (a1, a2) = (a.clone(), a.clone());
                                                let is_checked = move || form.with(|f| f.alarms.contains(&a1));
                                                view! {
                                                    <div class="field inline">
                                                        <input
                                                            type="checkbox"
                                                            id=id.clone()
                                                            name=format!("form[alarms][{i}]")
                                                            value=a.clone()
                                                            checked=is_checked.clone()
                                                            prop:checked=is_checked.clone()
                                                            on:change=move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                let n = a2.clone();
                                                                form.update(|f| {
                                                                    f.alarms.retain(|x| *x != n);
                                                                    if on {
                                                                        f.alarms.push(n);
                                                                    }
                                                                });
                                                            }
                                                        />
                                                        <label for=id>{a.clone()}</label>
                                                    </div>
                                                }
                                            })
                                            .collect_view()
                                    })
                            }}
                        </Transition>
                        <div class="field">
                            <label for="deploy-other-alarms">"Other alarm names"</label>
                            <p class="help">"Comma-separated names of alarms not listed above."</p>
                            <input
                                id="deploy-other-alarms"
                                type="text"
                                name="form[other_alarms]"
                                value=init.other_alarms.clone()
                                on:input=set(|f, v| f.other_alarms = v)
                            />
                            <div class="error" aria-live="polite">{move || error_for("alarms").get()}</div>
                        </div>
                        <div class="field inline">
                            <input
                                type="checkbox"
                                id="deploy-rollback"
                                name="form[rollback_on_alarm]"
                                value="on"
                                checked=checked(&init.rollback_on_alarm)
                                on:change=move |ev| form.update(|f| f.rollback_on_alarm = on(event_target_checked(&ev)))
                            />
                            <label for="deploy-rollback">"Roll back on alarm"</label>
                        </div>
                    </fieldset>
                    <details class="advanced">
                        <summary>"Advanced settings"</summary>
                        <div class="field inline">
                            <input
                                type="checkbox"
                                id="deploy-critical"
                                name="form[critical]"
                                value="on"
                                checked=checked(&init.critical)
                                on:change=move |ev| form.update(|f| f.critical = on(event_target_checked(&ev)))
                            />
                            <label for="deploy-critical">"Critical"</label>
                            <span class="help">"An instance whose critical daemon stops is drained and replaced."</span>
                        </div>
                        {(!updating).then(|| view! {
                            <div class="field">
                                <label for="deploy-tags">"Tags"</label>
                                <p class="help">"One key=value per line, at most 50."</p>
                                <textarea id="deploy-tags" name="form[tags]" rows="3" on:input=set(|f, v| f.tags = v)>{init.tags.clone()}</textarea>
                                <div class="error" aria-live="polite">{move || error_for("tags").get()}</div>
                            </div>
                        })}
                        <div class="field">
                            <label for="deploy-propagate">"Propagate tags"</label>
                            <select id="deploy-propagate" name="form[propagate_tags]" on:change=set(|f, v| f.propagate_tags = v)>
                                <option value="NONE" selected=init.propagate_tags != "DAEMON">"Do not propagate"</option>
                                <option value="DAEMON" selected=init.propagate_tags == "DAEMON">"From the daemon to its tasks"</option>
                            </select>
                        </div>
                        <div class="field inline">
                            <input
                                type="checkbox"
                                id="deploy-managed-tags"
                                name="form[ecs_managed_tags]"
                                value="on"
                                checked=checked(&init.ecs_managed_tags)
                                on:change=move |ev| form.update(|f| f.ecs_managed_tags = on(event_target_checked(&ev)))
                            />
                            <label for="deploy-managed-tags">"Turn on ECS managed tags"</label>
                        </div>
                        <div class="field inline">
                            <input
                                type="checkbox"
                                id="deploy-exec"
                                name="form[execute_command]"
                                value="on"
                                checked=checked(&init.execute_command)
                                on:change=move |ev| form.update(|f| f.execute_command = on(event_target_checked(&ev)))
                            />
                            <label for="deploy-exec">"Turn on execute command"</label>
                        </div>
                    </details>
                </div>
                <div class="form-actions">
                    <a class="btn link" href="/daemons">"Cancel"</a>
                    <button
                        type="submit"
                        class="btn primary"
                        disabled=move || action.pending().get()
                        on:click=move |ev| {
                            attempted.set(true);
                            if !client_errors.with(FieldErrors::is_empty) || capacity_error.get().is_some() {
                                ev.prevent_default();
                            }
                        }
                    >
                        {move || if action.pending().get() { "Deploying…" } else { "Deploy" }}
                    </button>
                </div>
            </div>
        </PostForm>
    }
}

/// Reads the `name` of an event's target element without pulling in web-sys features.
mod wasm_bindgen_shim {
    pub fn target_name(ev: &leptos::ev::Event) -> Option<String> {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let target = ev.target()?;
            let el = target.dyn_into::<leptos::web_sys::Element>().ok()?;
            el.get_attribute("name")
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = ev;
            None
        }
    }
}
