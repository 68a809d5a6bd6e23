//! `/fleet/compare?family=…&left=env:rev&right=env:rev`: one family's definitions in two
//! environments, side by side (containers, images, CPU and memory, environment variables,
//! roles). Rendered on the server; the choice is a plain GET form.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::fleet::{compare_across_environments, CompareQuery, CompareView};
use crate::components::{resource::Resource, LoadError};
use crate::layout::{Crumb, PageHeader};
use crate::pages::task_definitions::diff::JsonDiff;

#[component]
pub fn FleetComparePage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        CompareQuery { family: get("family"), left: get("left"), right: get("right") }
    });
    let family = query.get_untracked().family;
    let view = Resource::new_with_options(move || query.get(), compare_across_environments, false);
    view! {
        <PageHeader
            title=format!("Compare {family} across environments")
            crumbs=vec![Crumb::link("Fleet", "/fleet"), Crumb::here("Compare")]
        />
        <Suspense fallback=|| view! { <p class="empty-state">"Reading each environment's revisions…"</p> }>
            {move || {
                view.get().map(|r| match r {
                    Err(e) => view! { <LoadError error=e /> }.into_any(),
                    Ok(v) => view! { <Comparison v /> }.into_any(),
                })
            }}
        </Suspense>
    }
}

#[component]
fn Comparison(v: CompareView) -> impl IntoView {
    let left = v.left.as_ref().map(|(s, _)| s.clone()).unwrap_or_default();
    let right = v.right.as_ref().map(|(s, _)| s.clone()).unwrap_or_default();
    let options = |chosen: String| {
        v.options
            .iter()
            .map(|o| view! { <option value=o.clone() selected=*o == chosen>{o.clone()}</option> })
            .collect_view()
            .into_any()
    };
    let errors = (!v.errors.is_empty()).then(|| {
        view! {
            <div class="alert warn" role="status">
                <strong>"Some environments did not list their revisions:"</strong>
                <ul>{v.errors.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}</ul>
            </div>
        }
    });
    let diff = match (v.left.clone(), v.right.clone()) {
        (Some((l, lj)), Some((r, rj))) => {
            view! { <JsonDiff old_label=l old=lj new_label=r new=rj /> }.into_any()
        }
        _ => view! {
            <p class="empty-state">"The family needs a revision in two places to compare; register it in another environment first."</p>
        }
        .into_any(),
    };
    view! {
        {errors}
        <form method="get" action="/fleet/compare" class="panel" aria-label="Choose what to compare">
            <input type="hidden" name="family" value=v.family.clone() />
            <div class="row">
                <div class="field">
                    <label for="compare-left">"Compare"</label>
                    <select id="compare-left" name="left">{options(left)}</select>
                    <p class="help">"environment:revision"</p>
                </div>
                <div class="field">
                    <label for="compare-right">"With"</label>
                    <select id="compare-right" name="right">{options(right)}</select>
                </div>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn">"Compare"</button>
            </div>
        </form>
        <section class="panel" aria-label="Differences">{diff}</section>
    }
    .into_any()
}
