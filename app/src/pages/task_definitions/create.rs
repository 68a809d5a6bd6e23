//! The "Create new daemon task definition" form, its JSON view, and "Create new revision".

use crate::components::resource::Resource;
use crate::components::{FormAction, PostForm};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::revision_href;
use crate::api::task_definitions::{
    get_task_definition_spec, load_task_definition_form_options, CreateTaskDefinition,
};
use crate::api::PortalError;
use crate::components::{CheckboxField, ErrorAlert, LoadError, TextField, TrackedFieldMessages};
use crate::domain::form::{checked, on};
use crate::domain::role_arn::{expansion_note, RoleScope};
use crate::domain::task_definition::{ContainerForm, EnvForm, TaskDefinitionForm, MAX_CONTAINERS};
use crate::layout::{Crumb, PageHeader};
use crate::pages::env_scope::EnvScope;

/// `/task-definitions/new` (and `/e/<env>/task-definitions/new`)
#[component]
pub fn CreateTaskDefinitionPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let env = scope.arg();
    let options = Resource::new_with_options(move || env.clone(), load_task_definition_form_options, false);
    let env = scope.arg();
    view! {
        <PageHeader
            title="Create new daemon task definition"
            crumbs=scope.crumbs(vec![Crumb::link("Daemon task definitions", scope.path("/task-definitions"))])
        />
        <p class="page-intro">
            "A daemon task definition describes the containers that run once on every instance of the capacity providers you deploy it to."
        </p>
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the form…"</p> }>
            {move || {
                let env = env.clone();
                Suspend::new(async move {
                match options.await {
                    Err(e) => view! { <LoadError error=e.clone() /> }.into_any(),
                    Ok(o) => {
                        let initial = TaskDefinitionForm::blank(&o.region);
                        view! { <TaskDefinitionEditor initial roles=o.roles role_scope=o.role_scope family_locked=false env /> }
                            .into_any()
                    }
                }
            })}}
        </Suspense>
    }
}

