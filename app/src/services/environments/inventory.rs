//! Each environment's inventory: its daemons, their revisions and images, read from ECS with
//! the environment's credentials and kept in `environment_inventory` for the fleet view. A
//! background loop on every replica refreshes each environment when its lease
//! (`inventory:<name>`) is free, so one replica reads an environment per interval however many
//! run; the fleet page only reads the table, so it stays quick with many environments.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures::StreamExt;

use crate::api::fleet::{InventoryDaemon, InventoryRevision};
use crate::domain::environment::Environment;
use crate::services::{clock::now_ms, db::Db, gateway::EcsGateway, leases};

use super::Environments;

/// Gateways per environment (their caches keep what never changes, such as revisions) and the
/// images of each environment's `family:revision` (a registered revision never changes).
#[derive(Default)]
pub struct Readers {
    /// Environments a refresh after a change is reading now, and whether another change asked
    /// meanwhile (`refresh_soon`).
    soon: Mutex<HashMap<String, bool>>,
    gateways: Mutex<HashMap<String, (Environment, EcsGateway)>>,
    images: Mutex<HashMap<String, Vec<String>>>,
    /// Parsed snapshots and the `attempted_at` of the row they came from.
    parsed: Mutex<HashMap<String, (i64, Arc<StoredInventory>)>>,
}

impl Readers {
    /// Forgets what was read for environment `name` (removed, or added again as another).
    pub fn forget(&self, name: &str) {
        self.gateways.lock().expect("readers lock").remove(name);
        self.images.lock().expect("readers lock").retain(|k, _| !k.starts_with(&format!("{name}/")));
        self.parsed.lock().expect("readers lock").remove(name);
    }
}

/// How many environments are read at once.
const PARALLEL: usize = 8;

impl Environments {
    /// Reads `env`'s inventory from ECS now and stores it; on failure the last good snapshot
    /// stays, with the failure named with the environment beside it.
    pub async fn refresh_inventory(&self, env: &Environment) -> Result<(), super::EnvironmentsError> {
        let attempted_at = now_ms();
        match self.read_inventory(env).await {
            Ok(daemons) => {
                let json = serde_json::to_string(&daemons).unwrap_or_else(|_| "[]".into());
                store(&self.db, &env.name, Some(&json), Some(attempted_at), attempted_at, None).await?;
            }
            Err(detail) => {
                // Say why in the environment's terms: a refused role reads better than the
                // dispatch failure it surfaces as.
                let check = self.check_now(env).await;
                let error = if check.ok { format!("{}: {detail}", env.name) } else { check.message };
                tracing::warn!(environment = %env.name, %error, "inventory refresh failed");
                store(&self.db, &env.name, None, None, attempted_at, Some(&error)).await?;
            }
        }
        Ok(())
    }

    /// A reading gateway for `env` (the portal's own session), kept per environment.
    pub async fn gateway(&self, env: &Environment) -> EcsGateway {
        if let Some((made_for, gw)) = self.readers.gateways.lock().expect("readers lock").get(&env.name) {
            if made_for == env {
                return gw.clone();
            }
        }
        let ecs = self.ecs(env).await;
        // No live cache: the inventory is the cache.
        let gw = EcsGateway::new(ecs, Duration::ZERO, self.http.clone(), Vec::new());
        self.readers
            .gateways
            .lock()
            .expect("readers lock")
            .insert(env.name.clone(), (env.clone(), gw.clone()));
        gw
    }

    async fn read_inventory(&self, env: &Environment) -> Result<Vec<InventoryDaemon>, String> {
        let gw = self.gateway(env).await;
        let mut daemons = Vec::new();
        for cluster in gw.list_clusters().await.map_err(|e| e.to_string())? {
            for d in gw.list_daemons(&cluster.name).await.map_err(|e| e.to_string())? {
                let mut revisions = Vec::new();
                for definition in &d.revisions {
                    let Some((family, revision)) = split_definition(definition) else { continue };
                    let images = self.images(env, &gw, definition, family, revision).await?;
                    revisions.push(InventoryRevision { family: family.to_string(), revision, images });
                }
                daemons.push(InventoryDaemon {
                    cluster: cluster.name.clone(),
                    name: d.name,
                    status: d.status,
                    revisions,
                    running: d.running,
                    without_daemon: d.without_daemon,
                    deployment: d.latest_deployment,
                });
            }
        }
        Ok(daemons)
    }

    async fn images(
        &self,
        env: &Environment,
        gw: &EcsGateway,
        key: &str,
        family: &str,
        revision: u32,
    ) -> Result<Vec<String>, String> {
        // Per environment: each account numbers its own revisions, so `cw-agent:1` in one
        // account is not `cw-agent:1` in another, even in the same region.
        let key = format!("{}/{key}", env.name);
        if let Some(images) = self.readers.images.lock().expect("readers lock").get(&key) {
            return Ok(images.clone());
        }
        let td = gw.describe_task_definition(family, revision).await.map_err(|e| e.to_string())?;
        let images: Vec<String> = td.spec.containers.iter().map(|c| c.image.clone()).collect();
        self.readers.images.lock().expect("readers lock").insert(key, images.clone());
        Ok(images)
    }

