//! One form for **Create daemon**, **Deploy** (from a revision) and **Update**.

use crate::components::resource::Resource;
use crate::components::{FormAction, PostForm};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::daemons::{
    get_daemon, load_deploy_options, DeployDaemon, DeployOptions, FamilyRevisions, ProviderCapacity,
};
use crate::api::PortalError;
use crate::components::{sizes_label, Alert, ErrorAlert, LoadError, TrackedFieldMessages};
use crate::domain::form::{checked, on};
use crate::domain::{
    capacity::{check_provider, daemons_after, Size},
    deployment::DeployForm,
    sizes::{format_gb, format_vcpu},
    FieldErrors,
};
use crate::layout::{Crumb, PageHeader};
use crate::pages::env_scope::EnvScope;

/// `/daemons/new?cluster=&family=&revision=` (and `/e/<env>/daemons/new`)
#[component]
pub fn CreateDaemonPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let query = use_query_map();
    let q = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let cluster = q("cluster");
    let mut initial = DeployForm::defaults(&cluster);
    initial.family = q("family");
    initial.revision = q("revision");
    if initial.daemon_name.is_empty() && !initial.family.is_empty() {
        initial.daemon_name = initial.family.trim_end_matches("-daemon").to_string();
    }
    let crumbs =
        scope.crumbs(vec![Crumb::link("Daemons", scope.path("/daemons")), Crumb::here("Create daemon")]);
    let env = scope.arg();
    view! {
        <PageHeader title="Create daemon" crumbs=crumbs />
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the form…"</p> }>
            {move || {
                let mut initial = initial.clone();
                let env = env.clone();
                Suspend::new(async move {
                    if initial.cluster.is_empty() {
                        // The environment's `default` cluster, else its first.
                        let clusters = crate::api::clusters::list_clusters(env.clone()).await.unwrap_or_default();
                        initial.cluster = super::list::default_cluster(&clusters);
                    }
                    let options = load_deploy_options(initial.cluster.clone(), env.clone()).await;
                    view! { <DeployFormView initial options updating=false env /> }
                })
            }}
        </Suspense>
    }
}