/// `/task-definitions/:family/:revision/new-revision`: the form prefilled from a revision.
#[component]
pub fn NewRevisionPage() -> impl IntoView {
    let scope = EnvScope::from_route();
    let params = use_params_map();
    let family = move || params.read().get("family").unwrap_or_default();
    let revision = move || params.read().get("revision").and_then(|r| r.parse::<u32>().ok()).unwrap_or(0);
    let env = scope.arg();
    let source = Resource::new_with_options(
        move || (family(), revision(), env.clone()),
        |(f, r, e)| get_task_definition_spec(f, r, e),
        false,
    );
    let env = scope.arg();
    let options = Resource::new_with_options(move || env.clone(), load_task_definition_form_options, false);
    let env = scope.arg();
    let crumbs = scope.crumbs(vec![
        Crumb::link("Daemon task definitions", scope.path("/task-definitions")),
        Crumb::link(format!("{}:{}", family(), revision()), revision_href(&scope, &family(), revision())),
    ]);
    view! {
        <PageHeader title="Create new revision" crumbs />
        <p class="page-intro">
            {move || format!(
                "Prefilled from {}:{}. Creating registers the next revision of the family; daemons keep running their revision until you update them.",
                family(),
                revision(),
            )}
        </p>
        <Suspense fallback=|| view! { <p class="empty-state">"Loading the revision…"</p> }>
            {move || {
                let env = env.clone();
                Suspend::new(async move {
                match (options.await, source.await) {
                    (Err(e), _) | (_, Err(e)) => {
                        view! { <LoadError error=e.clone() /> }.into_any()
                    }
                    (Ok(o), Ok(spec)) => {
                        let mut initial = spec.to_form();
                        if initial.region.is_empty() {
                            initial.region = o.region.clone();
                        }
                        view! { <TaskDefinitionEditor initial roles=o.roles role_scope=o.role_scope family_locked=true env /> }
                            .into_any()
                    }
                }
            })}}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct EnvRow {
    key: RwSignal<String>,
    value: RwSignal<String>,
}

impl EnvRow {
    fn new(e: &EnvForm) -> Self {
        Self { key: RwSignal::new(e.key.clone()), value: RwSignal::new(e.value.clone()) }
    }
}

#[derive(Clone, Copy)]
struct ContainerState {
    name: RwSignal<String>,
    image: RwSignal<String>,
    essential: RwSignal<bool>,
    cpu: RwSignal<String>,
    memory: RwSignal<String>,
    env: RwSignal<Vec<EnvRow>>,
    auto_logs: RwSignal<bool>,
    log_group: RwSignal<String>,
}

impl ContainerState {
    fn new(c: &ContainerForm) -> Self {
        Self {
            name: RwSignal::new(c.name.clone()),
            image: RwSignal::new(c.image.clone()),
            essential: RwSignal::new(checked(&c.essential)),
            cpu: RwSignal::new(c.cpu.clone()),
            memory: RwSignal::new(c.memory.clone()),
            env: RwSignal::new(c.env.iter().map(EnvRow::new).collect()),
            auto_logs: RwSignal::new(checked(&c.auto_logs)),
            log_group: RwSignal::new(c.log_group.clone()),
        }
    }

    fn blank() -> Self {
        Self::new(&ContainerForm { essential: on(true), env: vec![EnvForm::default()], ..Default::default() })
    }

    fn snapshot(&self) -> ContainerForm {
        ContainerForm {
            name: self.name.get(),
            image: self.image.get(),
            essential: on(self.essential.get()),
            cpu: self.cpu.get(),
            memory: self.memory.get(),
            env: self.env.get().iter().map(|e| EnvForm { key: e.key.get(), value: e.value.get() }).collect(),
            auto_logs: on(self.auto_logs.get()),
            log_group: self.log_group.get(),
        }
    }
}

/// The whole form as signals, so the form and the JSON view edit the same definition.
#[derive(Clone, Copy)]
struct FormState {
    family: RwSignal<String>,
    task_role: RwSignal<String>,
    execution_role: RwSignal<String>,
    task_cpu: RwSignal<String>,
    task_memory: RwSignal<String>,
    containers: RwSignal<Vec<ContainerState>>,
    region: RwSignal<String>,
    /// "form" or "json".
    mode: RwSignal<String>,
    json: RwSignal<String>,
    /// The editor's owner: rows and containers added later (in event handlers) get their
    /// signals from it, so they live as long as the form rather than the render that made them.
    owner: StoredValue<Option<Owner>>,
}

impl FormState {
    fn new(f: &TaskDefinitionForm) -> Self {
        let s = Self {
            family: RwSignal::new(String::new()),
            task_role: RwSignal::new(String::new()),
            execution_role: RwSignal::new(String::new()),
            task_cpu: RwSignal::new(String::new()),
            task_memory: RwSignal::new(String::new()),
            containers: RwSignal::new(vec![]),
            region: RwSignal::new(String::new()),
            mode: RwSignal::new("form".into()),
            json: RwSignal::new(String::new()),
            owner: StoredValue::new(Owner::current()),
        };
        s.load(f);
        s
    }

    /// Runs `f` (which creates signals) under the editor's owner.
    fn owned<T>(&self, f: impl FnOnce() -> T) -> T {
        match self.owner.get_value() {
            Some(o) => o.with(f),
            None => f(),
        }
    }

    fn load(&self, f: &TaskDefinitionForm) {
        self.family.set(f.family.clone());
        self.task_role.set(f.task_role.clone());
        self.execution_role.set(f.execution_role.clone());
        self.task_cpu.set(f.task_cpu.clone());
        self.task_memory.set(f.task_memory.clone());
        let containers: Vec<ContainerState> = self.owned(|| {
            f.containers
                .iter()
                .map(|c| {
                    let c = ContainerState::new(c);
                    if c.env.with_untracked(Vec::is_empty) {
                        c.env.set(vec![EnvRow::new(&EnvForm::default())]);
                    }
                    c
                })
                .collect()
        });
        self.containers.set(containers);
        if !f.region.is_empty() {
            self.region.set(f.region.clone());
        }
    }

    fn snapshot(&self) -> TaskDefinitionForm {
        TaskDefinitionForm {
            family: self.family.get(),
            task_role: self.task_role.get(),
            execution_role: self.execution_role.get(),
            task_cpu: self.task_cpu.get(),
            task_memory: self.task_memory.get(),
            containers: self.containers.get().iter().map(ContainerState::snapshot).collect(),
            region: self.region.get(),
            mode: self.mode.get(),
            json: if self.mode.get() == "json" { self.json.get() } else { String::new() },
        }
    }
}

/// The form, its JSON view and inline validation: an island, the part of these pages that runs
/// in the browser.
#[island(lazy)]
fn TaskDefinitionEditor(
    initial: TaskDefinitionForm,
    roles: Vec<String>,
    /// Where role names expand (the clusters' account), for the note under the role fields.
    role_scope: Option<RoleScope>,
    /// New revisions keep their family.
    family_locked: bool,
    /// Where it is registered ("" = the default environment); posted with the form.
    env: String,
) -> impl IntoView {
    let action = FormAction::<CreateTaskDefinition>::new();
    let state = FormState::new(&initial);
    let server_error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let errors = TrackedFieldMessages::new(
        Memo::new(move |_| state.snapshot().parse().err().unwrap_or_default()),
        server_error,
    );
    let pending = action.pending();
    let switch_error = RwSignal::new(None::<String>);

    let to_json = move |_| {
        let mut f = state.snapshot();
        f.mode = String::new();
        state.json.set(serde_json::to_string_pretty(&f.to_json_lenient()).unwrap_or_default());
        switch_error.set(None);
        state.mode.set("json".into());
    };
    let to_form = move |_| match TaskDefinitionForm::from_json_text(&state.json.get_untracked()) {
        Ok(f) => {
            state.load(&f);
            switch_error.set(None);
            state.mode.set("form".into());
        }
        Err(e) => switch_error.set(Some(format!("The JSON cannot be shown as a form: {e}"))),
    };
    // The browser checks first: a form it already knows is wrong is not sent.
    let blocked = RwSignal::new(false);
    let on_create = move |ev: leptos::ev::MouseEvent| {
        errors.submit();
        let wrong = !errors.client_ok();
        blocked.set(wrong);
        if wrong {
            ev.prevent_default();
        }
    };
    let top_error = Signal::derive(move || {
        let client = errors.client().get();
        if blocked.get() && !client.is_empty() {
            Some(PortalError::Invalid(client))
        } else {
            server_error.get()
        }
    });

    let roles_list = roles.clone();
    let role_help = match roles.first() {
        Some(r) => format!("Choose a configured role (e.g. {r}), or type a role name or ARN."),
        None => {
            "A role name such as ecsTaskExecutionRole (expanded to this account's ARN) or a role ARN.".into()
        }
    };
    let role_scope = StoredValue::new(role_scope);

    view! {
        <ErrorAlert error=top_error />
        <PostForm action>
            <input type="hidden" name="form[region]" value=move || state.region.get() />
            <input type="hidden" name="form[mode]" value=move || state.mode.get() />
            <input type="hidden" name="environment" value=env.clone() />
            <div class="tabs td-view-tabs" role="tablist" aria-label="Editor">
                <button
                    type="button"
                    role="tab"
                    id="td-tab-form"
                    aria-controls="td-panel"
                    aria-selected=move || if state.mode.get() == "form" { "true" } else { "false" }
                    on:click=move |ev| {
                        if state.mode.get_untracked() != "form" {
                            to_form(ev)
                        }
                    }
                >
                    "Form"
                </button>
                <button
                    type="button"
                    role="tab"
                    id="td-tab-json"
                    aria-controls="td-panel"
                    aria-selected=move || if state.mode.get() == "json" { "true" } else { "false" }
                    on:click=move |ev| {
                        if state.mode.get_untracked() != "json" {
                            to_json(ev)
                        }
                    }
                >
                    "JSON"
                </button>
            </div>
            <div id="td-panel" role="tabpanel">
                {move || {
                    if state.mode.get() == "json" {
                        view! { <JsonView state errors switch_error /> }.into_any()
                    } else {
                        view! {
                            <FormView
                                state
                                errors
                                role_help=role_help.clone()
                                role_scope=role_scope.get_value()
                                family_locked
                            />
                        }
                            .into_any()
                    }
                }}
            </div>
            <datalist id="td-roles">
                {roles_list.into_iter().map(|r| view! { <option value=r></option> }).collect_view()}
            </datalist>
            <div class="form-actions">
                <a class="btn link" href=EnvScope::named(env.clone()).path("/task-definitions")>"Cancel"</a>
                <button
                    type="submit"
                    class="btn primary"
                    name="form[submit]"
                    value="create"
                    on:click=on_create
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { "Creating…" } else { "Create" }}
                </button>
            </div>
        </PostForm>
    }
}

/// A wrapper that marks `key` touched when its field is edited.
#[component]
fn Touch(errors: TrackedFieldMessages, #[prop(into)] key: String, children: Children) -> impl IntoView {
    let k1 = key.clone();
    view! {
        <div
            class="td-touch"
            on:input=move |_| errors.touch(&key)
            on:change=move |_| errors.touch(&k1)
        >
            {children()}
        </div>
    }
}

#[component]
fn FormView(
    state: FormState,
    errors: TrackedFieldMessages,
    role_help: String,
    role_scope: Option<RoleScope>,
    family_locked: bool,
) -> impl IntoView {
    // What a typed role name will be registered as (ECS takes names; the portal sends the ARN).
    let scope = StoredValue::new(role_scope);
    let note = move |id: &'static str, value: RwSignal<String>| {
        move || {
            scope.with_value(|s| expansion_note(&value.get(), s.as_ref())).map(|n| {
                view! { <p class="help role-expansion" id=id aria-live="polite">{n}</p> }
            })
        }
    };
    let e = move |k: &str| errors.field(k.to_string());
    let add_container = move |_| {
        state.containers.update(|c| {
            if c.len() < MAX_CONTAINERS {
                let first = c.is_empty();
                let new = state.owned(ContainerState::blank);
                new.essential.set(first);
                c.push(new)
            }
        })
    };
    view! {
        <fieldset>
            <legend>"Task definition"</legend>
            <Touch errors key="family">
                <TextField
                    id="td-family"
                    name="form[family]"
                    label="Daemon task definition family"
                    value=state.family
                    error=e("family")
                    help=if family_locked {
                        "The family of the new revision. Change it to start a new family instead."
                    } else {
                        "1–255 letters, digits, hyphens (-) and underscores (_). Registering again in the same family adds a revision."
                    }
                />
            </Touch>
            <div class="row">
                <Touch errors key="task_role">
                    <TextField
                        id="td-task-role"
                        name="form[task_role]"
                        label="Task role"
                        value=state.task_role
                        error=e("task_role")
                        list="td-roles"
                        help="Optional. The role the containers' AWS calls use: a role name or ARN."
                    />
                    {note("td-task-role-expansion", state.task_role)}
                </Touch>
                <Touch errors key="execution_role">
                    <TextField
                        id="td-execution-role"
                        name="form[execution_role]"
                        label="Task execution role"
                        value=state.execution_role
                        error=e("execution_role")
                        list="td-roles"
                        help=role_help
                    />
                    {note("td-execution-role-expansion", state.execution_role)}
                </Touch>
            </div>
            <div class="row">
                <Touch errors key="task_cpu">
                    <TextField
                        id="td-task-cpu"
                        name="form[task_cpu]"
                        label="Task CPU"
                        value=state.task_cpu
                        error=e("task_cpu")
                        help="Optional, in vCPU (e.g. 1 or 0.25). At least what the containers need."
                    />
                </Touch>
                <Touch errors key="task_memory">
                    <TextField
                        id="td-task-memory"
                        name="form[task_memory]"
                        label="Task memory"
                        value=state.task_memory
                        error=e("task_memory")
                        help="Optional, in GB (e.g. 0.5 or 2)."
                    />
                </Touch>
            </div>
        </fieldset>
        <h2 class="td-section">"Containers"</h2>
        {move || {
            let containers = state.containers.get();
            let count = containers.len();
            containers
                .into_iter()
                .enumerate()
                .map(|(i, c)| view! { <ContainerFields i c count state errors /> })
                .collect_view()
        }}
        <div class="error" id="td-containers-error" aria-live="polite">{e("containers")}</div>
        <div class="td-add">
            <button
                type="button"
                class="btn"
                on:click=add_container
                disabled=move || state.containers.with(|c| c.len() >= MAX_CONTAINERS)
            >
                "Add container"
            </button>
        </div>
    }
}

