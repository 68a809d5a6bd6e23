//! `/approvals/:id`: one change request — summary, policy and who may approve, the review form,
//! the diff and the exact ECS input, the timeline. Refreshes itself while it executes.

use crate::components::field_messages::server_message;
use crate::components::resource::Resource;
use crate::components::{FormAction, PostForm};
use crate::domain::deployment::DEFAULT_DRAIN_PERCENT;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::StateBadge;
use crate::api::changes::{
    get_change_request, CancelChangeRequest, ChangeRequestDetail, EditChangeRequest, OverrideFreeze,
    ReviewChangeRequest,
};
use crate::components::{
    poll::poll_while, time::format_epoch, Alert, ErrorAlert, LoadError, ProgressBar, ShortArn,
};
use crate::domain::change::ChangeState;
use crate::layout::{Crumb, PageHeader};

fn when(ms: i64) -> String {
    if ms <= 0 {
        "—".into()
    } else {
        format_epoch(ms as f64 / 1000.0)
    }
}

fn dash(s: &str) -> String {
    if s.is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let id = use_params_map().read_untracked().get("id").unwrap_or_default();
    // The header is server-rendered (the document title lives outside the island); the island
    // reads the request again for everything that changes.
    let header = {
        let id = id.clone();
        Resource::new_with_options(|| (), move |_| get_change_request(id.clone()), false)
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let title = header.await.map(|d| d.row.summary).unwrap_or_else(|_| "Change request".into());
                view! { <PageHeader title crumbs=vec![Crumb::link("Approvals", "/approvals"), Crumb::here("Request")] /> }
            })}
        </Suspense>
        <RequestLive id />
    }
}

/// The whole request: an island, because its forms post in place and it follows an execution
/// while one runs.
#[island(lazy)]
fn RequestLive(id: String) -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let actions = Actions {
        review: FormAction::<ReviewChangeRequest>::new(),
        cancel: FormAction::<CancelChangeRequest>::new(),
        edit: FormAction::<EditChangeRequest>::new(),
        unfreeze: FormAction::<OverrideFreeze>::new(),
    };
    // The forms post back to this page: read the request again after each of them.
    let request = Resource::new_with_options(
        move || (tick.get(), actions.versions()),
        move |_| get_change_request(id.clone()),
        false,
    );
    // While it is approved or executing, read it again after a delay.
    poll_while(tick, move || {
        request.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|d| matches!(d.row.state, ChangeState::Approved | ChangeState::Executing))
        })
    });
    view! {
        <Transition fallback=|| view! { <p class="empty-state">"Loading the request…"</p> }>
            {move || {
                request.get().map(|r| match r {
                    Ok(d) => view! { <RequestBody d=d actions=actions /> }.into_any(),
                    Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                })
            }}
        </Transition>
    }
}

/// The page's forms; their versions key the page's data.
#[derive(Clone, Copy)]
struct Actions {
    review: FormAction<ReviewChangeRequest>,
    cancel: FormAction<CancelChangeRequest>,
    edit: FormAction<EditChangeRequest>,
    unfreeze: FormAction<OverrideFreeze>,
}

impl Actions {
    fn versions(&self) -> [usize; 4] {
        [
            self.review.version().get(),
            self.cancel.version().get(),
            self.edit.version().get(),
            self.unfreeze.version().get(),
        ]
    }
}

