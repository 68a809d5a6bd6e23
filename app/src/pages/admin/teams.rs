//! `/admin/teams`: teams (create, delete) and memberships (add a user to a team with a role,
//! change the role, remove).

use crate::components::{refresh_on_ok, reloading, FormAction, PostForm};
use leptos::prelude::*;

use super::gate::AdminGate;
use crate::api::admin::{
    admin_list_teams, AdminCreateTeam, AdminDeleteTeam, AdminRemoveMembership, AdminSetMembership,
    MembershipView, TeamsOverview,
};
use crate::api::PortalError;
use crate::components::field_messages::{server_message, shown, Seen};
use crate::components::{ErrorAlert, LoadError, SelectField, TextField};
use crate::domain::account::parse_team_name;
use crate::domain::FieldErrors;
use crate::layout::{Crumb, PageHeader};

const ROLES: [(&str, &str); 3] = [
    ("viewer", "Viewer: sees everything"),
    ("deployer", "Deployer: may request changes"),
    ("approver", "Approver: may approve requests"),
];

#[component]
pub fn TeamsPage() -> impl IntoView {
    view! {
        <AdminGate current="/admin/teams">
            <PageHeader
                title="Teams and memberships"
                crumbs=vec![Crumb::link("Administration", "/admin"), Crumb::here("Teams and memberships")]
            />
            <Suspense fallback=|| view! { <p class="empty-state">"Loading teams…"</p> }>
                {Suspend::new(async move {
                    let overview = admin_list_teams().await;
                    view! { <TeamsBody overview /> }
                })}
            </Suspense>
        </AdminGate>
    }
}

/// The page body is one island: its forms post in place and refresh its tables.
#[island(lazy)]
fn TeamsBody(overview: Result<TeamsOverview, PortalError>) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let overview = reloading(overview, refresh, admin_list_teams);
    let loaded = move |f: fn(TeamsOverview, RwSignal<u32>) -> AnyView| {
        move || match overview.get() {
            Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
            Ok(o) => f(o, refresh),
        }
    };
    view! {
        <p class="page-intro">
            "A team's members have one role each: viewers see, deployers request changes, approvers approve them. Approval policies name the teams whose approvers may approve."
        </p>
        <div class="panel">
            <h2>"Teams"</h2>
            {loaded(|o, refresh| view! { <TeamsTable o refresh /> }.into_any())}
        </div>
        <CreateTeam refresh />
        <div class="panel">
            <h2>"Memberships"</h2>
            {loaded(|o, refresh| view! { <MembershipsTable o refresh /> }.into_any())}
        </div>
        {loaded(|o, refresh| view! { <AddMember o refresh /> }.into_any())}
    }
}

