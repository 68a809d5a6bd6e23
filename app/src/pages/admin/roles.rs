//! `/admin/roles`: the role allowlist, which IAM roles each team's task definitions may name.

use crate::components::{refresh_on_ok, reloading, FormAction, PostForm};
use leptos::prelude::*;

use super::gate::AdminGate;
use crate::api::role_allowlist::{admin_list_role_grants, AdminGrantRole, AdminRevokeRole, RoleAllowlist};
use crate::api::PortalError;
use crate::components::FieldMessages;
use crate::components::{time::format_epoch, ErrorAlert, LoadError, TextField};
use crate::domain::role_allowlist::RoleGrantForm;
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn RolesPage() -> impl IntoView {
    view! {
        <AdminGate current="/admin/roles">
            <PageHeader
                title="Allowed roles"
                crumbs=vec![Crumb::link("Administration", "/admin"), Crumb::here("Allowed roles")]
            />
            <Suspense fallback=|| view! { <p class="empty-state">"Loading allowed roles…"</p> }>
                {Suspend::new(async move {
                    let list = admin_list_role_grants().await;
                    view! { <RolesBody list /> }
                })}
            </Suspense>
        </AdminGate>
    }
}

/// The page body is one island: its forms post in place and refresh its table.
#[island(lazy)]
fn RolesBody(list: Result<RoleAllowlist, PortalError>) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let list = reloading(list, refresh, admin_list_role_grants);
    view! {
        <p class="page-intro">
            "A daemon task definition may name a task or execution role only if it is allowed for everyone (set by PORTAL_ROLES) or granted to a team the author deploys for. The portal checks this when a definition is registered, and again when a deploy or update would run it."
        </p>
        <div class="panel">
            <h2>"Granted to teams"</h2>
            {move || match list.get() {
                Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                Ok(l) => view! { <GrantsTable list=l refresh /> }.into_any(),
            }}
        </div>
        <GrantEditor refresh />
    }
}

#[component]
fn GrantsTable(list: RoleAllowlist, refresh: RwSignal<u32>) -> impl IntoView {
    let everyone = if list.everyone.is_empty() {
        view! { <p class="empty-state">"No role is allowed for everyone."</p> }.into_any()
    } else {
        view! {
            <p class="wrap-anywhere">"Allowed for everyone: " {list.everyone.join(", ")}</p>
        }
        .into_any()
    };
    let table = if list.grants.is_empty() {
        view! { <p class="empty-state">"No role is granted to a team."</p> }.into_any()
    } else {
        view! {
            <div class="table-scroll">
            <table class="data" aria-label="Roles granted to teams">
                <thead>
                    <tr>
                        <th>"Team"</th>
                        <th>"Role ARN"</th>
                        <th>"Granted"</th>
                        <th>"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .grants
                        .into_iter()
                        .map(|v| {
                            let revoke = FormAction::<AdminRevokeRole>::new();
                            refresh_on_ok(revoke, refresh);
                            let g = v.grant;
                            view! {
                                <tr>
                                    <td>{g.team.clone()}</td>
                                    <td class="mono">{g.role_arn.clone()}</td>
                                    <td>{format!("{} by {}", format_epoch(v.granted_at as f64 / 1000.0), v.granted_by)}</td>
                                    <td>
                                        <PostForm action=revoke attr:class="inline-form">
                                            <input type="hidden" name="form[team]" value=g.team.clone() />
                                            <input type="hidden" name="form[role_arn]" value=g.role_arn.clone() />
                                            <button type="submit" class="btn danger">"Revoke"</button>
                                        </PostForm>
                                        <ErrorAlert error=Signal::derive(move || revoke.value().get().and_then(|r| r.err())) />
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
    };
    view! { {everyone} {table} }
}

#[component]
fn GrantEditor(refresh: RwSignal<u32>) -> impl IntoView {
    let action = FormAction::<AdminGrantRole>::new();
    refresh_on_ok(action, refresh);
    let team = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let form = move || RoleGrantForm { team: team.get(), role_arn: role.get() };
    let errors = FieldMessages::new(
        Memo::new(move |_| form().parse().err().unwrap_or_default()),
        Signal::derive(move || action.value().get().and_then(|r| r.err())),
    );
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            role.set(String::new());
            errors.reset();
        }
    });
    view! {
        <div class="panel">
            <h2>"Grant a role"</h2>
            <ErrorAlert error=errors.top() />
            <PostForm action>
                <div class="row">
                    <TextField
                        id="grant-team"
                        name="form[team]"
                        label="Team"
                        value=team
                        error=errors.field("team")
                        help="The team whose deployers may name the role."
                    />
                    <TextField
                        id="grant-role"
                        name="form[role_arn]"
                        label="Role ARN"
                        value=role
                        error=errors.field("role_arn")
                        help="The full ARN, e.g. arn:aws:iam::123456789012:role/cw-agent-task."
                    />
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn primary" on:click=errors.on_submit() disabled=move || action.pending().get()>
                        "Grant role"
                    </button>
                </div>
            </PostForm>
        </div>
    }
}
