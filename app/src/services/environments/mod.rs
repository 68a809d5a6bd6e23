//! `Environments`: the AWS accounts and regions the portal manages daemons in (the
//! `environments` table, `rows.rs`), where they come from at start (`startup.rs`: a
//! `PORTAL_ENVIRONMENTS` file, or the built-in defaults), an ECS client for each
//! (`clients.rs`) and whether each answers (`checks.rs`).

pub mod checks;
pub mod clients;
pub mod compare;
pub mod error;
pub mod fleet;
pub mod gateways;
pub mod inventory;
pub mod rate_limit;
pub mod rows;
pub mod startup;

use std::sync::Arc;

pub use clients::{EcsBase, EcsClients};
pub use error::EnvironmentsError;
pub use gateways::Gateways;
pub use rows::EnvironmentRow;

use crate::api::environments::{EnvironmentCheck, EnvironmentSource, EnvironmentView};
use crate::api::fleet::{FleetColumn, FleetQuery, FleetView};
use crate::domain::environment::{Environment, PORTAL_SESSION};
use crate::services::{clock::now_ms, db::Db, gateway::Ecs};

#[derive(Clone)]
pub struct Environments {
    pub db: Db,
    pub clients: EcsClients,
    last: Arc<checks::LastChecks>,
    /// The list as last read, for readiness checks while the database is away.
    known: Arc<std::sync::Mutex<Vec<EnvironmentRow>>>,
    /// This replica's name in leases.
    instance: String,
    http: reqwest::Client,
    readers: Arc<inventory::Readers>,
}

impl Environments {
    pub fn new(db: Db, base: EcsBase, instance: String, http: reqwest::Client) -> Self {
        Self {
            db,
            clients: EcsClients::new(base),
            last: Arc::default(),
            known: Arc::default(),
            instance,
            http,
            readers: Arc::default(),
        }
    }

    /// The fleet view: every environment's column from its stored inventory.
    pub async fn fleet(&self, query: &FleetQuery) -> Result<FleetView, EnvironmentsError> {
        let rows = self.list().await?;
        let mut stored = self.inventories().await?;
        let snapshots = rows
            .into_iter()
            .map(|r| {
                let inv = stored.remove(&r.env.name);
                fleet::Snapshot {
                    column: FleetColumn {
                        environment: r.env.name,
                        account_id: r.env.account_id,
                        region: r.env.region,
                        refreshed_at: inv.as_ref().and_then(|i| i.refreshed_at),
                        error: inv.as_ref().and_then(|i| i.error.clone()),
                    },
                    daemons: inv.map(|i| i.daemons.clone()).unwrap_or_default(),
                }
            })
            .collect();
        Ok(fleet::build(snapshots, query, now_ms()))
    }

    pub async fn list(&self) -> Result<Vec<EnvironmentRow>, EnvironmentsError> {
        let rows = rows::list(&self.db).await?;
        *self.known.lock().expect("known lock") = rows.clone();
        Ok(rows)
    }

    /// [`Self::list`], or the last list read when the database does not answer: `/readyz`
    /// reports the database and each environment separately.
    pub async fn list_or_known(&self) -> Vec<EnvironmentRow> {
        match self.list().await {
            Ok(rows) => rows,
            Err(_) => self.known.lock().expect("known lock").clone(),
        }
    }

    pub async fn get(&self, name: &str) -> Result<EnvironmentRow, EnvironmentsError> {
        rows::get(&self.db, name).await?.ok_or_else(|| EnvironmentsError::NoSuchEnvironment(name.to_string()))
    }

    /// The environment that everything from before environments belongs to.
    pub async fn default_environment(&self) -> Result<Option<EnvironmentRow>, EnvironmentsError> {
        Ok(self.list().await?.into_iter().find(|e| e.is_default))
    }

    /// The environments with their last checks, checking those not checked within `max_age_ms`
    /// (all at once: a slow account delays the answer by one check timeout at most).
    pub async fn overview(&self, max_age_ms: i64) -> Result<Vec<EnvironmentView>, EnvironmentsError> {
        let rows = self.list().await?;
        let now = now_ms();
        let checks = futures::future::join_all(rows.iter().map(|r| async move {
            match self.last.get(&r.env.name) {
                Some(c) if now - c.checked_at < max_age_ms => c,
                _ => self.check_now(&r.env).await,
            }
        }))
        .await;
        Ok(rows
            .into_iter()
            .zip(checks)
            .map(|(r, check)| EnvironmentView {
                env: r.env,
                source: r.source,
                is_default: r.is_default,
                check: Some(check),
            })
            .collect())
    }

    /// Checks one environment now (and keeps the answer for the pages and `/readyz`).
    pub async fn check_now(&self, env: &Environment) -> EnvironmentCheck {
        let ecs = self.ecs(env).await;
        let check = checks::check(env, &ecs).await;
        self.last.put(&env.name, check.clone());
        check
    }

    /// The client for the portal's own calls in `env`.
    pub async fn ecs(&self, env: &Environment) -> Ecs {
        self.clients.ecs(env, PORTAL_SESSION).await
    }

    /// Adds an environment from the admin page.
    pub async fn create(&self, env: &Environment, actor: &str) -> Result<(), EnvironmentsError> {
        if !rows::insert(&self.db, env, EnvironmentSource::Admin, actor).await? {
            return Err(EnvironmentsError::NameTaken(env.name.clone()));
        }
        self.clients.forget(&env.name);
        self.last.forget(&env.name);
        self.readers.forget(&env.name);
        Ok(())
    }

    /// Removes an environment the admin page added (never the file's, never the default).
    pub async fn delete(&self, name: &str) -> Result<(), EnvironmentsError> {
        let row = self.get(name).await?;
        if row.source == EnvironmentSource::File {
            return Err(EnvironmentsError::FromFile(name.to_string()));
        }
        if row.is_default {
            return Err(EnvironmentsError::IsDefault(name.to_string()));
        }
        if !rows::delete(&self.db, name).await? {
            return Err(EnvironmentsError::NoSuchEnvironment(name.to_string()));
        }
        self.clients.forget(name);
        self.last.forget(name);
        self.readers.forget(name);
        sqlx::query("DELETE FROM environment_inventory WHERE environment = $1")
            .bind(name)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }
}