/// `/daemons/:cluster/:name/update`
#[component]
pub fn UpdateDaemonPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (p.get("cluster").unwrap_or_default(), p.get("name").unwrap_or_default())
    };
    let env = scope.arg();
    let daemon =
        Resource::new_with_options(move || (key(), env.clone()), |((c, n), e)| get_daemon(c, n, 1, e), false);
    let env = scope.arg();
    let options =
        Resource::new_with_options(move || (key().0, env.clone()), |(c, e)| load_deploy_options(c, e), false);
    // "Roll back to this revision" on the History page links here with the revision to go to.
    let query = use_query_map();
    let wanted_revision = query.read_untracked().get("revision").unwrap_or_default();
    let rollback = query.read_untracked().get("rollback").is_some_and(|r| r == "1");
    let (cluster, name) = key();
    let title = if rollback { format!("Roll back {name}") } else { format!("Update {name}") };
    view! {
        <PageHeader
            title=title
            crumbs=scope.crumbs(vec![
                Crumb::link("Daemons", scope.path(&format!("/daemons?cluster={cluster}"))),
                Crumb::link(name.clone(), scope.path(&format!("/daemons/{cluster}/{name}"))),
                Crumb::here("Update"),
            ])
        />
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the daemon…"</p> }>
            {move || {
                let wanted_revision = wanted_revision.clone();
                let env = scope.arg();
                Suspend::new(async move {
                    match daemon.await {
                        Ok(d) => {
                            let mut form = d.settings.to_form();
                            // The user picks the new revision; default to the family's latest
                            // (or the one a rollback goes back to).
                            form.revision = wanted_revision.clone();
                            form.rollback = if rollback { "1".into() } else { String::new() };
                            let options = options.await;
                            view! {
                                {rollback.then(|| view! {
                                    <Alert kind="warning">
                                        {format!("Rolling back to revision {}: this requests an update back to it, under the cluster's approval policy.", wanted_revision)}
                                    </Alert>
                                })}
                                <Alert kind="info">
                                    "Deploying a new revision replaces the instances of the chosen capacity providers in batches of the drain percentage. Application tasks move to the replacement instances; their services are not changed."
                                </Alert>
                                <DeployFormView initial=form options updating=true env />
                            }
                                .into_any()
                        }
                        Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// One chosen provider after this deployment: what all its daemons reserve per instance, and
/// the resource guard's verdict on its instances (`domain::capacity`, the server's rule too).
#[derive(Clone, PartialEq)]
struct CapacityRow {
    provider: String,
    cpu: u32,
    memory: u32,
    instance_cpu: u32,
    instance_memory: u32,
    others: Vec<String>,
    /// Which instances lack what, when the daemons would not fit.
    misfit: Option<String>,
}

impl CapacityRow {
    fn fits(&self) -> bool {
        self.misfit.is_none()
    }
}

fn capacity_rows(
    providers: &[ProviderCapacity],
    families: &[FamilyRevisions],
    f: &DeployForm,
) -> Vec<CapacityRow> {
    let family = families.iter().find(|x| x.family == f.family);
    let wanted: Option<u32> = f.revision.parse().ok();
    let this = family.and_then(|fam| match wanted {
        Some(r) => fam.revisions.iter().find(|x| x.0 == r),
        None => fam.revisions.first(),
    });
    let (cpu, mem) = this.map(|x| (x.1, x.2)).unwrap_or((0, 0));
    providers
        .iter()
        .filter(|p| f.capacity_providers.contains(&p.provider.name))
        .map(|p| {
            let total = daemons_after(Size::new(cpu, mem), &f.daemon_name, &p.daemons);
            let size = Size::new(p.provider.instance_cpu, p.provider.instance_memory);
            CapacityRow {
                provider: p.provider.name.clone(),
                cpu: total.cpu,
                memory: total.memory,
                instance_cpu: p.provider.instance_cpu,
                instance_memory: p.provider.instance_memory,
                others: p.daemons.iter().filter(|d| d.0 != f.daemon_name).map(|d| d.0.clone()).collect(),
                misfit: check_provider(&p.provider.name, total, size, &p.instances).err(),
            }
        })
        .collect()
}

/// The form. The server renders it with the options of the cluster it opens on; choosing
/// another cluster fetches that cluster's capacity providers (the form's only request before
/// Deploy). Lists that do not depend on the cluster (clusters, families, alarms) are static.
#[island(lazy)]
fn DeployFormView(
    initial: DeployForm,
    options: Result<DeployOptions, PortalError>,
    updating: bool,
    /// Where the change acts ("" = the default environment); posted with the form.
    env: String,
) -> impl IntoView {
    let action = FormAction::<DeployDaemon>::new();
    let form = RwSignal::new(initial.clone());
    let (base, options_error) = match options {
        Ok(o) => (o, None),
        Err(e) => (DeployOptions::default(), Some(e)),
    };
    let DeployOptions { environment: env_name, clusters, providers, families, alarms, .. } = base;
    let scope = EnvScope::named(env.clone());
    let env_shown = if env_name.is_empty() { env.clone() } else { env_name };
    // `None` while another cluster's providers load.
    let providers = RwSignal::new(Some(options_error.map_or(Ok(providers), Err)));
    let families = StoredValue::new(families);

    let client_errors = Memo::new(move |_| form.with(|f| f.parse().err().unwrap_or_default()));
    let server_error = move || action.value().get().and_then(|r| r.err());
    let errors = TrackedFieldMessages::new(client_errors, Signal::derive(server_error));
    let error_for = move |field: &'static str| errors.field(field);
    let set = move |apply: fn(&mut DeployForm, String)| {
        move |ev: leptos::ev::Event| form.update(|f| apply(f, event_target_value(&ev)))
    };
    let mark_touched = move |ev: leptos::ev::Event| errors.touch_event(&ev);
    let env_for_cluster = env.clone();
    let choose_cluster = move |ev: leptos::ev::Event| {
        let cluster = event_target_value(&ev);
        form.update(|f| {
            f.cluster = cluster.clone();
            f.capacity_providers.clear();
        });
        providers.set(None);
        let env = env_for_cluster.clone();
        leptos::task::spawn_local(async move {
            let loaded = load_deploy_options(cluster.clone(), env).await.map(|o| o.providers);
            // A slower answer for a cluster the user already left is dropped.
            if form.with_untracked(|f| f.cluster == cluster) {
                providers.set(Some(loaded));
            }
        });
    };

    let rows = Memo::new(move |_| {
        providers.with(|p| match p {
            Some(Ok(p)) => form.with(|f| families.with_value(|fam| capacity_rows(p, fam, f))),
            _ => vec![],
        })
    });
    // The blast radius of the chosen providers at the chosen drain percentage (recomputed here,
    // from the options the server sent: no request while the user edits).
    // The blast radius of the chosen providers at the chosen drain percentage, recomputed here
    // from the counts the server sent with the options (no request while the user edits). Its
    // rows are one escaped HTML string: as `view!`s they cost the island ~20 KB of wasm.
    let blast_rows = Memo::new(move |_| {
        use crate::domain::blast_radius::{batches, batches_text};
        use crate::pages::fleet_cells::esc;
        providers.with(|p| match p {
            Some(Ok(p)) => form.with(|f| {
                let drain = f
                    .drain_percent
                    .trim()
                    .parse::<f64>()
                    .unwrap_or(crate::domain::deployment::DEFAULT_DRAIN_PERCENT);
                let mut html = String::new();
                for x in p.iter().filter(|x| f.capacity_providers.contains(&x.provider.name)) {
                    let (per, count) = batches(x.provider.instances, drain);
                    html.push_str(&format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(&x.provider.name),
                        x.provider.instances,
                        batches_text(count, per),
                        x.app_tasks,
                        esc(&x.estimate)
                    ));
                }
                html
            }),
            _ => String::new(),
        })
    });
    let blast_table = move || {
        (!blast_rows.with(String::is_empty)).then(|| {
            view! {
                <section class="panel blast-radius" aria-labelledby="deploy-blast-title">
                    <h2 id="deploy-blast-title">"Blast radius"</h2>
                    <p class="alert warn" role="note">{crate::domain::blast_radius::REPLACEMENT_WARNING}</p>
                    <div class="table-scroll">
                    <table class="data" aria-label="Blast radius">
                        <thead><tr>
                            <th>"Capacity provider"</th><th>"Instances replaced"</th><th>"Batches"</th>
                            <th>"Application tasks that move"</th><th>"Estimated duration"</th>
                        </tr></thead>
                        <tbody inner_html=move || blast_rows.get()></tbody>
                    </table>
                    </div>
                </section>
            }
            // Its own view type: the form's view is deep enough already.
            .into_any()
        })
    };
    let capacity_error = Signal::derive(move || {
        rows.with(|rows| {
            let misfits: Vec<String> = rows.iter().filter_map(|r| r.misfit.clone()).collect();
            (!misfits.is_empty()).then(|| misfits.join(" "))
        })
    });

    let init = initial;
    let current_cluster = init.cluster.clone();
    let cluster_field = if updating {
        view! { <input id="deploy-cluster" type="text" readonly name="form[cluster]" value=init.cluster.clone() /> }
            .into_any()
    } else {
        let mut clusters = clusters;
        if !clusters.contains(&current_cluster) {
            clusters.insert(0, current_cluster.clone());
        }
        view! {
            <select id="deploy-cluster" name="form[cluster]" aria-describedby="deploy-cluster-help" on:change=choose_cluster>
                {clusters
                    .into_iter()
                    .map(|c| {
                        let sel = c == current_cluster;
                        view! { <option value=c.clone() selected=sel>{c.clone()}</option> }
                    })
                    .collect_view()}
            </select>
        }
            .into_any()
    };
    let family_options = families.with_value(|fams| {
        fams.iter()
            .map(|fam| {
                let sel = fam.family == init.family;
                view! { <option value=fam.family.clone() selected=sel>{fam.family.clone()}</option> }
            })
            .collect_view()
    });
    let family_revision = Memo::new(move |_| form.with(|f| (f.family.clone(), f.revision.clone())));
    let revision_options = move || {
        let (family, current) = family_revision.get();
        let revs = families.with_value(|fams| {
            fams.iter().find(|f| f.family == family).map(|f| f.revisions.clone()).unwrap_or_default()
        });
        let latest_label = match revs.first() {
            Some(r) => format!("Latest ({})", r.0),
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
                            {format!("{rev} — {}", sizes_label(cpu, mem))}
                        </option>
                    }
                })
                .collect_view()}
        }
    };
    let provider_choices = move || match providers.get() {
        None => view! { <p>"Loading capacity providers…"</p> }.into_any(),
        Some(Err(e)) => view! { <LoadError error=e.clone() /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="empty-state">"This cluster has no Managed Instances capacity providers."</p> }
                .into_any()
        }
        Some(Ok(list)) => list
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let help = format!(
                    "{} instances of {}",
                    p.provider.instances,
                    sizes_label(p.provider.instance_cpu, p.provider.instance_memory),
                );
                list_checkbox(
                    form,
                    format!("deploy-cp-{i}"),
                    "capacity_providers",
                    i,
                    p.provider.name,
                    Some(help),
                    |f| &mut f.capacity_providers,
                )
            })
            .collect_view()
            .into_any(),
    };
    let capacity_table = move || {
        let rows = rows.get();
        (!rows.is_empty()).then(|| {
            view! {
                <div class="table-scroll">
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
                            .map(|r| {
                                let over = !r.fits();
                                view! {
                                    <tr class:over=over>
                                        <td>{r.provider}</td>
                                        <td>{format!("{} of {} vCPU", format_vcpu(r.cpu), format_vcpu(r.instance_cpu))}</td>
                                        <td>{format!("{} of {} GB", format_gb(r.memory), format_gb(r.instance_memory))}</td>
                                        <td>{if r.others.is_empty() { "—".to_string() } else { r.others.join(", ") }}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                </div>
            }
        })
    };
    let alarm_choices = alarms
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            list_checkbox(form, format!("deploy-alarm-{i}"), "alarms", i, a, None, |f| &mut f.alarms)
        })
        .collect_view();

    view! {
        <PostForm action=action>
            <div on:input=mark_touched on:change=mark_touched>
                <ErrorAlert error=Signal::derive(move || {
                    server_error().filter(|e| !matches!(e, PortalError::Invalid(_)) || errors.submitted())
                }) />
                <input type="hidden" name="form[daemon_arn]" value=init.daemon_arn.clone() />
                <input type="hidden" name="form[rollback]" value=init.rollback.clone() />
                <input type="hidden" name="environment" value=env.clone() />
                <div class="panel">
                    <h2>"Daemon"</h2>
                    <div class="field">
                        <label for="deploy-environment">"Environment"</label>
                        <p class="help" id="deploy-environment-help">
                            "The AWS account and region the change acts in, under that environment's approval policies. To deploy elsewhere, open the Daemons page of another environment."
                        </p>
                        <input id="deploy-environment" type="text" readonly aria-describedby="deploy-environment-help" value=env_shown />
                    </div>
                    <div class="field">
                        <label for="deploy-cluster">"Cluster"</label>
                        <p class="help" id="deploy-cluster-help">"The cluster whose capacity providers run the daemon."</p>
                        {cluster_field}
                        <div class="error">{move || error_for("cluster").get()}</div>
                    </div>
                    {text_input(
                        form,
                        TextInput {
                            id: "deploy-name",
                            name: "daemon_name",
                            label: "Daemon name",
                            help: "1–255 letters, digits, hyphens and underscores; unique in the cluster.",
                            inputmode: "text",
                            readonly: updating,
                        },
                        init.daemon_name.clone(),
                        |f, v| f.daemon_name = v,
                        error_for("daemon_name"),
                    )}
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
                                {family_options}
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
                                {revision_options}
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
                    {provider_choices}
                    <div class="error" id="deploy-providers-error" aria-live="polite">
                        {move || error_for("capacity_providers").get().or_else(|| capacity_error.get())}
                    </div>
                    {capacity_table}
                </fieldset>
                {blast_table}

                <div class="panel">
                    <h2>"Deployment"</h2>
                    <div class="row">
                        {text_input(
                            form,
                            TextInput {
                                id: "deploy-drain",
                                name: "drain_percent",
                                label: "Drain percentage",
                                help: "Share of instances replaced at once, 1–100.",
                                inputmode: "decimal",
                                readonly: false,
                            },
                            init.drain_percent.clone(),
                            |f, v| f.drain_percent = v,
                            error_for("drain_percent"),
                        )}
                        {text_input(
                            form,
                            TextInput {
                                id: "deploy-bake",
                                name: "bake_time",
                                label: "Bake time (minutes)",
                                help: "How long ECS watches the alarms after every instance runs the new revision, 0–1440.",
                                inputmode: "numeric",
                                readonly: false,
                            },
                            init.bake_time.clone(),
                            |f, v| f.bake_time = v,
                            error_for("bake_time"),
                        )}
                    </div>
                    <fieldset>
                        <legend>"Alarms"</legend>
                        <p class="help">"CloudWatch alarms watched during the deployment and the bake time."</p>
                        {alarm_choices}
                        {text_input(
                            form,
                            TextInput {
                                id: "deploy-other-alarms",
                                name: "other_alarms",
                                label: "Other alarm names",
                                help: "Comma-separated names of alarms not listed above.",
                                inputmode: "text",
                                readonly: false,
                            },
                            init.other_alarms.clone(),
                            |f, v| f.other_alarms = v,
                            error_for("alarms"),
                        )}
                        {flag(form, "deploy-rollback", "rollback_on_alarm", "Roll back on alarm", None, checked(&init.rollback_on_alarm), |f, v| f.rollback_on_alarm = v)}
                    </fieldset>
                    <details class="advanced">
                        <summary>"Advanced settings"</summary>
                        {flag(
                            form,
                            "deploy-critical",
                            "critical",
                            "Critical",
                            Some("An instance whose critical daemon stops is drained and replaced."),
                            checked(&init.critical),
                            |f, v| f.critical = v,
                        )}
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
                        {flag(form, "deploy-managed-tags", "ecs_managed_tags", "Turn on ECS managed tags", None, checked(&init.ecs_managed_tags), |f, v| f.ecs_managed_tags = v)}
                        {flag(form, "deploy-exec", "execute_command", "Turn on execute command", None, checked(&init.execute_command), |f, v| f.execute_command = v)}
                    </details>
                </div>
                <div class="form-actions">
                    <a class="btn link" href=scope.path("/daemons")>"Cancel"</a>
                    <button
                        type="submit"
                        class="btn primary"
                        disabled=move || action.pending().get()
                        on:click=move |ev| {
                            errors.submit();
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

/// What a text input of the form shows, apart from its value.
struct TextInput {
    id: &'static str,
    /// The `DeployForm` field, posted as `form[name]`.
    name: &'static str,
    label: &'static str,
    help: &'static str,
    inputmode: &'static str,
    readonly: bool,
}

// One function for every text input (rather than a `view!` each) keeps the island's code small.
fn text_input(
    form: RwSignal<DeployForm>,
    t: TextInput,
    value: String,
    apply: fn(&mut DeployForm, String),
    error: Signal<Option<String>>,
) -> impl IntoView {
    let help_id = format!("{}-help", t.id);
    let error_id = format!("{}-error", t.id);
    view! {
        <div class="field">
            <label for=t.id>{t.label}</label>
            <p class="help" id=help_id.clone()>{t.help}</p>
            <input
                id=t.id
                type="text"
                inputmode=t.inputmode
                name=format!("form[{}]", t.name)
                readonly=t.readonly
                value=value
                on:input=move |ev| form.update(|f| apply(f, event_target_value(&ev)))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=format!("{help_id} {error_id}")
            />
            <div class="error" id=error_id aria-live="polite">{move || error.get()}</div>
        </div>
    }
}

/// An on/off setting, posted as `form[name]=on` when checked.
fn flag(
    form: RwSignal<DeployForm>,
    id: &'static str,
    name: &'static str,
    label: &'static str,
    help: Option<&'static str>,
    initially: bool,
    apply: fn(&mut DeployForm, Option<String>),
) -> impl IntoView {
    view! {
        <div class="field inline">
            <input
                type="checkbox"
                id=id
                name=format!("form[{name}]")
                value="on"
                checked=initially
                on:change=move |ev| form.update(|f| apply(f, on(event_target_checked(&ev))))
            />
            <label for=id>{label}</label>
            {help.map(|h| view! { <span class="help">{h}</span> })}
        </div>
    }
}

/// One checkbox of a list field (`form[list][i]=value`): a capacity provider or an alarm.
fn list_checkbox(
    form: RwSignal<DeployForm>,
    id: String,
    list: &'static str,
    i: usize,
    value: String,
    help: Option<String>,
    field: fn(&mut DeployForm) -> &mut Vec<String>,
) -> impl IntoView {
    let mut f = form.get_untracked();
    let initially = field(&mut f).contains(&value);
    let v = value.clone();
    view! {
        <div class="field inline">
            <input
                type="checkbox"
                id=id.clone()
                name=format!("form[{list}][{i}]")
                value=value.clone()
                checked=initially
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    form.update(|f| {
                        let list = field(f);
                        list.retain(|x| *x != v);
                        if on {
                            list.push(v.clone());
                        }
                    });
                }
            />
            <label for=id>{value}</label>
            {help.map(|h| view! { <span class="help">{h}</span> })}
        </div>
    }
}
