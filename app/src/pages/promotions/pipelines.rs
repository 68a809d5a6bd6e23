//! `/pipelines` (pipelines and the newest promotions), `/pipelines/new` and `/pipelines/:name`
//! (its stages, "Start a promotion", its promotions, and the editor). Server-rendered; the
//! forms are plain posts to server functions, so they work without wasm.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::promotions::{
    get_pipeline, list_pipelines, list_promotions, pipeline_blast_radius, PipelineView, PromotionRow,
    SavePipeline, StageBlast, StartPromotion,
};
use crate::api::PortalError;
use crate::components::{resource::Resource, time::format_epoch, ErrorAlert, LoadError};
use crate::domain::pipeline::{PipelineForm, StageForm};
use crate::layout::{Crumb, PageHeader};

fn epoch(ms: i64) -> String {
    format_epoch(ms as f64 / 1000.0)
}

/// The message for `field` in a failed submission's answer.
fn field_error(answer: Option<Result<String, PortalError>>, field: &str) -> Option<String> {
    match answer {
        Some(Err(PortalError::Invalid(e))) => e.get(field).map(str::to_string),
        _ => None,
    }
}

#[component]
pub fn PipelinesPage() -> impl IntoView {
    let data = Resource::new_with_options(
        || (),
        |_| async { Ok::<_, PortalError>((list_pipelines().await?, list_promotions(String::new()).await?)) },
        false,
    );
    view! {
        <PageHeader title="Promotions" crumbs=vec![Crumb::here("Promotions")] />
        <p class="page-intro">
            "A pipeline is an ordered list of stages, each one daemon. A promotion takes one revision through them: each stage deploys through a change request (its approval policy applies), and the next stage starts only after ECS reports the deployment SUCCESSFUL, every instance runs the revision, and the soak time has passed with none of the stage's alarms in ALARM."
        </p>
        <Suspense fallback=|| view! { <p class="empty-state">"Loading pipelines…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e /> }.into_any(),
                Ok((pipelines, promotions)) => view! {
                    <section class="panel" aria-labelledby="pipelines-title">
                        <header>
                            <h2 id="pipelines-title">"Pipelines"</h2>
                            <span class="form-actions">
                                <a class="btn" href="/calendar">"Calendar"</a>
                                <a class="btn primary" href="/pipelines/new">"Create pipeline"</a>
                            </span>
                        </header>
                        <PipelineTable pipelines />
                    </section>
                    <section class="panel" aria-labelledby="promotions-title">
                        <h2 id="promotions-title">"Promotions"</h2>
                        <PromotionTable rows=promotions />
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PipelineTable(pipelines: Vec<PipelineView>) -> impl IntoView {
    if pipelines.is_empty() {
        return view! { <p class="empty-state">"No pipelines yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="data" aria-label="Pipelines">
                <thead><tr><th>"Name"</th><th>"Stages"</th><th>"Description"</th><th>"Updated"</th></tr></thead>
                <tbody>
                    {pipelines.into_iter().map(|p| view! {
                        <tr>
                            <td><a href=format!("/pipelines/{}", p.name)>{p.name.clone()}</a></td>
                            <td>{p.stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(" → ")}</td>
                            <td>{p.description.clone()}</td>
                            <td>{epoch(p.updated_at)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Promotions, newest first, with each stage's state (history grouped by promotion).
#[component]
pub fn PromotionTable(rows: Vec<PromotionRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty-state">"No promotions yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="data" aria-label="Promotions">
                <thead><tr><th>"Revision"</th><th>"Pipeline"</th><th>"State"</th><th>"Stages"</th><th>"Started by"</th><th>"Started"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td><a href=format!("/promotions/{}", r.id)>{r.revision.clone()}</a></td>
                            <td><a href=format!("/pipelines/{}", r.pipeline)>{r.pipeline.clone()}</a></td>
                            <td><span class=format!("badge {}", r.state.badge())>{r.state.label()}</span></td>
                            <td class="stage-chips">
                                {r.stages.iter().map(|(name, st)| view! {
                                    <span class=format!("badge {}", st.badge()) title=st.label()>{name.clone()}</span>
                                }).collect_view()}
                            </td>
                            <td>{r.requested_by.clone()}</td>
                            <td>{epoch(r.created_at)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn PipelinePage() -> impl IntoView {
    let params = use_params_map();
    let name = params.read_untracked().get("name").unwrap_or_default();
    let key = name.clone();
    let data = Resource::new_with_options(
        move || key.clone(),
        |n| async move {
            Ok::<_, PortalError>((
                get_pipeline(n.clone()).await?,
                list_promotions(n.clone()).await?,
                pipeline_blast_radius(n).await?,
            ))
        },
        false,
    );
    view! {
        <PageHeader title=format!("Pipeline {name}") crumbs=vec![Crumb::link("Promotions", "/pipelines"), Crumb::here(name.clone())] />
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the pipeline…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <LoadError error=e /> }.into_any(),
                Ok((p, promotions, blast)) => view! {
                    <p class="page-intro">{p.description.clone()}</p>
                    <section class="panel" aria-labelledby="stages-title">
                        <h2 id="stages-title">"Stages"</h2>
                        <StagesTable p=p.clone() />
                    </section>
                    <BlastRadius blast />
                    <StartForm pipeline=p.name.clone() />
                    <section class="panel" aria-labelledby="promotions-title">
                        <h2 id="promotions-title">"Promotions"</h2>
                        <PromotionTable rows=promotions />
                    </section>
                    <PipelineEditor form=PipelineSpecForm::of(&p) original=p.name.clone() />
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn StagesTable(p: PipelineView) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="data" aria-label="Stages">
                <thead><tr>
                    <th>"#"</th><th>"Stage"</th><th>"Daemon"</th><th>"Drain %"</th><th>"Bake (min)"</th>
                    <th>"Alarms"</th><th>"Soak (s)"</th><th>"Manual promote"</th>
                </tr></thead>
                <tbody>
                    {p.stages.iter().enumerate().map(|(i, s)| view! {
                        <tr>
                            <td>{i + 1}</td>
                            <td>{s.name.clone()}</td>
                            <td>{s.target_label()}</td>
                            <td>{s.drain_percent.to_string()}</td>
                            <td>{s.bake_time_minutes}</td>
                            <td>{s.alarms.join(", ")}</td>
                            <td>{s.soak_seconds}</td>
                            <td>{if s.manual_promote { "Yes" } else { "No" }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What a promotion through the pipeline replaces, stage by stage, before it starts.
#[component]
fn BlastRadius(blast: Vec<StageBlast>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="blast-title">
            <h2 id="blast-title">"Blast radius"</h2>
            <p class="alert warn" role="note">{crate::domain::blast_radius::REPLACEMENT_WARNING}</p>
            <div class="table-scroll">
                <table class="data" aria-label="Blast radius">
                    <thead><tr>
                        <th>"Stage"</th><th>"Capacity provider"</th><th>"Instances replaced"</th><th>"Batches"</th>
                        <th>"Application tasks that move"</th><th>"Estimated duration"</th>
                    </tr></thead>
                    <tbody>
                        {blast.into_iter().map(|b| match b.providers {
                            Err(e) => view! { <tr><td>{b.stage.clone()}</td><td colspan="5">{e}</td></tr> }.into_any(),
                            Ok(list) => list.into_iter().map(|r| view! {
                                <tr>
                                    <td>{b.stage.clone()}</td>
                                    <td>{r.provider.clone()}</td>
                                    <td>{r.instances}</td>
                                    <td>{crate::domain::blast_radius::batches_text(r.batches, r.per_batch)}</td>
                                    <td>{r.app_tasks}</td>
                                    <td>{r.estimate_text()}</td>
                                </tr>
                            }).collect_view().into_any(),
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// A plain form (no wasm); `layout/keep_input.js` puts back a refused revision.
#[component]
fn StartForm(pipeline: String) -> impl IntoView {
    let start = ServerAction::<StartPromotion>::new();
    let answer = move || start.value().get();
    let revision_error = move || field_error(answer(), "revision");
    let other = Signal::derive(move || match answer() {
        Some(Err(PortalError::Invalid(e))) if e.get("revision").is_some() => None,
        Some(Err(e)) => Some(e),
        _ => None,
    });
    view! {
        <section class="panel" id="start" aria-labelledby="start-title">
            <h2 id="start-title">"Start a promotion"</h2>
            <ErrorAlert error=other />
            <ActionForm action=start attr:data-keep-input="">
                <input type="hidden" name="pipeline" value=pipeline />
                <div class="field">
                    <label for="start-revision">"Revision"</label>
                    <p class="help" id="start-revision-help">"The daemon task definition revision to take through the stages, as family:revision (for example cloudwatch-agent:2)."</p>
                    <input id="start-revision" name="revision" type="text" required placeholder="family:revision"
                        aria-describedby="start-revision-help start-revision-error"
                        aria-invalid=move || if revision_error().is_some() { "true" } else { "false" } />
                    <div class="error" id="start-revision-error" aria-live="polite">{revision_error}</div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn primary" disabled=move || start.pending().get()>"Start promotion"</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// The editor's starting values.
pub struct PipelineSpecForm;

impl PipelineSpecForm {
    fn of(p: &PipelineView) -> PipelineForm {
        crate::domain::pipeline::PipelineSpec {
            name: p.name.clone(),
            description: p.description.clone(),
            stages: p.stages.clone(),
        }
        .to_form()
    }
}

#[component]
pub fn NewPipelinePage() -> impl IntoView {
    view! {
        <PageHeader title="Create pipeline" crumbs=vec![Crumb::link("Promotions", "/pipelines"), Crumb::here("Create pipeline")] />
        <PipelineEditor form=PipelineForm::default() original=String::new() />
    }
}

/// One text field of a stage, with its message.
fn stage_field(
    i: usize,
    f: &'static str,
    label: &'static str,
    help: &'static str,
    value: String,
    error: impl Fn(&str) -> Option<String> + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let id = format!("stage-{i}-{f}");
    let key = format!("stages.{i}.{f}");
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let described = format!("{help_id} {error_id}");
    let e2 = error.clone();
    let k2 = key.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <p class="help" id=help_id>{help}</p>
            <input id=id name=format!("form[stages][{i}][{f}]") type="text" value=value aria-describedby=described
                aria-invalid=move || if e2(&k2).is_some() { "true" } else { "false" } />
            <div class="error" id=error_id aria-live="polite">{move || error(&key)}</div>
        </div>
    }
}

fn stage_check(i: usize, f: &'static str, label: &'static str, checked: bool) -> impl IntoView {
    let id = format!("stage-{i}-{f}");
    view! {
        <div class="field checkbox">
            <input id=id.clone() type="checkbox" name=format!("form[stages][{i}][{f}]") checked=checked />
            <label for=id>{label}</label>
        </div>
    }
}

/// A plain form (no wasm): a refusal comes back with each message next to its field, and
/// `layout/keep_input.js` puts back every field as typed.
#[component]
fn PipelineEditor(form: PipelineForm, original: String) -> impl IntoView {
    let save = ServerAction::<SavePipeline>::new();
    let error = move |field: &str| field_error(save.value().get(), field);
    let other = Signal::derive(move || match save.value().get() {
        Some(Err(PortalError::Invalid(e))) if e.0.keys().any(|k| k == "name" || k.starts_with("stages.")) => {
            None
        }
        Some(Err(e)) => Some(e),
        _ => None,
    });
    let editing = !original.is_empty();
    let mut stages = form.stages.clone();
    stages.push(StageForm::default());
    let count = stages.len();
    let stage_views = stages
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let blank = i + 1 == count;
            let legend = if blank { "Add a stage".to_string() } else { format!("Stage {}", i + 1) };
            view! {
                <fieldset class="stage-fieldset">
                    <legend>{legend}</legend>
                    <div class="field-grid">
                        {stage_field(i, "name", "Stage name", "For example canary, general or prod.", s.name.clone(), error)}
                        {stage_field(i, "environment", "Environment", "Blank for the default environment.", s.environment.clone(), error)}
                        {stage_field(i, "cluster", "Cluster", "The cluster the daemon runs on.", s.cluster.clone(), error)}
                        {stage_field(i, "daemon", "Daemon name", "The daemon this stage deploys (created if it does not exist).", s.daemon.clone(), error)}
                        {stage_field(i, "capacity_providers", "Capacity providers", "Comma-separated names, for example mi-canary.", s.capacity_providers.clone(), error)}
                        {stage_field(i, "drain_percent", "Drain percent", "Share of instances replaced at once, 1 to 100 (default 25).", s.drain_percent.clone(), error)}
                        {stage_field(i, "bake_time_minutes", "Bake time (minutes)", "How long ECS watches the alarms after the last batch, 0 to 1440.", s.bake_time_minutes.clone(), error)}
                        {stage_field(i, "alarms", "Alarms", "Comma-separated CloudWatch alarm names, watched by ECS and during the soak.", s.alarms.clone(), error)}
                        {stage_field(i, "soak_seconds", "Soak time (seconds)", "How long the stage must run with no alarm in ALARM before the next starts.", s.soak_seconds.clone(), error)}
                    </div>
                    {stage_check(i, "rollback_on_alarm", "Roll back when an alarm goes off", crate::domain::form::checked(&s.rollback_on_alarm))}
                    {stage_check(i, "manual_promote", "Require a manual promote by an approver before this stage starts", crate::domain::form::checked(&s.manual_promote))}
                    {(!blank).then(|| stage_check(i, "remove", "Remove this stage", false))}
                </fieldset>
            }
        })
        .collect_view();
    let name_error = move || error("name");
    let stages_error = move || error("stages");
    view! {
        <section class="panel" aria-labelledby="editor-title">
            <h2 id="editor-title">{if editing { "Edit pipeline" } else { "Pipeline" }}</h2>
            <ErrorAlert error=other />
            <ActionForm action=save attr:data-keep-input="">
                <input type="hidden" name="original" value=original.clone() />
                <div class="field">
                    <label for="pipeline-name">"Pipeline name"</label>
                    <p class="help" id="pipeline-name-help">"Letters, digits, hyphens and underscores."</p>
                    <input id="pipeline-name" name="form[name]" type="text" value=form.name.clone() readonly=editing
                        aria-describedby="pipeline-name-help pipeline-name-error"
                        aria-invalid=move || if name_error().is_some() { "true" } else { "false" } />
                    <div class="error" id="pipeline-name-error" aria-live="polite">{name_error}</div>
                </div>
                <div class="field">
                    <label for="pipeline-description">"Description"</label>
                    <textarea id="pipeline-description" name="form[description]" rows="2">{form.description.clone()}</textarea>
                </div>
                <div class="error" aria-live="polite">{stages_error}</div>
                {stage_views}
                <div class="form-actions">
                    <button type="submit" class="btn primary" disabled=move || save.pending().get()>
                        {if editing { "Save pipeline" } else { "Create pipeline" }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}
