//! `Gateways`: the interactive `EcsGateway` of each environment (the pages' reads and the
//! change engine's preparation), each with its own short-lived live cache, made on first use
//! and kept until the environment is changed or removed.
//!
//! The fleet view's background reads use `inventory::Readers` instead: they want no live cache
//! (the stored inventory is their cache) and must not evict what a page just read.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::domain::environment::Environment;
use crate::services::gateway::EcsGateway;

use super::{Environments, EnvironmentsError};

#[derive(Clone)]
pub struct Gateways {
    environments: Environments,
    default_env: Environment,
    default: EcsGateway,
    live_ttl: Duration,
    http: reqwest::Client,
    roles: Vec<String>,
    made: Arc<Mutex<HashMap<String, (Environment, EcsGateway)>>>,
}

impl Gateways {
    pub fn new(
        environments: Environments,
        default_env: Environment,
        default: EcsGateway,
        live_ttl: Duration,
        http: reqwest::Client,
        roles: Vec<String>,
    ) -> Self {
        Self { environments, default_env, default, live_ttl, http, roles, made: Arc::default() }
    }

    /// The default environment: where everything from before environments acts, and what a
    /// page without an environment in its URL shows.
    pub fn default_environment(&self) -> &Environment {
        &self.default_env
    }

    /// `path` in environment `name`: `/e/<name><path>`, or `path` for the default one.
    pub fn path_in(&self, name: &str, path: &str) -> String {
        crate::domain::environment::scoped_path(name, &self.default_env.name, path)
    }

    /// The environment named `name` (`None` or "": the default) and its gateway. An unknown
    /// name is `NoSuchEnvironment`, never the default: a change must not land elsewhere.
    pub async fn get(&self, name: Option<&str>) -> Result<(Environment, EcsGateway), EnvironmentsError> {
        let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&self.default_env.name);
        if name == self.default_env.name {
            return Ok((self.default_env.clone(), self.default.clone()));
        }
        let env = self.environments.get(name).await?.env;
        if let Some((made_for, gw)) = self.made.lock().expect("gateways lock").get(name) {
            // Edited since (another account, role or endpoint): make a new one.
            if *made_for == env {
                return Ok((env, gw.clone()));
            }
        }
        let ecs = self.environments.ecs(&env).await;
        let gw = EcsGateway::new(ecs, self.live_ttl, self.http.clone(), self.roles.clone());
        self.made.lock().expect("gateways lock").insert(name.to_string(), (env.clone(), gw.clone()));
        Ok((env, gw))
    }
}
