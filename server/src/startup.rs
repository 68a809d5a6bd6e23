//! Builds the application (database, ECS client, router) and serves it.

use std::{
    net::SocketAddr,
    sync::{Arc, LazyLock},
    time::Duration,
};

use axum::{routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use tracing::Span;

use app::{shell, App};

use app::services::{
    environments::EcsBase, random::random_hex, Db, Environments, LoginSettings, Services, Settings,
    WorkerSettings,
};

use crate::{config::Config, ecs::EcsConnection, health, state::AppState};

pub struct Application {
    listener: TcpListener,
    /// `PORTAL_METRICS_ADDR`'s listener, when metrics are on.
    metrics: Option<TcpListener>,
    router: Router,
    state: AppState,
    inventory_interval: Duration,
}

impl Application {
    /// Binds the listen address first, so a port in use fails before any other work.
    pub async fn build(config: Config) -> Result<Self, String> {
        Self::build_with(config, None).await
    }

    /// [`Application::build`], reusing another replica's ECS base instead of connecting one:
    /// another replica on the same ECS endpoint (tests run two against one emulator).
    pub async fn build_with(config: Config, base: Option<EcsBase>) -> Result<Self, String> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| format!("PORTAL_LISTEN (--listen) {}: {e}", config.listen))?;
        let address = listener.local_addr().map_err(|e| format!("PORTAL_LISTEN: {e}"))?;
        let metrics = match config.metrics_addr {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .map_err(|e| format!("PORTAL_METRICS_ADDR (--metrics-addr) {addr}: {e}"))?;
                crate::metrics::install();
                Some(listener)
            }
            None => None,
        };
        let db = Db::connect(&config.database_url).await.map_err(|e| e.to_string())?;
        app::services::accounts::demo::ensure_initial_users(
            &db,
            config.demo_users_enabled(),
            config.admin_password.as_ref().map(|p| p.expose()),
        )
        .await?;
        app::services::policies::seed::ensure_default_policies(
            &db,
            config.ecs_mode == crate::config::EcsMode::Embedded,
        )
        .await?;
        app::services::promotions::pipelines::ensure_example(
            &db,
            config.ecs_mode == crate::config::EcsMode::Embedded,
        )
        .await?;
        let EcsConnection { base, sim } = match base {
            Some(base) => EcsConnection { base, sim: None },
            None => EcsConnection::connect(&config).await.map_err(|e| e.to_string())?,
        };
        let http = reqwest::Client::new();
        let given = crate::environments::given(&config, &base, &http).await?;
        let default_env = app::services::environments::startup::sync(&db, given).await?;
        let instance = random_hex(8);
        let environments = Environments::new(db.clone(), base, instance.clone(), http.clone());
        environments.list().await.map_err(|e| format!("environments: {e}"))?;
        // Until pages and changes are scoped by environment, they act in the default one.
        let ecs = environments.ecs(&default_env).await;
        let leptos_options = LeptosOptions::builder()
            .output_name("daemon-portal")
            .site_root(config.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        let services = Services::new(
            db,
            environments,
            default_env,
            ecs,
            Settings {
                roles: config.effective_roles(),
                ecs_cache: Duration::from_millis(config.ecs_cache_ms),
                http: http.clone(),
                login: LoginSettings {
                    demo_users: config.demo_users_enabled(),
                    secure_cookies: config.secure_cookies,
                    password_checks: Arc::default(),
                },
                instance,
                webhook: config.webhook(),
                worker: WorkerSettings {
                    interval: Duration::from_millis(config.worker_interval_ms),
                    drift_interval: Duration::from_millis(config.drift_interval_ms),
                },
            },
        );
        let state = AppState {
            leptos_options,
            services,
            auth: crate::auth::AuthSettings {
                secure_cookies: config.secure_cookies,
                proxy: config.proxy_settings()?,
                sim_control: config.sim_control_enabled(),
                public_https: config.public_https(),
            },
            readiness: health::ReadyCache::new(),
            http,
            sim,
        };
        let mut router = router(state.clone());
        if metrics.is_some() {
            router = router.layer(axum::middleware::from_fn(crate::metrics::count_requests));
        }
        Ok(Self {
            listener,
            metrics,
            router,
            state,
            inventory_interval: Duration::from_millis(config.inventory_interval_ms),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener has an address")
    }

    /// Where `/metrics` is served, when metrics are on.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|l| l.local_addr().expect("bound listener has an address"))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves requests and runs the background worker (every replica runs one; leases keep
    /// them from doing the same work).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let engine = self.state.services.changes.clone();
        let worker = app::services::changes::worker::spawn(engine.clone(), engine.worker.interval);
        let inventory = app::services::environments::inventory::spawn(
            self.state.services.environments.clone(),
            self.inventory_interval,
        );
        let metrics = self.metrics.map(|listener| {
            let router = crate::metrics::router(self.state.services.clone());
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, router).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            })
        });
        // The peer address is the client address recorded for sessions, rate limits and audit.
        let served =
            axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown_signal())
                .await;
        worker.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        if let Some(inventory) = inventory {
            inventory.abort();
        }
        served
    }
}

/// The app's routes, generated once per process. Generating them renders the app with resource
/// loading switched off through a process-wide flag (leptos_server's `SuppressResourceLoad`),
/// and a resource first polled meanwhile by a request of another `Application` in the same
/// process waits forever (leptos issue 4773). Only tests run several in one process: about one
/// run in 50 of `tests/auth.rs` had a page request that never answered.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The whole HTTP surface: health, Leptos pages and server functions, static files.
pub fn router(state: AppState) -> Router {
    let routes = ROUTES.clone();
    let services = state.services.clone();
    let leptos_options = state.leptos_options.clone();

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/_sim/{*rest}", axum::routing::any(crate::sim_proxy::forward))
        .nest("/api/v1", crate::api_v1::router(state.clone()))
        .route("/history/export.csv", get(crate::export::history_csv))
        .route("/history/export.json", get(crate::export::history_json))
        .route("/audit/export.csv", get(crate::export::audit_csv))
        .route("/audit/export.json", get(crate::export::audit_json))
        .route("/iac/export", get(crate::iac_export::export))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(services.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // A server function's error answers with the status `PortalError::status` gives it.
        .layer(axum::middleware::from_fn(crate::api_status::status_from_error))
        // Outermost last: the origin check runs first, then the session is resolved; the
        // security headers go on every answer, refusals included.
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::middleware::resolve_user))
        .layer(axum::middleware::from_fn(crate::auth::middleware::same_origin))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::headers::security_headers))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        status = tracing::field::Empty,
                        latency_ms = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(|res: &axum::http::Response<_>, latency: std::time::Duration, span: &Span| {
                    span.record("status", res.status().as_u16());
                    span.record("latency_ms", latency.as_secs_f64() * 1000.0);
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = latency.as_secs_f64() * 1000.0,
                        "response"
                    );
                }),
        )
        .with_state(state)
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