#[component]
fn RequestBody(d: ChangeRequestDetail, actions: Actions) -> impl IntoView {
    let r = d.row.clone();
    let approvals = d.reviews.iter().filter(|v| v.current && v.approve).count();
    let requirements = d.policy.requirements();
    let daemon_link = (!r.daemon.is_empty())
        .then(|| format!("{}/daemons/{}/{}", d.environment_prefix, r.cluster, r.daemon));
    view! {
        <div class="panel">
            <h2>"Request"</h2>
            <dl class="kv">
                <div><dt>"State"</dt><dd><StateBadge state=r.state /></dd></div>
                <div><dt>"Kind"</dt><dd>{r.kind.label()}</dd></div>
                <div><dt>"Requester"</dt><dd class="requester">{r.requester.clone()}</dd></div>
                <div><dt>"Team"</dt><dd>{if r.team.is_empty() { "—".to_string() } else { r.team.clone() }}</dd></div>
                <div><dt>"Environment"</dt><dd class="environment">{dash(&r.environment)}</dd></div>
                {d.promotion.clone().map(|(id, stage)| view! {
                    <div><dt>"Promotion"</dt><dd><a href=format!("/promotions/{id}")>{format!("stage {stage}")}</a></dd></div>
                })}
                <div><dt>"Cluster"</dt><dd>{if r.cluster.is_empty() { "—".to_string() } else { r.cluster.clone() }}</dd></div>
                <div>
                    <dt>"Daemon"</dt>
                    <dd>{daemon_link.clone().map(|href| view! { <a href=href>{r.daemon.clone()}</a> })}</dd>
                </div>
                <div><dt>"From revision"</dt><dd class="mono">{dash(&r.from_revision)}</dd></div>
                <div><dt>"To revision"</dt><dd class="mono">{dash(&r.to_revision)}</dd></div>
                <div><dt>"Created"</dt><dd>{when(r.created_at)}</dd></div>
                <div><dt>"Expires"</dt><dd>{if r.state == ChangeState::Pending { when(r.expires_at) } else { "—".into() }}</dd></div>
                <div><dt>"Request ID"</dt><dd class="mono">{r.id.clone()}</dd></div>
                <div><dt>"Version"</dt><dd class="request-version">{d.version}</dd></div>
            </dl>
            {(!d.outcome.is_empty()).then(|| view! { <p class="reason">"Outcome: "{d.outcome.clone()}</p> })}
            {(!d.override_reason.is_empty())
                .then(|| view! { <p class="reason">"Freeze overridden: "{d.override_reason.clone()}</p> })}
        </div>
        {(r.state == ChangeState::Executing || (!d.deployment_arn.is_empty() && r.state != ChangeState::Pending)).then(|| {
            let pct = r.progress;
            view! {
                <div class="panel">
                    <h2>"Rollout"</h2>
                    <ProgressBar percent=Signal::derive(move || pct) label="Rollout progress" />
                    {(!d.deployment_arn.is_empty()).then(|| view! {
                        <p class="deployment-arn">"ECS deployment " <ShortArn arn=d.deployment_arn.clone() /></p>
                    })}
                    {daemon_link.clone().map(|href| view! { <p><a href=href>"Follow it on the daemon page"</a></p> })}
                </div>
            }
        })}
        {(!d.frozen_by.is_empty()).then(|| view! {
            <Alert kind="warning">
                {format!("Approved, waiting for a freeze window to end: {}", d.frozen_by.join("; "))}
            </Alert>
        })}
        <div class="panel">
            <h2>{format!("Approvals ({approvals} of {})", d.policy.approvals_required)}</h2>
            <p class="help">
                {format!(
                    "Every policy below must be satisfied, each by approvers of its own teams; the requester {} approve; pending requests expire after {} h.",
                    if d.policy.allow_self_approval { "may" } else { "may not" },
                    d.policy.expiry_hours
                )}
            </p>
            <ul class="policies" aria-label="Policies that apply">
                {requirements.into_iter().map(|q| view! {
                    <li>
                        <strong>{q.describe()}</strong>
                        {(!q.why.is_empty()).then(|| view! { <span class="why">{format!(" — {}", q.why.join("; "))}</span> })}
                    </li>
                }).collect_view()}
            </ul>
            {(!d.approvals_missing.is_empty()).then(|| view! {
                <p class="help approvals-missing">{format!("Still needed: {}.", d.approvals_missing.join("; "))}</p>
            })}
            {if d.reviews.is_empty() {
                view! { <p class="empty-state">"No reviews yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                    <table class="data" aria-label="Reviews">
                        <thead><tr><th>"Reviewer"</th><th>"Decision"</th><th>"Comment"</th><th>"When"</th></tr></thead>
                        <tbody>
                            {d.reviews.iter().map(|v| view! {
                                <tr class=if v.current { "" } else { "void" }>
                                    <td>{v.reviewer.clone()}</td>
                                    <td>
                                        {if v.approve { "Approved" } else { "Rejected" }}
                                        {(!v.current).then_some(" (void: the request was edited)")}
                                    </td>
                                    <td class="comment">{v.comment.clone()}</td>
                                    <td>{when(v.at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }
                .into_any()
            }}
            {match d.review_refusal.clone() {
                None => view! { <ReviewForm id=r.id.clone() version=d.version action=actions.review /> }.into_any(),
                Some(why) if r.state == ChangeState::Pending => {
                    view! { <p class="help review-refusal">{format!("You cannot review this request: {why}")}</p> }.into_any()
                }
                Some(_) => ().into_any(),
            }}
        </div>
        {d.can_override_freeze.then(|| view! { <OverrideForm id=r.id.clone() action=actions.unfreeze /> })}
        {d.can_edit.then(|| view! { <EditForm d=d.clone() action=actions.edit /> })}
        {d.can_cancel.then(|| view! { <CancelForm id=r.id.clone() action=actions.cancel /> })}
        <div class="panel">
            <h2>"Changes"</h2>
            <pre class="diff">{d.diff.clone()}</pre>
        </div>
        <div class="panel">
            <h2>"ECS input"</h2>
            <p class="help">"The exact call the portal sends to ECS when the request executes."</p>
            <pre class="json">{d.ecs_input.clone()}</pre>
        </div>
        <div class="panel">
            <h2>"Timeline"</h2>
            <ol class="timeline">
                {d.events.iter().map(|e| view! {
                    <li>
                        <span class="when">{when(e.at)}</span>" "
                        <strong>{e.kind.replace('_', " ")}</strong>" "
                        <span class="actor">{e.actor.clone()}</span>
                        {(!e.detail.is_empty()).then(|| view! { <span class="detail">{format!(" — {}", e.detail)}</span> })}
                    </li>
                }).collect_view()}
            </ol>
        </div>
    }
}

/// Approve or reject the version on screen: `version` goes with the review, so that an edit
/// made after this page was read makes the server refuse it (409) instead of counting it.
#[component]
fn ReviewForm(id: String, version: u32, action: FormAction<ReviewChangeRequest>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let field_error = move || error.with(|e| server_message(e.as_ref(), "comment"));
    view! {
        <PostForm action=action attr:class="review-form">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="version" value=version.to_string() />
            <div class="field">
                <label for="review-comment">"Comment"</label>
                <p class="help" id="review-comment-help">"Optional when approving; required when rejecting."</p>
                <textarea
                    id="review-comment"
                    name="comment"
                    rows="3"
                    maxlength="2000"
                    aria-describedby="review-comment-help review-comment-error"
                ></textarea>
                <div class="error" id="review-comment-error" aria-live="polite">{field_error}</div>
            </div>
            {move || error.get().filter(|e| e.fields().is_none()).map(|e| view! { <LoadError error=e.clone() /> })}
            <div class="form-actions">
                <button type="submit" name="decision" value="reject" class="btn danger">"Reject"</button>
                <button type="submit" name="decision" value="approve" class="btn primary">"Approve"</button>
            </div>
        </PostForm>
    }
}

#[component]
fn CancelForm(id: String, action: FormAction<CancelChangeRequest>) -> impl IntoView {
    view! {
        <div class="panel">
            <h2>"Withdraw"</h2>
            <ErrorAlert error=Signal::derive(move || action.value().get().and_then(|r| r.err())) />
            <PostForm action=action>
                <input type="hidden" name="id" value=id />
                <button type="submit" class="btn">"Cancel request"</button>
            </PostForm>
        </div>
    }
}

#[component]
fn OverrideForm(id: String, action: FormAction<OverrideFreeze>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <div class="panel">
            <h2>"Override the freeze"</h2>
            <PostForm action=action>
                <input type="hidden" name="id" value=id />
                <div class="field">
                    <label for="override-reason">"Reason"</label>
                    <p class="help">"Recorded on the request and in the audit log."</p>
                    <textarea id="override-reason" name="reason" rows="2" required></textarea>
                    <div class="error" aria-live="polite">
                        {move || error.get().and_then(|e| e.fields().and_then(|f| f.get("reason").map(str::to_string)))}
                    </div>
                </div>
                <button type="submit" class="btn danger">"Execute despite the freeze"</button>
            </PostForm>
        </div>
    }
}

/// The requester changes revision, drain and bake time; approvals so far become void.
#[component]
fn EditForm(d: ChangeRequestDetail, action: FormAction<EditChangeRequest>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let field = move |name: &'static str| move || error.with(|e| server_message(e.as_ref(), name));
    let Some(spec) = d.spec.clone() else { return ().into_any() };
    let revision = spec.revision.map(|r| r.to_string()).unwrap_or_default();
    view! {
        <div class="panel">
            <h2>"Edit request"</h2>
            <p class="help">"Saving voids the approvals given so far."</p>
            {move || error.get().filter(|e| e.fields().is_none()).map(|e| view! { <LoadError error=e.clone() /> })}
            <PostForm action=action>
                <input type="hidden" name="id" value=d.row.id.clone() />
                {spec.daemon_arn.clone().map(|a| view! { <input type="hidden" name="form[daemon_arn]" value=a /> })}
                <input type="hidden" name="form[cluster]" value=spec.cluster.clone() />
                <input type="hidden" name="form[daemon_name]" value=spec.daemon_name.clone() />
                <input type="hidden" name="form[family]" value=spec.family.clone() />
                {spec.capacity_providers.iter().enumerate().map(|(i, p)| view! {
                    <input type="hidden" name=format!("form[capacity_providers][{i}]") value=p.clone() />
                }).collect_view()}
                {spec.alarms.iter().enumerate().map(|(i, a)| view! {
                    <input type="hidden" name=format!("form[alarms][{i}]") value=a.clone() />
                }).collect_view()}
                {spec.rollback_on_alarm.then(|| view! { <input type="hidden" name="form[rollback_on_alarm]" value="on" /> })}
                {spec.critical.then(|| view! { <input type="hidden" name="form[critical]" value="on" /> })}
                <input type="hidden" name="form[propagate_tags]" value=if spec.propagate_tags { "DAEMON" } else { "NONE" } />
                <div class="field">
                    <label for="edit-revision">"Revision"</label>
                    <input id="edit-revision" name="form[revision]" value=revision inputmode="numeric" />
                    <div class="error" aria-live="polite">{field("revision")}</div>
                </div>
                <div class="field">
                    <label for="edit-drain">"Drain percentage"</label>
                    <input id="edit-drain" name="form[drain_percent]" value=spec.drain_percent.unwrap_or(DEFAULT_DRAIN_PERCENT).to_string() />
                    <div class="error" aria-live="polite">{field("drain_percent")}</div>
                </div>
                <div class="field">
                    <label for="edit-bake">"Bake time (minutes)"</label>
                    <input id="edit-bake" name="form[bake_time]" value=spec.bake_time.unwrap_or(0).to_string() />
                    <div class="error" aria-live="polite">{field("bake_time")}</div>
                </div>
                <button type="submit" class="btn">"Save changes"</button>
            </PostForm>
        </div>
    }
    .into_any()
}
