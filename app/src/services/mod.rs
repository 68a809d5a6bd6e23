//! The server side of the portal: storage and ECS, behind one bag of services that server
//! functions take from the Leptos context (`services()`), and that `/api/v1`, the worker and the
//! middleware reach through the server's `AppState`.
//!
//! Why modules of `app` and not a crate of their own: the services take and return the view
//! models and domain types of `app`, and `app`'s server functions call them, so a separate
//! crate would need a third crate for those types (Cargo forbids the cycle). These modules are
//! compiled only with the `ssr` feature, and their dependencies (sqlx, aws-sdk-ecs, …) are
//! optional ones that only `ssr` turns on: the wasm build never sees them (`make lint` checks).
//!
//! ```text
//! Services ─┬─ gateway:  EcsGateway  every ECS read and the one cache (gateway/)
//!           ├─ changes:  ChangeEngine prepare, submit, review, execute, follow (changes/)
//!           ├─ accounts: Accounts    users, teams, sessions, logins, API tokens (accounts/)
//!           ├─ policies: Policies    approval policies, freezes, role grants (policies/)
//!           ├─ history:  History     rollouts (history/)
//!           ├─ environments: Environments accounts and regions, a client each (environments/)
//!           └─ audit:    Audit       the append-only audit log (audit/)
//! ```
//!
//! Each service answers with its own error type (`GatewayError`, `ChangeError`, `AccountsError`,
//! `PolicyError`, `HistoryError`, `AuditError`), which converts to `PortalError` once (`error.rs`
//! holds what they share: `EcsFailure` and `storage_failed`).

pub mod accounts;
pub mod audit;
pub mod changes;
pub mod clock;
pub mod db;
pub mod db_url;
pub mod delivery;
pub mod environments;
pub mod error;
pub mod gateway;
pub mod history;
pub mod iac;
pub mod ids;
pub mod leases;
pub mod legacy_ids;
pub mod metrics;
pub mod policies;
pub mod promotions;
pub mod random;
pub mod replicas;
pub mod sql_builder;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

pub use accounts::{Accounts, LoginSettings};
pub use audit::Audit;
pub use changes::{ChangeEngine, WorkerSettings};
pub use db::Db;
pub use environments::Environments;
pub use gateway::{Ecs, EcsGateway};
pub use history::History;
pub use policies::Policies;

use crate::api::PortalError;

/// Every service, cheap to clone (each part shares its pools and caches).
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub environments: Environments,
    /// The default environment's gateway (what a page without an environment shows).
    pub gateway: EcsGateway,
    /// Every environment's gateway.
    pub gateways: environments::Gateways,
    pub changes: ChangeEngine,
    pub accounts: Accounts,
    pub policies: Policies,
    pub history: History,
    pub audit: Audit,
    pub promotions: promotions::Promotions,
}

/// What the services are built from, besides the database and the ECS client.
pub struct Settings {
    /// IAM role ARNs configured for everyone (`PORTAL_ROLES`); the forms offer them.
    pub roles: Vec<String>,
    /// How long live ECS state is cached (`PORTAL_ECS_CACHE_MS`).
    pub ecs_cache: Duration,
    /// For the embedded emulator's control API (alarm names) and webhooks.
    pub http: reqwest::Client,
    pub login: LoginSettings,
    /// This replica's name in leases.
    pub instance: String,
    /// Where change request notifications go, and how (`PORTAL_WEBHOOK_*`).
    pub webhook: changes::notify::WebhookSettings,
    pub worker: WorkerSettings,
}

impl Services {
    /// `ecs` is the default environment's client: pages without an environment show it, and
    /// what was stored before environments existed acts there.
    pub fn new(
        db: Db,
        environments: Environments,
        environment: crate::domain::environment::Environment,
        ecs: Ecs,
        settings: Settings,
    ) -> Self {
        let gateway = EcsGateway::new(ecs, settings.ecs_cache, settings.http.clone(), settings.roles.clone());
        let gateways = environments::Gateways::new(
            environments.clone(),
            environment.clone(),
            gateway.clone(),
            settings.ecs_cache,
            settings.http.clone(),
            settings.roles.clone(),
        );
        let policies = Policies { db: db.clone(), roles: settings.roles };
        let history = History { db: db.clone() };
        let audit = Audit { db: db.clone() };
        let accounts = Accounts { db: db.clone(), login: settings.login };
        let changes = ChangeEngine {
            db: db.clone(),
            gateway: gateway.clone(),
            environment,
            environments: environments.clone(),
            gateways: gateways.clone(),
            policies: policies.clone(),
            http: settings.http,
            instance: settings.instance,
            webhook: settings.webhook,
            worker: settings.worker,
            last_round_ms: Arc::default(),
            working: Arc::new(Mutex::new(HashSet::new())),
        };
        let promotions = promotions::Promotions { changes: changes.clone() };
        Self { db, environments, gateway, gateways, changes, accounts, policies, history, audit, promotions }
    }
}

impl Services {
    /// The gateway of environment `name` ("" or unknown to the caller: the default one). An
    /// environment that does not exist is a 404, never the default.
    pub async fn gateway_in(&self, name: &str) -> Result<EcsGateway, PortalError> {
        Ok(self.gateways.get(Some(name)).await?.1)
    }

    /// [`Self::gateway_in`] for a form that names the environment: one that does not exist
    /// is the form's `environment` field's error.
    pub async fn gateway_for_form(&self, name: &str) -> Result<EcsGateway, PortalError> {
        self.gateway_in(name).await.map_err(|e| match e {
            PortalError::NotFound(_) => {
                PortalError::invalid("environment", crate::domain::environment::no_such_environment(name))
            }
            other => other,
        })
    }

    /// The change engine acting in environment `name` ("" : the default one); one that does
    /// not exist is the `environment` field's error.
    pub async fn changes_in(&self, name: &str) -> Result<ChangeEngine, PortalError> {
        Ok(self.changes.within(Some(name)).await?)
    }

    /// `path` within environment `name`: `/e/<name><path>`, or `path` itself for the default
    /// environment, whose pages keep the URLs they had before environments.
    pub fn path_in(&self, name: &str, path: &str) -> String {
        self.gateways.path_in(name, path)
    }
}

/// The services the server provided for this request or page render.
pub fn services() -> Result<Services, PortalError> {
    leptos::prelude::use_context::<Services>()
        .ok_or_else(|| PortalError::Internal("the server did not provide its services".into()))
}
