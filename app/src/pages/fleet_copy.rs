//! `/fleet/copy?family=…&revision=…&from=…&to=…`: copy a revision to another environment.
//! The page shows what will be registered there (every substitution, and the diff against the
//! source) before anything is submitted; choosing the target is a plain GET form, and the copy
//! is a POST that works without wasm (`api::copy`).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::copy::{preview_copy, CopyPreview, CopyToEnvironment};
use crate::components::{resource::Resource, ErrorAlert, LoadError};
use crate::layout::{Crumb, PageHeader};
use crate::pages::{env_scope::EnvScope, task_definitions::diff::JsonDiff};

#[component]
pub fn FleetCopyPage() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let (family, revision, from, to) = (q("family"), q("revision"), q("from"), q("to"));
    let title = format!("Copy {family}:{revision} to another environment");
    let rev: u32 = revision.trim().parse().unwrap_or(0);
    let preview = Resource::new_with_options(
        move || (family.clone(), rev, from.clone(), to.clone()),
        |(f, r, from, to)| preview_copy(f, r, from, to),
        false,
    );
    view! {
        <PageHeader title=title crumbs=vec![Crumb::link("Fleet", "/fleet"), Crumb::here("Copy to environment")] />
        <Suspense fallback=|| view! { <p class="empty-state">"Reading the revision…"</p> }>
            {move || {
                preview.get().map(|r| match r {
                    Err(e) => view! { <LoadError error=e /> }.into_any(),
                    Ok(p) => view! { <CopyForm p /> }.into_any(),
                })
            }}
        </Suspense>
    }
}

#[component]
fn CopyForm(p: CopyPreview) -> impl IntoView {
    let copy = ServerAction::<CopyToEnvironment>::new();
    let error = Signal::derive(move || copy.value().get().and_then(|r| r.err()));
    let source_href =
        EnvScope::named(p.from.clone()).path(&format!("/task-definitions/{}/{}", p.family, p.revision));
    if p.to.is_empty() {
        return view! {
            <p class="empty-state">"There is no other environment to copy to. Administrators add environments under Administration → Environments."</p>
        }
        .into_any();
    }
    let options = p
        .targets
        .iter()
        .map(|t| view! { <option value=t.clone() selected=*t == p.to>{t.clone()}</option> })
        .collect_view();
    let substitutions = if p.substitutions.is_empty() {
        view! { <p class="empty-state">"Nothing names the source's account or region: the definition is copied as it is."</p> }
            .into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table class="data" aria-label="Substitutions">
                    <thead><tr><th>"Field"</th><th>"In "{p.from.clone()}</th><th>"In "{p.to.clone()}</th></tr></thead>
                    <tbody>
                        {p.substitutions.iter().map(|s| view! {
                            <tr>
                                <td class="mono wrap-anywhere">{s.path.clone()}</td>
                                <td class="mono wrap-anywhere">{s.before.clone()}</td>
                                <td class="mono wrap-anywhere">{s.after.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let label_from = format!("{}:{} in {}", p.family, p.revision, p.from);
    let label_to = format!("the copy in {}", p.to);
    view! {
        <p class="page-intro">
            "The copy is registered as the next revision of "<strong>{p.family.clone()}</strong>" in the target environment, as a change request under that environment's approval policy. Daemons there keep running their revision until you deploy the copy. Source: "
            <a href=source_href>{label_from.clone()}</a>"."
        </p>
        <form method="get" action="/fleet/copy" class="panel" aria-label="Choose the target environment">
            <input type="hidden" name="family" value=p.family.clone() />
            <input type="hidden" name="revision" value=p.revision.to_string() />
            <input type="hidden" name="from" value=p.from.clone() />
            <div class="field">
                <label for="copy-to">"To environment"</label>
                <p class="help" id="copy-to-help">"Where the copy is registered: its account and region replace the source's below."</p>
                <select
                    id="copy-to"
                    name="to"
                    aria-describedby="copy-to-help"
                    onchange="this.form.requestSubmit ? this.form.requestSubmit() : this.form.submit()"
                >
                    {options}
                </select>
            </div>
            <noscript><button type="submit" class="btn">"Preview"</button></noscript>
        </form>
        <section class="panel" aria-labelledby="copy-subs">
            <h2 id="copy-subs">"Substitutions"</h2>
            {p.account_unknown.then(|| view! {
                <div class="alert warn" role="status">
                    "One of the environments has no account id configured (it uses the default credential chain): account ids are left as they are. Check the roles below."
                </div>
            })}
            {substitutions}
        </section>
        <section class="panel" aria-labelledby="copy-diff">
            <h2 id="copy-diff">"What will be registered"</h2>
            <JsonDiff old_label=label_from new_label=label_to old=p.source_json.clone() new=p.target_json.clone() />
        </section>
        <ErrorAlert error=error />
        <ActionForm action=copy>
            <input type="hidden" name="family" value=p.family.clone() />
            <input type="hidden" name="revision" value=p.revision.to_string() />
            <input type="hidden" name="from" value=p.from.clone() />
            <input type="hidden" name="to" value=p.to.clone() />
            <div class="form-actions">
                <a class="btn link" href="/fleet">"Cancel"</a>
                <button type="submit" class="btn primary" disabled=move || copy.pending().get()>
                    {format!("Copy to {}", p.to)}
                </button>
            </div>
        </ActionForm>
    }
    .into_any()
}
