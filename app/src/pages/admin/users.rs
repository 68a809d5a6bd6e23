//! `/admin`: users. Create (username, password, admin flag), reset a password, disable or
//! enable, grant or revoke the admin flag.

use crate::components::{refresh_on_ok, reloading, FormAction, PostForm};
use leptos::prelude::*;

use super::gate::AdminGate;
use crate::api::admin::{
    admin_list_users, AdminCreateUser, AdminResetPassword, AdminSetUserAdmin, AdminSetUserDisabled, UserView,
};
use crate::api::PortalError;
use crate::components::FieldMessages;
use crate::components::{time::format_epoch, CheckboxField, ErrorAlert, LoadError, StatusBadge, TextField};
use crate::domain::account::NewUserForm;
use crate::layout::{Crumb, PageHeader};

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <AdminGate current="/admin">
            <PageHeader title="Users" crumbs=vec![Crumb::link("Administration", "/admin"), Crumb::here("Users")] />
            <Suspense fallback=|| view! { <p class="empty-state">"Loading users…"</p> }>
                {Suspend::new(async move {
                    let users = admin_list_users().await;
                    view! { <UsersBody users /> }
                })}
            </Suspense>
        </AdminGate>
    }
}

/// The page body is one island: its forms post in place and refresh its tables.
#[island(lazy)]
fn UsersBody(users: Result<Vec<UserView>, PortalError>) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let users = reloading(users, refresh, admin_list_users);
    view! {
        <div class="panel">
            <h2>"Users"</h2>
            {move || match users.get() {
                Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                Ok(list) => view! { <UsersTable list refresh /> }.into_any(),
            }}
        </div>
        <CreateUser refresh />
    }
}

#[component]
fn UsersTable(list: Vec<UserView>, refresh: RwSignal<u32>) -> impl IntoView {
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Users">
            <thead>
                <tr>
                    <th>"Username"</th>
                    <th>"Status"</th>
                    <th>"Administrator"</th>
                    <th>"Teams"</th>
                    <th>"Created"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|u| view! { <UserRow u refresh /> }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn UserRow(u: UserView, refresh: RwSignal<u32>) -> impl IntoView {
    let disable = FormAction::<AdminSetUserDisabled>::new();
    let admin = FormAction::<AdminSetUserAdmin>::new();
    let reset = FormAction::<AdminResetPassword>::new();
    refresh_on_ok(disable, refresh);
    refresh_on_ok(admin, refresh);
    let reset_done = Signal::derive(move || matches!(reset.value().get(), Some(Ok(()))));
    let error = Signal::derive(move || {
        [disable.value().get(), admin.value().get(), reset.value().get()]
            .into_iter()
            .flatten()
            .find_map(|r| r.err())
    });
    let teams = if u.teams.is_empty() {
        "—".to_string()
    } else {
        u.teams.iter().map(|(t, r)| format!("{t} ({})", r.as_str())).collect::<Vec<_>>().join(", ")
    };
    let (name1, name2, name3) = (u.username.clone(), u.username.clone(), u.username.clone());
    let reset_label = format!("New password for {}", u.username);
    let reset_id = format!("reset-{}", u.username);
    view! {
        <tr data-user=u.username.clone()>
            <td>{u.username.clone()}</td>
            <td><StatusBadge status=if u.disabled { "DISABLED" } else { "ACTIVE" } /></td>
            <td>{if u.is_admin { "Yes" } else { "No" }}</td>
            <td>{teams}</td>
            <td>{format_epoch(u.created_at as f64 / 1000.0)}</td>
            <td class="row-actions">
                <PostForm action=disable attr:class="inline-form">
                    <input type="hidden" name="username" value=name1 />
                    <input type="hidden" name="disabled" value=if u.disabled { "false" } else { "true" } />
                    <button type="submit" class="btn">{if u.disabled { "Enable" } else { "Disable" }}</button>
                </PostForm>
                <PostForm action=admin attr:class="inline-form">
                    <input type="hidden" name="username" value=name2 />
                    <input type="hidden" name="admin" value=if u.is_admin { "false" } else { "true" } />
                    <button type="submit" class="btn">
                        {if u.is_admin { "Remove admin" } else { "Make admin" }}
                    </button>
                </PostForm>
                <PostForm action=reset attr:class="inline-form reset-password">
                    <input type="hidden" name="username" value=name3 />
                    <label class="visually-hidden" for=reset_id.clone()>{reset_label}</label>
                    <input
                        id=reset_id
                        type="password"
                        name="password"
                        autocomplete="new-password"
                        placeholder="New password"
                        minlength="12"
                    />
                    <button type="submit" class="btn">"Reset password"</button>
                </PostForm>
                {move || reset_done.get().then(|| view! { <span class="help" role="status">"Password changed."</span> })}
                <ErrorAlert error />
            </td>
        </tr>
    }
}

#[component]
fn CreateUser(refresh: RwSignal<u32>) -> impl IntoView {
    let action = FormAction::<AdminCreateUser>::new();
    refresh_on_ok(action, refresh);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let is_admin = RwSignal::new(false);
    let form = move || NewUserForm {
        username: username.get(),
        password: password.get(),
        is_admin: crate::domain::form::on(is_admin.get()),
    };
    let errors = FieldMessages::new(
        Memo::new(move |_| form().parse().err().unwrap_or_default()),
        Signal::derive(move || action.value().get().and_then(|r| r.err())),
    );
    // A created user clears the form for the next one.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            username.set(String::new());
            password.set(String::new());
            is_admin.set(false);
            errors.reset();
        }
    });
    view! {
        <div class="panel">
            <h2>"Create user"</h2>
            <ErrorAlert error=errors.top() />
            <PostForm action>
                <div class="row">
                    <TextField
                        id="user-username"
                        name="form[username]"
                        label="Username"
                        value=username
                        error=errors.field("username")
                        help="1–64 letters, digits, hyphens, underscores, dots or @."
                    />
                    <TextField
                        id="user-password"
                        name="form[password]"
                        label="Password"
                        input_type="password"
                        value=password
                        error=errors.field("password")
                        help="At least 12 characters. Stored as an Argon2id hash."
                    />
                </div>
                <CheckboxField
                    id="user-admin"
                    name="form[is_admin]"
                    label="Administrator"
                    checked=is_admin
                    help="Administrators manage users, teams and policies, and may deploy anywhere."
                />
                <div class="form-actions">
                    <button type="submit" class="btn primary" on:click=errors.on_submit() disabled=move || action.pending().get()>
                        "Create user"
                    </button>
                </div>
            </PostForm>
        </div>
    }
}