#[component]
fn ContainerFields(
    i: usize,
    c: ContainerState,
    count: usize,
    state: FormState,
    errors: TrackedFieldMessages,
) -> impl IntoView {
    let e = move |k: &str| errors.field(format!("containers.{i}.{k}"));
    let id = move |k: &str| format!("td-c{i}-{k}");
    let name = move |k: &str| format!("form[containers][{i}][{k}]");
    let remove = move |_| {
        state.containers.update(|cs| {
            if i < cs.len() {
                cs.remove(i);
            }
        })
    };
    let add_env = move |_| {
        let row = state.owned(|| EnvRow::new(&EnvForm::default()));
        c.env.update(|rows| rows.push(row))
    };
    let auto_logs_changed = move |_| {
        // Checking the box suggests a log group named after the family.
        if c.auto_logs.get_untracked() && c.log_group.get_untracked().trim().is_empty() {
            let family = state.family.get_untracked();
            let family = family.trim();
            c.log_group.set(format!("/ecs/{}", if family.is_empty() { "daemon" } else { family }));
        }
    };
    // Without JavaScript "Add environment variable" cannot run, so the page carries a few
    // extra blank rows that only a browser without scripts shows.
    let initial_rows = c.env.with_untracked(Vec::len);
    let noscript_rows = (initial_rows..initial_rows + 3)
        .map(|j| {
            format!(
                r#"<div class="row td-env"><div class="field"><label for="td-c{i}-env{j}-key">Key</label><input id="td-c{i}-env{j}-key" type="text" name="form[containers][{i}][env][{j}][key]"></div><div class="field"><label for="td-c{i}-env{j}-value">Value</label><input id="td-c{i}-env{j}-value" type="text" name="form[containers][{i}][env][{j}][value]"></div></div>"#
            )
        })
        .collect::<String>();
    view! {
        <fieldset class="td-container">
            <legend>{format!("Container {}", i + 1)}</legend>
            <div class="td-container-actions">
                <button
                    type="button"
                    class="btn link"
                    aria-label=format!("Remove container {}", i + 1)
                    on:click=remove
                    disabled=count <= 1
                >
                    "Remove container"
                </button>
            </div>
            <div class="row">
                <Touch errors key=format!("containers.{i}.name")>
                    <TextField
                        id=id("name")
                        name=name("name")
                        label="Container name"
                        value=c.name
                        error=e("name")
                        help="Letters, digits, - and _."
                    />
                </Touch>
                <Touch errors key=format!("containers.{i}.image")>
                    <TextField
                        id=id("image")
                        name=name("image")
                        label="Image"
                        value=c.image
                        error=e("image")
                        help="e.g. amazon/cloudwatch-agent:latest"
                    />
                </Touch>
            </div>
            <CheckboxField
                id=id("essential")
                name=name("essential")
                label="Essential"
                checked=c.essential
                help="If an essential container stops, the daemon task stops."
            />
            <div class="row">
                <Touch errors key=format!("containers.{i}.cpu")>
                    <TextField
                        id=id("cpu")
                        name=name("cpu")
                        label="CPU"
                        value=c.cpu
                        error=e("cpu")
                        help="vCPU, e.g. 1 or 0.25 (1 vCPU = 1024 CPU units)."
                    />
                </Touch>
                <Touch errors key=format!("containers.{i}.memory")>
                    <TextField
                        id=id("memory")
                        name=name("memory")
                        label="Memory"
                        value=c.memory
                        error=e("memory")
                        help="GB, e.g. 0.5 (stored as MiB)."
                    />
                </Touch>
            </div>
            <fieldset class="td-env-set">
                <legend>"Environment variables"</legend>
                {move || {
                    let rows = c.env.get();
                    rows.into_iter()
                        .enumerate()
                        .map(|(j, row)| view! { <EnvFields i j row c errors /> })
                        .collect_view()
                }}
                <noscript inner_html=noscript_rows></noscript>
                <div class="error" aria-live="polite">{e("env")}</div>
                <button type="button" class="btn" on:click=add_env>"Add environment variable"</button>
            </fieldset>
            <fieldset class="td-logs">
                <legend>"Log collection"</legend>
                <div on:change=auto_logs_changed>
                    <CheckboxField
                        id=id("auto-logs")
                        name=name("auto_logs")
                        label="Auto-configure CloudWatch Logs"
                        checked=c.auto_logs
                        help="Sends the container's output to CloudWatch Logs (awslogs driver), creating the log group."
                    />
                </div>
                <Touch errors key=format!("containers.{i}.log_group")>
                    <TextField
                        id=id("log-group")
                        name=name("log_group")
                        label="Log group name"
                        value=c.log_group
                        error=e("log_group")
                        placeholder="/ecs/cloudwatch-agent-daemon"
                        help="Used when Auto-configure CloudWatch Logs is on. Streams are prefixed with ecs/."
                    />
                </Touch>
            </fieldset>
        </fieldset>
    }
}

