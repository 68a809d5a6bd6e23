//! `/admin/environments`: the AWS accounts and regions the portal manages, whether each answers
//! with its credentials (failures named with the environment), and adding or removing them.

use crate::components::{refresh_on_ok, reloading, FormAction, PostForm};
use leptos::prelude::*;

use super::gate::AdminGate;
use crate::api::environments::{
    admin_list_environments, AdminCheckEnvironment, AdminCreateEnvironment, AdminDeleteEnvironment,
    EnvironmentSource, EnvironmentView,
};
use crate::api::PortalError;
use crate::components::{time::format_epoch, ErrorAlert, FieldMessages, LoadError, StatusBadge, TextField};
use crate::domain::environment::EnvironmentForm;
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn EnvironmentsPage() -> impl IntoView {
    view! {
        <AdminGate current="/admin/environments">
            <PageHeader
                title="Environments"
                crumbs=vec![Crumb::link("Administration", "/admin"), Crumb::here("Environments")]
            />
            <Suspense fallback=|| view! { <p class="empty-state">"Checking environments…"</p> }>
                {Suspend::new(async move {
                    let list = admin_list_environments().await;
                    view! { <EnvironmentsBody list /> }
                })}
            </Suspense>
        </AdminGate>
    }
}

/// The page body is one island: its forms post in place and refresh its table.
#[island(lazy)]
fn EnvironmentsBody(list: Result<Vec<EnvironmentView>, PortalError>) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let list = reloading(list, refresh, admin_list_environments);
    view! {
        <p class="page-intro">
            "An environment is one AWS account and region. The portal calls ECS there with its own credentials, or by assuming the environment's IAM role (with its external ID; the session is named after the portal user who asked). One environment that does not answer never stops the others. Pages and changes act in the default environment for now."
        </p>
        <div class="panel">
            <h2>"Environments"</h2>
            {move || match list.get() {
                Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                Ok(l) => view! { <EnvironmentsTable list=l refresh /> }.into_any(),
            }}
        </div>
        <AddEnvironment refresh />
    }
}

#[component]
fn EnvironmentsTable(list: Vec<EnvironmentView>, refresh: RwSignal<u32>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty-state">"No environments."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Environments">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Account"</th>
                    <th>"Region"</th>
                    <th>"Credentials"</th>
                    <th>"Status"</th>
                    <th>"Managed by"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|v| view! { <EnvironmentRow v refresh /> }).collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

#[component]
fn EnvironmentRow(v: EnvironmentView, refresh: RwSignal<u32>) -> impl IntoView {
    let check = FormAction::<AdminCheckEnvironment>::new();
    let delete = FormAction::<AdminDeleteEnvironment>::new();
    refresh_on_ok(check, refresh);
    refresh_on_ok(delete, refresh);
    let error = Signal::derive(move || {
        check.value().get().and_then(|r| r.err()).or_else(|| delete.value().get().and_then(|r| r.err()))
    });
    let env = v.env;
    let credentials = match (&env.role_arn, &env.external_id) {
        (Some(role), Some(_)) => format!("Assumes {role} (with an external ID)"),
        (Some(role), None) => format!("Assumes {role}"),
        (None, _) => "The portal's own credentials".to_string(),
    };
    let endpoint = env.endpoint.clone().map(|e| view! { <div class="help">"Endpoint " {e}</div> });
    let (status, message, at) = match &v.check {
        Some(c) => (
            if c.ok { "OK" } else { "FAILED" },
            c.message.clone(),
            format!("checked {}", format_epoch(c.checked_at as f64 / 1000.0)),
        ),
        None => ("UNKNOWN", String::new(), "not checked yet".to_string()),
    };
    let removable = v.source != EnvironmentSource::File && !v.is_default;
    let (name1, name2) = (env.name.clone(), env.name.clone());
    view! {
        <tr data-environment=env.name.clone()>
            <td>
                {env.name.clone()}
                {v.is_default.then(|| view! { " " <span class="badge info">"Default"</span> })}
            </td>
            <td class="mono">{env.account_id.clone().unwrap_or_else(|| "the default credentials' account".into())}</td>
            <td>{env.region.clone()}</td>
            <td>{credentials} {endpoint}</td>
            <td>
                <StatusBadge status=status />
                <div class="help">{message}</div>
                <div class="help">{at}</div>
            </td>
            <td>{v.source.label()}</td>
            <td>
                <PostForm action=check attr:class="inline-form">
                    <input type="hidden" name="name" value=name1 />
                    <button type="submit" class="btn">"Check now"</button>
                </PostForm>
                {removable.then(|| view! {
                    <PostForm action=delete attr:class="inline-form">
                        <input type="hidden" name="name" value=name2 />
                        <button type="submit" class="btn danger">"Remove"</button>
                    </PostForm>
                })}
                <ErrorAlert error />
            </td>
        </tr>
    }
}

#[component]
fn AddEnvironment(refresh: RwSignal<u32>) -> impl IntoView {
    let action = FormAction::<AdminCreateEnvironment>::new();
    refresh_on_ok(action, refresh);
    let name = RwSignal::new(String::new());
    let account = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let external = RwSignal::new(String::new());
    let endpoint = RwSignal::new(String::new());
    let form = move || EnvironmentForm {
        name: name.get(),
        account_id: account.get(),
        region: region.get(),
        role_arn: role.get(),
        external_id: external.get(),
        endpoint: endpoint.get(),
    };
    let errors = FieldMessages::new(
        Memo::new(move |_| form().parse().err().unwrap_or_default()),
        Signal::derive(move || action.value().get().and_then(|r| r.err())),
    );
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            for s in [name, account, region, role, external, endpoint] {
                s.set(String::new());
            }
            errors.reset();
        }
    });
    view! {
        <div class="panel">
            <h2>"Add environment"</h2>
            <ErrorAlert error=errors.top() />
            <PostForm action>
                <div class="row">
                    <TextField id="env-name" name="form[name]" label="Name" value=name error=errors.field("name")
                        help="How pages and URLs name it: lowercase letters, digits and hyphens, e.g. prod-us-east-1." />
                    <TextField id="env-account" name="form[account_id]" label="Account ID" value=account
                        error=errors.field("account_id") help="The 12-digit AWS account ID." />
                    <TextField id="env-region" name="form[region]" label="Region" value=region
                        error=errors.field("region") help="e.g. us-east-1." />
                </div>
                <div class="row">
                    <TextField id="env-role" name="form[role_arn]" label="IAM role ARN" value=role
                        error=errors.field("role_arn")
                        help="Optional: a role in that account for the portal to assume. Empty: the portal's own credentials act there." />
                    <TextField id="env-external-id" name="form[external_id]" label="External ID" value=external
                        error=errors.field("external_id")
                        help="Optional: the sts:ExternalId the role's trust policy requires." />
                    <TextField id="env-endpoint" name="form[endpoint]" label="Endpoint" value=endpoint
                        error=errors.field("endpoint")
                        help="Optional: where to call ECS and STS instead of AWS's public endpoints (a VPC endpoint, ecs-sim)." />
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn primary" on:click=errors.on_submit() disabled=move || action.pending().get()>
                        "Add environment"
                    </button>
                </div>
            </PostForm>
        </div>
    }
}
