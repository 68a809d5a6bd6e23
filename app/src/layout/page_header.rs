use leptos::prelude::*;
use leptos_meta::Title;

/// One step of the breadcrumb trail. The last crumb is the current page and has no link.
#[derive(Clone, Debug)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

impl Crumb {
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self { label: label.into(), href: Some(href.into()) }
    }
    pub fn here(label: impl Into<String>) -> Self {
        Self { label: label.into(), href: None }
    }
}

/// Breadcrumbs, the page's `<h1>` and the document title.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional)] crumbs: Vec<Crumb>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let mut trail = vec![Crumb::link("Daemon Portal", "/")];
    trail.extend(crumbs);
    if trail.last().is_some_and(|c| c.href.is_some()) {
        trail.push(Crumb::here(title.clone()));
    }
    view! {
        <Title text=title.clone() />
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <ol>
                {trail
                    .into_iter()
                    .map(|crumb| match crumb.href {
                        Some(href) => view! { <li><a href=href>{crumb.label}</a></li> }.into_any(),
                        None => {
                            view! { <li aria-current="page">{crumb.label}</li> }.into_any()
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">{children.map(|c| c())}</div>
        </div>
    }
}