    /// Every environment's snapshot (missing ones: never read yet). Parsed snapshots are kept
    /// per replica and read again only when their row changed (its `attempted_at`): parsing 50
    /// snapshots of 100 daemons on every page view cost more than rendering a page of them.
    pub async fn inventories(&self) -> Result<HashMap<String, Arc<StoredInventory>>, sqlx::Error> {
        let stamps =
            sqlx::query_as::<_, (String, i64)>("SELECT environment, attempted_at FROM environment_inventory")
                .fetch_all(self.db.pool())
                .await?;
        let mut out = HashMap::new();
        let mut stale = Vec::new();
        {
            let parsed = self.readers.parsed.lock().expect("readers lock");
            for (env, at) in stamps {
                match parsed.get(&env) {
                    Some((seen, inv)) if *seen == at => {
                        out.insert(env, inv.clone());
                    }
                    _ => stale.push(env),
                }
            }
        }
        for env in stale {
            let row = sqlx::query_as::<_, (String, Option<i64>, Option<String>, i64)>(
                "SELECT daemons, refreshed_at, error, attempted_at FROM environment_inventory WHERE environment = $1",
            )
            .bind(&env)
            .fetch_optional(self.db.pool())
            .await?;
            let Some((daemons, refreshed_at, error, at)) = row else { continue };
            let inv = Arc::new(StoredInventory {
                daemons: Arc::new(serde_json::from_str(&daemons).unwrap_or_default()),
                refreshed_at,
                error,
            });
            self.readers.parsed.lock().expect("readers lock").insert(env.clone(), (at, inv.clone()));
            out.insert(env, inv);
        }
        Ok(out)
    }

    /// Reads `env`'s inventory again in the background, after a change there started or ended.
    /// Coalesced per environment: while one such read runs, further asks make it read once
    /// more when it ends (so it sees the newest change), not one read each.
    pub fn refresh_soon(&self, env: &Environment) {
        {
            let mut soon = self.readers.soon.lock().expect("readers lock");
            if let Some(again) = soon.get_mut(&env.name) {
                *again = true;
                return;
            }
            soon.insert(env.name.clone(), false);
        }
        let (envs, env) = (self.clone(), env.clone());
        tokio::spawn(async move {
            loop {
                if let Err(e) = envs.refresh_inventory(&env).await {
                    tracing::warn!(environment = %env.name, error = %e, "refreshing the inventory after a change failed");
                }
                let mut soon = envs.readers.soon.lock().expect("readers lock");
                match soon.get_mut(&env.name) {
                    Some(again) if *again => *again = false,
                    _ => {
                        soon.remove(&env.name);
                        return;
                    }
                }
            }
        });
    }

    /// One round of the background refresh: each environment whose lease this replica gets.
    pub async fn refresh_due(&self, every: Duration) {
        let Ok(rows) = self.list().await else { return };
        let lease_ms = every.as_millis() as i64;
        futures::stream::iter(rows)
            .for_each_concurrent(PARALLEL, |row| async move {
                let name = format!("inventory:{}", row.env.name);
                match leases::take(&self.db, &self.instance, &name, lease_ms).await {
                    Ok(true) => {
                        if let Err(e) = self.refresh_inventory(&row.env).await {
                            tracing::warn!(environment = %row.env.name, error = %e, "storing an inventory failed");
                        }
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "taking an inventory lease failed"),
                }
            })
            .await;
    }
}

/// An inventory as stored.
pub struct StoredInventory {
    pub daemons: Arc<Vec<InventoryDaemon>>,
    pub refreshed_at: Option<i64>,
    pub error: Option<String>,
}

/// Runs the background refresh until the process ends (`every` zero: never).
pub fn spawn(envs: Environments, every: Duration) -> Option<tokio::task::JoinHandle<()>> {
    if every.is_zero() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.min(Duration::from_secs(5)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            envs.refresh_due(every).await;
        }
    }))
}

/// `family:revision` → its parts.
fn split_definition(definition: &str) -> Option<(&str, u32)> {
    let (family, revision) = definition.rsplit_once(':')?;
    Some((family, revision.parse().ok()?))
}

async fn store(
    db: &Db,
    environment: &str,
    daemons: Option<&str>,
    refreshed_at: Option<i64>,
    attempted_at: i64,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    // A failure keeps the snapshot and its time; a success replaces both and clears the error.
    sqlx::query(
        "INSERT INTO environment_inventory (environment, daemons, refreshed_at, attempted_at, error) \
         VALUES ($1, COALESCE($2, '[]'), $3, $4, $5) \
         ON CONFLICT (environment) DO UPDATE SET \
         daemons = COALESCE($2, environment_inventory.daemons), \
         refreshed_at = COALESCE($3, environment_inventory.refreshed_at), \
         attempted_at = excluded.attempted_at, error = excluded.error",
    )
    .bind(environment)
    .bind(daemons)
    .bind(refreshed_at)
    .bind(attempted_at)
    .bind(error)
    .execute(db.pool())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn definitions_split_at_the_last_colon() {
        assert_eq!(super::split_definition("cw-agent:12"), Some(("cw-agent", 12)));
        assert_eq!(super::split_definition("cw-agent"), None);
    }
}