#[component]
fn EnvFields(
    i: usize,
    j: usize,
    row: EnvRow,
    c: ContainerState,
    errors: TrackedFieldMessages,
) -> impl IntoView {
    let key = format!("containers.{i}.env.{j}.key");
    let value = format!("containers.{i}.env.{j}.value");
    let remove = move |_| {
        c.env.update(|rows| {
            if j < rows.len() {
                rows.remove(j);
            }
        })
    };
    view! {
        <div class="row td-env">
            <Touch errors key=key.clone()>
                <TextField
                    id=format!("td-c{i}-env{j}-key")
                    name=format!("form[containers][{i}][env][{j}][key]")
                    label="Key"
                    value=row.key
                    error=errors.field(key)
                />
            </Touch>
            <Touch errors key=value.clone()>
                <TextField
                    id=format!("td-c{i}-env{j}-value")
                    name=format!("form[containers][{i}][env][{j}][value]")
                    label="Value"
                    value=row.value
                    error=errors.field(value)
                />
            </Touch>
            <button
                type="button"
                class="btn link td-env-remove"
                aria-label=format!("Remove environment variable {}", j + 1)
                on:click=remove
            >
                "Remove"
            </button>
        </div>
    }
}

#[component]
fn JsonView(
    state: FormState,
    errors: TrackedFieldMessages,
    switch_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| copy_text(&state.json.get_untracked(), copied);
    let json_error = Signal::derive(move || switch_error.get().or_else(|| errors.field("json").get()));
    view! {
        <div class="field td-json">
            <label for="td-json">"Definition JSON"</label>
            <p class="help" id="td-json-help">
                "The same definition in the shape of "
                <code>"aws ecs register-daemon-task-definition --cli-input-json file://daemon.json"</code>
                ". Edit it here, or switch back to the form."
            </p>
            <Touch errors key="json">
                <textarea
                    id="td-json"
                    name="form[json]"
                    spellcheck="false"
                    rows="24"
                    aria-describedby="td-json-help td-json-error"
                    aria-invalid=move || if json_error.get().is_some() { "true" } else { "false" }
                    prop:value=move || state.json.get()
                    on:input=move |ev| {
                        state.json.set(event_target_value(&ev));
                        copied.set(None);
                    }
                >
                    {state.json.get_untracked()}
                </textarea>
            </Touch>
            <div class="error" id="td-json-error" aria-live="polite">{move || json_error.get()}</div>
            <div class="td-json-actions">
                <button type="button" class="btn" on:click=copy>"Copy JSON"</button>
                <span role="status" class="help">
                    {move || match copied.get() {
                        Some(true) => "Copied to the clipboard.",
                        Some(false) => "The browser did not allow copying; select the text and copy it.",
                        None => "",
                    }}
                </span>
            </div>
        </div>
    }
}

/// `navigator.clipboard.writeText(text)`, where the browser offers it; `done` gets the outcome.
fn copy_text(text: &str, done: RwSignal<Option<bool>>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::__reexports::wasm_bindgen_futures::JsFuture;
        use leptos::wasm_bindgen::{JsCast, JsValue};
        use leptos::web_sys::js_sys::{Function, Promise, Reflect};
        let get = |o: &JsValue, k: &str| Reflect::get(o, &JsValue::from_str(k)).ok();
        let window: JsValue = window().into();
        let promise = get(&window, "navigator")
            .and_then(|n| get(&n, "clipboard"))
            .filter(|c| !c.is_undefined())
            .and_then(|clipboard| {
                let write = get(&clipboard, "writeText")?.dyn_into::<Function>().ok()?;
                write.call1(&clipboard, &JsValue::from_str(text)).ok()?.dyn_into::<Promise>().ok()
            });
        match promise {
            Some(p) => leptos::task::spawn_local(async move {
                done.set(Some(JsFuture::from(p).await.is_ok()));
            }),
            None => done.set(Some(false)),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        done.set(Some(false));
    }
}
