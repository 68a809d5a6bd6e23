//! `/admin/policies`: approval policies per environment (or every one, `*`) and cluster,
//! optionally per capacity provider.

use crate::components::{refresh_on_ok, reloading, FormAction, PostForm};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::gate::AdminGate;
use crate::api::admin::{admin_list_policies, AdminDeletePolicy, AdminSavePolicy, PolicyView};
use crate::api::PortalError;
use crate::components::FieldMessages;
use crate::components::{time::format_epoch, CheckboxField, ErrorAlert, LoadError, TextField};
use crate::domain::policy::PolicyForm;
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn PoliciesPage() -> impl IntoView {
    // `?environment=…&cluster=…&provider=…` (the Edit links) opens the form on that policy.
    let query = use_query_map();
    let edit = move || {
        let q = query.read_untracked();
        (
            q.get("environment").unwrap_or_default(),
            q.get("cluster").unwrap_or_default(),
            q.get("provider").unwrap_or_default(),
        )
    };
    view! {
        <AdminGate current="/admin/policies">
            <PageHeader
                title="Approval policies"
                crumbs=vec![Crumb::link("Administration", "/admin"), Crumb::here("Approval policies")]
            />
            <Suspense fallback=|| view! { <p class="empty-state">"Loading policies…"</p> }>
                {move || {
                    let (environment, cluster, provider) = edit();
                    Suspend::new(async move {
                        let policies = admin_list_policies().await;
                        view! { <PoliciesBody environment cluster provider policies /> }
                    })
                }}
            </Suspense>
        </AdminGate>
    }
}

/// The page body is one island: its forms post in place and refresh the table.
#[island(lazy)]
fn PoliciesBody(
    environment: String,
    cluster: String,
    provider: String,
    policies: Result<Vec<PolicyView>, PortalError>,
) -> impl IntoView {
    // The form starts from the policy the page opened on; saving refreshes the table, not the form.
    let initial = policies
        .as_ref()
        .ok()
        .and_then(|list| {
            list.iter()
                .find(|v| {
                    let env = if environment.is_empty() { "*" } else { environment.as_str() };
                    v.policy.environment == env
                        && v.policy.cluster == cluster
                        && v.policy.capacity_provider == provider
                })
                .map(|v| v.policy.to_form())
        })
        .unwrap_or_else(|| PolicyForm {
            environment: "*".into(),
            expiry_hours: "72".into(),
            approvals_required: "1".into(),
            ..Default::default()
        });
    let refresh = RwSignal::new(0u32);
    let policies = reloading(policies, refresh, admin_list_policies);
    view! {
        <p class="page-intro">
            "A change request is governed, for each capacity provider the daemon runs on now or will run on, by its environment's policies first (that provider's own, else the cluster's, else the environment's policy for every cluster), then by the same for every environment (*), else by 1 approval from any team. Every policy found must be satisfied, each by approvers of its own teams."
        </p>
        <div class="panel">
            <h2>"Policies"</h2>
            {move || match policies.get() {
                Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                Ok(list) => view! { <PoliciesTable list refresh /> }.into_any(),
            }}
        </div>
        <PolicyEditor initial refresh />
    }
}

#[component]
fn PoliciesTable(list: Vec<PolicyView>, refresh: RwSignal<u32>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="empty-state">"No policies: every request needs 1 approval from any team's approvers."</p>
        }
        .into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Approval policies">
            <thead>
                <tr>
                    <th>"Environment"</th>
                    <th>"Cluster"</th>
                    <th>"Capacity provider"</th>
                    <th>"Approvals required"</th>
                    <th>"Approver teams"</th>
                    <th>"Self-approval"</th>
                    <th>"Expiry"</th>
                    <th>"Last changed"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|v| view! { <PolicyRow v refresh /> }).collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

#[component]
fn PolicyRow(v: PolicyView, refresh: RwSignal<u32>) -> impl IntoView {
    let delete = FormAction::<AdminDeletePolicy>::new();
    refresh_on_ok(delete, refresh);
    let p = v.policy;
    let edit = format!(
        "/admin/policies?environment={}&cluster={}&provider={}",
        p.environment, p.cluster, p.capacity_provider
    );
    let cluster = if p.cluster == "*" { "* (every cluster)".to_string() } else { p.cluster.clone() };
    let environment =
        if p.environment == "*" { "* (every environment)".to_string() } else { p.environment.clone() };
    let key = crate::api::admin::policy_target(&p.environment, &p.cluster, &p.capacity_provider);
    view! {
        <tr data-policy=key>
            <td>{environment}</td>
            <td>{cluster}</td>
            <td>{if p.capacity_provider.is_empty() { "whole cluster".to_string() } else { p.capacity_provider.clone() }}</td>
            <td>{p.approvals_required}</td>
            <td>{if p.approver_teams.is_empty() { "any team".to_string() } else { p.approver_teams.join(", ") }}</td>
            <td>{if p.allow_self_approval { "Allowed" } else { "Not allowed" }}</td>
            <td>{format!("{} h", p.expiry_hours)}</td>
            <td>{format!("{} by {}", format_epoch(v.updated_at as f64 / 1000.0), v.updated_by)}</td>
            <td class="row-actions">
                <a class="btn" href=edit rel="external">"Edit"</a>
                <PostForm action=delete attr:class="inline-form">
                    <input type="hidden" name="environment" value=p.environment.clone() />
                    <input type="hidden" name="cluster" value=p.cluster.clone() />
                    <input type="hidden" name="capacity_provider" value=p.capacity_provider.clone() />
                    <button type="submit" class="btn danger">"Delete"</button>
                </PostForm>
                <ErrorAlert error=Signal::derive(move || delete.value().get().and_then(|r| r.err())) />
            </td>
        </tr>
    }
}