#[component]
fn TeamsTable(o: TeamsOverview, refresh: RwSignal<u32>) -> impl IntoView {
    if o.teams.is_empty() {
        return view! { <p class="empty-state">"No teams yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Teams">
            <thead>
                <tr>
                    <th>"Team"</th>
                    <th>"Members"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {o
                    .teams
                    .into_iter()
                    .map(|t| {
                        let delete = FormAction::<AdminDeleteTeam>::new();
                        refresh_on_ok(delete, refresh);
                        let name = t.name.clone();
                        view! {
                            <tr data-team=t.name.clone()>
                                <td>{t.name.clone()}</td>
                                <td>{t.members}</td>
                                <td>
                                    <PostForm action=delete attr:class="inline-form">
                                        <input type="hidden" name="name" value=name />
                                        <button type="submit" class="btn danger">"Delete team"</button>
                                    </PostForm>
                                    <ErrorAlert error=Signal::derive(move || delete.value().get().and_then(|r| r.err())) />
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
}

#[component]
fn CreateTeam(refresh: RwSignal<u32>) -> impl IntoView {
    let action = FormAction::<AdminCreateTeam>::new();
    refresh_on_ok(action, refresh);
    let name = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let server = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    // The module's rule on plain data rather than a `FieldMessages`: this page's only checked
    // field, and a `Memo<FieldErrors>` here cost the page 2 KB of wasm (bench/portal).
    let error = Signal::derive(move || {
        let mut client = FieldErrors::new();
        client.check("name", parse_team_name(&name.get()));
        let seen = Seen { submitted: submitted.get(), ..Seen::default() };
        let server = server.read();
        shown("name", &client, server.as_ref().and_then(PortalError::fields), &seen).map(str::to_string)
    });
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            name.set(String::new());
            submitted.set(false);
        }
    });
    view! {
        <div class="panel">
            <h2>"Create team"</h2>
            <ErrorAlert error=Signal::derive(move || server.get().filter(|e| e.fields().is_none())) />
            <PostForm action>
                <TextField
                    id="team-name"
                    name="name"
                    label="Team name"
                    value=name
                    error
                    help="1–64 letters, digits, hyphens and underscores, e.g. payments."
                />
                <div class="form-actions">
                    <button
                        type="submit"
                        class="btn primary"
                        on:click=move |ev| {
                            submitted.set(true);
                            if parse_team_name(&name.get_untracked()).is_err() {
                                ev.prevent_default();
                            }
                        }
                    >
                        "Create team"
                    </button>
                </div>
            </PostForm>
        </div>
    }
}

#[component]
fn MembershipsTable(o: TeamsOverview, refresh: RwSignal<u32>) -> impl IntoView {
    if o.memberships.is_empty() {
        return view! { <p class="empty-state">"No memberships yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
        <table class="data" aria-label="Memberships">
            <thead>
                <tr>
                    <th>"User"</th>
                    <th>"Team"</th>
                    <th>"Role"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {o.memberships.into_iter().map(|m| view! { <MembershipRow m refresh /> }).collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

#[component]
fn MembershipRow(m: MembershipView, refresh: RwSignal<u32>) -> impl IntoView {
    let change = FormAction::<AdminSetMembership>::new();
    let remove = FormAction::<AdminRemoveMembership>::new();
    refresh_on_ok(change, refresh);
    refresh_on_ok(remove, refresh);
    let error = Signal::derive(move || {
        change.value().get().and_then(|r| r.err()).or_else(|| remove.value().get().and_then(|r| r.err()))
    });
    let select_id = format!("role-{}-{}", m.username, m.team);
    let current = m.role.as_str();
    let key = format!("{}/{}", m.username, m.team);
    let label = format!("Role of {} in {}", m.username, m.team);
    let (user1, team1, user2, team2) =
        (m.username.clone(), m.team.clone(), m.username.clone(), m.team.clone());
    view! {
        <tr data-member=key>
            <td>{m.username.clone()}</td>
            <td>{m.team.clone()}</td>
            <td>
                <PostForm action=change attr:class="inline-form">
                    <input type="hidden" name="username" value=user1 />
                    <input type="hidden" name="team" value=team1 />
                    <label class="visually-hidden" for=select_id.clone()>
                        {label}
                    </label>
                    <select id=select_id name="role">
                        {ROLES
                            .iter()
                            .map(|&(v, _)| view! { <option value=v selected={v == current}>{v}</option> })
                            .collect_view()}
                    </select>
                    <button type="submit" class="btn">"Change role"</button>
                </PostForm>
            </td>
            <td>
                <PostForm action=remove attr:class="inline-form">
                    <input type="hidden" name="username" value=user2 />
                    <input type="hidden" name="team" value=team2 />
                    <button type="submit" class="btn danger">"Remove"</button>
                </PostForm>
                <ErrorAlert error />
            </td>
        </tr>
    }
}

#[component]
fn AddMember(o: TeamsOverview, refresh: RwSignal<u32>) -> impl IntoView {
    let action = FormAction::<AdminSetMembership>::new();
    refresh_on_ok(action, refresh);
    let server = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let user = RwSignal::new(o.usernames.first().cloned().unwrap_or_default());
    let team = RwSignal::new(o.teams.first().map(|t| t.name.clone()).unwrap_or_default());
    let role = RwSignal::new("viewer".to_string());
    let users: Vec<(String, String)> = o.usernames.iter().map(|u| (u.clone(), u.clone())).collect();
    let teams: Vec<(String, String)> = o.teams.iter().map(|t| (t.name.clone(), t.name.clone())).collect();
    let roles: Vec<(String, String)> = ROLES.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect();
    let no_teams = teams.is_empty();
    view! {
        <div class="panel">
            <h2>"Add a member"</h2>
            <p class="help">"Adding someone who is already a member changes their role."</p>
            <ErrorAlert error=Signal::derive(move || server.get().filter(|e| e.fields().is_none())) />
            <PostForm action>
                <div class="row">
                    <SelectField
                        id="member-user"
                        name="username"
                        label="User"
                        value=user
                        options=users
                        error=Signal::derive(move || server_message(server.read().as_ref(), "username"))
                    />
                    <SelectField
                        id="member-team"
                        name="team"
                        label="Team"
                        value=team
                        options=teams
                        error=Signal::derive(move || server_message(server.read().as_ref(), "team"))
                        help="Create teams in the Teams panel above."
                    />
                    <SelectField
                        id="member-role"
                        name="role"
                        label="Role"
                        value=role
                        options=roles
                        error=Signal::derive(move || server_message(server.read().as_ref(), "role"))
                    />
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn primary" disabled=no_teams>"Add member"</button>
                </div>
            </PostForm>
        </div>
    }
}
