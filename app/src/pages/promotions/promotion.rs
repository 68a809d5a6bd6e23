//! `/promotions/:id`: one promotion. Its stages as a horizontal graph (state, instances on the
//! revision, the gate checklist with live values), the controls, and its timeline. Rendered on
//! the server; while the promotion runs, the page follows it every few seconds (`components::Follow`).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Seconds between updates while the promotion runs.
const FOLLOW_SECS: u32 = 3;

use crate::api::promotions::{get_promotion, PromotionView, StageView, SteerPromotion};
use crate::components::{resource::Resource, time::format_epoch, ErrorAlert, Follow, LoadError, ProgressBar};
use crate::domain::promotion::{PromotionState, StageState};
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn PromotionPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let key = id.clone();
    let data = Resource::new_with_options(move || key.clone(), get_promotion, false);
    view! {
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the promotion…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! {
                    <PageHeader title="Promotion" crumbs=vec![Crumb::link("Promotions", "/pipelines"), Crumb::here("Promotion")] />
                    <LoadError error=e />
                }.into_any(),
                Ok(v) => view! { <PromotionBody v /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn PromotionBody(v: PromotionView) -> impl IntoView {
    let title = format!("Promotion of {}", v.row.revision);
    let crumbs = vec![
        Crumb::link("Promotions", "/pipelines"),
        Crumb::link(v.row.pipeline.clone(), format!("/pipelines/{}", v.row.pipeline)),
        Crumb::here(v.row.revision.clone()),
    ];
    let active = !v.row.state.is_final();
    let reason = (!v.row.reason.is_empty()).then(|| {
        let tone = if v.row.state == PromotionState::Failed { "error" } else { "info" };
        view! { <div class=format!("alert {tone}") role="status">{v.row.reason.clone()}</div> }
    });
    view! {
        <PageHeader title=title crumbs />
        <p class="page-intro">
            <span class=format!("badge {}", v.row.state.badge())>{v.row.state.label()}</span>
            " Started by "{v.row.requested_by.clone()}" at "{format_epoch(v.row.created_at as f64 / 1000.0)}
            " through pipeline "<a href=format!("/pipelines/{}", v.row.pipeline)>{v.row.pipeline.clone()}</a>"."
        </p>
        {reason}
        <ol class="stage-graph" aria-label="Stages">
            {v.stages.iter().map(|s| view! { <StageCard s=s.clone() current=s.position == v.current_stage && active may_promote=v.may_promote id=v.row.id.clone() /> }).collect_view()}
        </ol>
        <Controls v=v.clone() />
        <section class="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline"</h2>
            <div class="table-scroll">
                <table class="data" aria-label="Timeline">
                    <thead><tr><th>"When"</th><th>"Stage"</th><th>"Who"</th><th>"What"</th><th>"Detail"</th></tr></thead>
                    <tbody>
                        {v.events.iter().map(|e| view! {
                            <tr>
                                <td>{format_epoch(e.at as f64 / 1000.0)}</td>
                                <td>{e.stage.clone()}</td>
                                <td>{e.actor.clone()}</td>
                                <td>{e.kind.replace('_', " ")}</td>
                                <td class="wrap-anywhere">{e.detail.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        // While it runs the page follows it (no wasm; without JavaScript it reloads itself): a
        // render costs about 6 ms (bench/promotions/RESULTS.md).
        {active.then(|| view! {
            <Follow secs=FOLLOW_SECS text=format!("This page updates every {FOLLOW_SECS} s while the promotion runs.") />
        })}
    }
}

#[component]
fn StageCard(s: StageView, current: bool, may_promote: bool, id: String) -> impl IntoView {
    let percent = (s.on_target * 100).checked_div(s.instances).unwrap_or(0) as u32;
    let detail = format!("{} of {} instances on the revision", s.on_target, s.instances);
    let position = s.position;
    let promote_label = format!("Promote {}", s.name);
    let promote = (s.state == StageState::PromoteNeeded && may_promote).then(move || {
        let steer = ServerAction::<SteerPromotion>::new();
        view! {
            <ActionForm action=steer>
                <input type="hidden" name="id" value=id.clone() />
                <input type="hidden" name="action" value="promote" />
                <input type="hidden" name="stage" value=position.to_string() />
                <button type="submit" class="btn primary">{promote_label}</button>
            </ActionForm>
        }
    });
    view! {
        <li class=if current { "stage-card current" } else { "stage-card" } aria-current=if current { Some("step") } else { None }>
            <h2>{s.name.clone()}" "<span class=format!("badge {}", s.state.badge())>{s.state.label()}</span></h2>
            <p class="help"><a href=s.daemon_href.clone()>{s.target.clone()}</a></p>
            <ProgressBar percent=Signal::stored(percent) label=format!("{}: instances on the revision", s.name) detail=Signal::stored(detail) />
            <ul class="gates" aria-label=format!("Gates of {}", s.name)>
                {s.gates.iter().map(|g| view! {
                    <li>
                        <span class=format!("badge {}", g.state.badge())>{g.state.label()}</span>
                        " "<strong>{g.name.clone()}</strong>
                        {(!g.detail.is_empty()).then(|| view! { <span class="help">" · "{g.detail.clone()}</span> })}
                    </li>
                }).collect_view()}
            </ul>
            {(!s.request_id.is_empty()).then(|| view! { <p><a href=format!("/approvals/{}", s.request_id)>"Change request"</a></p> })}
            {(!s.rollback_request_id.is_empty()).then(|| view! { <p><a href=format!("/approvals/{}", s.rollback_request_id)>"Rollback request"</a></p> })}
            {promote}
        </li>
    }
}

#[component]
fn Controls(v: PromotionView) -> impl IntoView {
    let steer = ServerAction::<SteerPromotion>::new();
    let error = Signal::derive(move || steer.value().get().and_then(|r| r.err()));
    let id = v.row.id.clone();
    let (id_abort, id_back) = (id.clone(), id.clone());
    let running = v.row.state == PromotionState::Running;
    let paused = v.row.state == PromotionState::Paused;
    let button = |action: &'static str, label: &'static str, id: String| {
        view! {
            <ActionForm action=steer>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="action" value=action />
                <button type="submit" class="btn">{label}</button>
            </ActionForm>
        }
    };
    if !v.may_steer || !(running || paused || v.can_roll_back) {
        return ().into_any();
    }
    view! {
        <section class="panel" aria-labelledby="controls-title">
            <h2 id="controls-title">"Controls"</h2>
            <ErrorAlert error=error />
            <div class="form-actions start">
                {running.then(|| button("pause", "Pause", id.clone()))}
                {paused.then(|| button("resume", "Resume", id.clone()))}
            </div>
            {(running || paused).then(|| view! {
                <ActionForm action=steer attr:aria-label="Abort the promotion">
                    <input type="hidden" name="id" value=id_abort />
                    <input type="hidden" name="action" value="abort" />
                    <p class="help">
                        "ECS cannot stop a daemon deployment. Abort stops the promotion before its next stage; a deployment already running in ECS finishes, unless you send its stage back to the revision it ran before (an update, which replaces its instances again)."
                    </p>
                    <div class="field checkbox">
                        <input id="abort-roll-back" type="checkbox" name="roll_back_current" />
                        <label for="abort-roll-back">"Send the stage in progress back to its previous revision"</label>
                    </div>
                    <button type="submit" class="btn danger">"Abort promotion"</button>
                </ActionForm>
            })}
            {v.can_roll_back.then(|| view! {
                <ActionForm action=steer attr:aria-label="Roll back stages">
                    <input type="hidden" name="id" value=id_back />
                    <input type="hidden" name="action" value="roll_back" />
                    <p class="help">"Each stage this promotion deployed goes back to the revision it ran before: one change request per stage, under its approval policy."</p>
                    <button type="submit" class="btn danger">"Roll back stages"</button>
                </ActionForm>
            })}
        </section>
    }
    .into_any()
}