#[component]
fn PolicyEditor(initial: PolicyForm, refresh: RwSignal<u32>) -> impl IntoView {
    let action = FormAction::<AdminSavePolicy>::new();
    refresh_on_ok(action, refresh);
    let environment = RwSignal::new(initial.environment.clone());
    let cluster = RwSignal::new(initial.cluster.clone());
    let provider = RwSignal::new(initial.capacity_provider.clone());
    let approvals = RwSignal::new(initial.approvals_required.clone());
    let teams = RwSignal::new(initial.approver_teams.clone());
    let self_approval = RwSignal::new(initial.allow_self_approval.is_some());
    let expiry = RwSignal::new(initial.expiry_hours.clone());
    let editing = !initial.cluster.is_empty();
    let form = move || PolicyForm {
        environment: environment.get(),
        cluster: cluster.get(),
        capacity_provider: provider.get(),
        approvals_required: approvals.get(),
        approver_teams: teams.get(),
        allow_self_approval: crate::domain::form::on(self_approval.get()),
        expiry_hours: expiry.get(),
    };
    let errors = FieldMessages::new(
        Memo::new(move |_| form().parse().err().unwrap_or_default()),
        Signal::derive(move || action.value().get().and_then(|r| r.err())),
    );
    let saved = Signal::derive(move || matches!(action.value().get(), Some(Ok(()))));
    view! {
        <div class="panel">
            <h2>{if editing { "Edit policy" } else { "Create or replace a policy" }}</h2>
            <p class="help">"Saving a policy for an environment, cluster and capacity provider that already have one replaces it."</p>
            <ErrorAlert error=errors.top() />
            {move || saved.get().then(|| view! { <div class="alert success" role="status">"Policy saved."</div> })}
            <PostForm action>
                <div class="row">
                    <TextField
                        id="policy-environment"
                        name="form[environment]"
                        label="Environment"
                        value=environment
                        error=errors.field("environment")
                        help="An environment name, or * for every environment without its own policy."
                    />
                    <TextField
                        id="policy-cluster"
                        name="form[cluster]"
                        label="Cluster"
                        value=cluster
                        error=errors.field("cluster")
                        help="A cluster name, or * for every cluster without its own policy (and requests that touch no cluster)."
                    />
                    <TextField
                        id="policy-provider"
                        name="form[capacity_provider]"
                        label="Capacity provider"
                        value=provider
                        error=errors.field("capacity_provider")
                        help="Optional: narrows the policy to one capacity provider of the cluster."
                    />
                </div>
                <div class="row">
                    <TextField
                        id="policy-approvals"
                        name="form[approvals_required]"
                        label="Approvals required"
                        input_type="number"
                        value=approvals
                        error=errors.field("approvals_required")
                        help="0 to 10. 0 executes requests as soon as they are created; approvals count once per person."
                    />
                    <TextField
                        id="policy-expiry"
                        name="form[expiry_hours]"
                        label="Expiry (hours)"
                        input_type="number"
                        value=expiry
                        error=errors.field("expiry_hours")
                        help="1 to 720. A pending request expires this long after it was created or edited."
                    />
                </div>
                <TextField
                    id="policy-teams"
                    name="form[approver_teams]"
                    label="Approver teams"
                    value=teams
                    error=errors.field("approver_teams")
                    help="Teams whose approvers may approve, separated by commas. Empty: approvers of any team."
                />
                <CheckboxField
                    id="policy-self"
                    name="form[allow_self_approval]"
                    label="Allow self-approval"
                    checked=self_approval
                    help="Whether the requester's own approval counts. Off by default."
                />
                <div class="form-actions">
                    <a class="btn link" href="/admin/policies" rel="external">"Clear"</a>
                    <button type="submit" class="btn primary" on:click=errors.on_submit() disabled=move || action.pending().get()>
                        "Save policy"
                    </button>
                </div>
            </PostForm>
        </div>
    }
}
