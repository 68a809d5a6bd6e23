//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::layout::ConsoleLayout;
use crate::pages::account::TokensPage;
use crate::pages::admin::{
    EnvironmentsPage, FreezeWindowsPage, PoliciesPage, RolesPage, TeamsPage, UsersPage,
};
use crate::pages::approvals::{ApprovalsPage, RequestPage};
use crate::pages::clusters::{ClusterPage, ClustersPage};
use crate::pages::daemons::{CreateDaemonPage, DaemonPage, DaemonsPage, UpdateDaemonPage};
use crate::pages::history::{AuditPage, HistoryPage};
use crate::pages::task_definitions::{
    CreateTaskDefinitionPage, NewRevisionPage, RevisionPage, TaskDefinitionsPage,
};
use crate::pages::{home::HomePage, login::LoginPage, not_found::NotFound};

/// The document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="data:," />
                // Before the islands' scripts, so it sees every keystroke (layout/early_input.js).
                <script inner_html=include_str!("layout/early_input.js")></script>
                // Copy buttons, without wasm (components::ShortArn).
                <script inner_html=include_str!("layout/copy.js")></script>
                <script inner_html=include_str!("layout/keep_input.js")></script>
                // Pages that follow a rollout update in place (components::Follow).
                <script inner_html=include_str!("layout/follow.js")></script>
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/daemon-portal.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Daemon Portal".to_string() } else { format!("{page} · Daemon Portal") }
        } />
        <Router>
            <ConsoleLayout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("login") view=LoginPage ssr=leptos_router::SsrMode::Async />
                    // Async SSR: the whole page, data included, in the first response, so the
                    // forms and pages work without JavaScript.
                    <Route
                        path=path!("task-definitions")
                        view=TaskDefinitionsPage
                        ssr=leptos_router::SsrMode::Async
                    />
                    <Route
                        path=path!("task-definitions/new")
                        view=CreateTaskDefinitionPage
                        ssr=leptos_router::SsrMode::Async
                    />
                    <Route
                        path=path!("task-definitions/:family/:revision")
                        view=RevisionPage
                        ssr=leptos_router::SsrMode::Async
                    />
                    <Route
                        path=path!("task-definitions/:family/:revision/new-revision")
                        view=NewRevisionPage
                        ssr=leptos_router::SsrMode::Async
                    />
                    <Route path=path!("fleet") view=crate::pages::fleet::FleetPage ssr=SsrMode::Async />
                    <Route
                        path=path!("fleet/compare")
                        view=crate::pages::fleet_compare::FleetComparePage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("fleet/copy") view=crate::pages::fleet_copy::FleetCopyPage ssr=SsrMode::Async />
                    <Route path=path!("daemons") view=DaemonsPage ssr=SsrMode::Async />
                    <Route path=path!("daemons/new") view=CreateDaemonPage ssr=SsrMode::Async />
                    <Route path=path!("daemons/:cluster/:name") view=DaemonPage ssr=SsrMode::Async />
                    <Route path=path!("daemons/:cluster/:name/update") view=UpdateDaemonPage ssr=SsrMode::Async />
                    <Route path=path!("clusters") view=ClustersPage ssr=SsrMode::Async />
                    <Route path=path!("clusters/:name") view=ClusterPage ssr=SsrMode::Async />
                    <Route path=path!("account/tokens") view=TokensPage ssr=SsrMode::Async />
                    <Route path=path!("approvals") view=ApprovalsPage ssr=SsrMode::Async />
                    <Route path=path!("approvals/:id") view=RequestPage ssr=SsrMode::Async />
                    <Route path=path!("admin") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("admin/teams") view=TeamsPage ssr=SsrMode::Async />
                    <Route path=path!("admin/policies") view=PoliciesPage ssr=SsrMode::Async />
                    <Route path=path!("admin/freezes") view=FreezeWindowsPage ssr=SsrMode::Async />
                    <Route path=path!("admin/windows") view=crate::pages::admin::DeliveryWindowsPage ssr=SsrMode::Async />
                    <Route path=path!("admin/roles") view=RolesPage ssr=SsrMode::Async />
                    <Route path=path!("admin/environments") view=EnvironmentsPage ssr=SsrMode::Async />
                    // The same pages in another environment (env_scope.rs); those above
                    // without the prefix are the default environment's.
                    <Route path=path!("e/:env/task-definitions") view=TaskDefinitionsPage ssr=SsrMode::Async />
                    <Route path=path!("e/:env/task-definitions/new") view=CreateTaskDefinitionPage ssr=SsrMode::Async />
                    <Route path=path!("e/:env/task-definitions/:family/:revision") view=RevisionPage ssr=SsrMode::Async />
                    <Route
                        path=path!("e/:env/task-definitions/:family/:revision/new-revision")
                        view=NewRevisionPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("e/:env/daemons") view=DaemonsPage ssr=SsrMode::Async />
                    <Route path=path!("e/:env/daemons/new") view=CreateDaemonPage ssr=SsrMode::Async />
                    <Route path=path!("e/:env/daemons/:cluster/:name") view=DaemonPage ssr=SsrMode::Async />
                    <Route path=path!("e/:env/daemons/:cluster/:name/update") view=UpdateDaemonPage ssr=SsrMode::Async />
                    <Route path=path!("e/:env/clusters") view=ClustersPage ssr=SsrMode::Async />
                    <Route path=path!("e/:env/clusters/:name") view=ClusterPage ssr=SsrMode::Async />
                    <Route path=path!("pipelines") view=crate::pages::promotions::pipelines::PipelinesPage ssr=SsrMode::Async />
                    <Route path=path!("pipelines/new") view=crate::pages::promotions::pipelines::NewPipelinePage ssr=SsrMode::Async />
                    <Route path=path!("pipelines/:name") view=crate::pages::promotions::pipelines::PipelinePage ssr=SsrMode::Async />
                    <Route path=path!("promotions/:id") view=crate::pages::promotions::promotion::PromotionPage ssr=SsrMode::Async />
                    <Route path=path!("calendar") view=crate::pages::promotions::calendar::CalendarPage ssr=SsrMode::Async />
                    <Route path=path!("history") view=HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("delivery") view=crate::pages::delivery::DeliveryPage ssr=SsrMode::Async />
                </Routes>
            </ConsoleLayout>
        </Router>
    }
}
