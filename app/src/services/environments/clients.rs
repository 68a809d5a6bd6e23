//! An ECS client per environment, made the AWS way: the portal's own credentials (the default
//! chain in `aws` mode, the emulator's test key in `embedded` mode) act directly in the
//! environments that name no role; for the others, aws-config's `AssumeRoleProvider` on top of
//! them assumes the environment's role, and the client's identity cache keeps the credentials
//! and refreshes them before they expire. One client per (environment, session name), made on
//! first use and kept: making one is cheap, but each keeps its own credentials cache.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use aws_config::{sts::AssumeRoleProvider, Region, SdkConfig};

use super::rate_limit::{RateLimited, Share, TokenBucket};
use crate::domain::environment::Environment;
use crate::services::gateway::Ecs;
use crate::services::metrics::EcsMetrics;

/// What every environment's client starts from.
#[derive(Clone)]
pub struct EcsBase {
    /// Credentials, timeouts, retries, and (embedded mode, or `AWS_ENDPOINT_URL_ECS`) the
    /// endpoint used when an environment names none.
    pub sdk: SdkConfig,
    /// In embedded mode, the emulator's base URL (for its control API).
    pub sim_endpoint: Option<String>,
    /// The HTTPS client every environment's ECS calls go through, behind its rate limit.
    pub http: aws_sdk_ecs::config::SharedHttpClient,
    /// Each environment's ECS calls per second, sustained, and in a burst.
    pub calls_per_second: f64,
    pub burst: u32,
}

/// (environment name, session name) → the environment the client was made for, and it.
type Made = HashMap<(String, String), (Environment, Ecs)>;

#[derive(Clone)]
pub struct EcsClients {
    pub base: EcsBase,
    made: Arc<Mutex<Made>>,
    /// One bucket per environment, shared by all its sessions' clients.
    buckets: Arc<Mutex<HashMap<String, Arc<TokenBucket>>>>,
    /// How many replicas share each environment's rate (`services/replicas.rs` keeps it).
    pub share: Arc<Share>,
}

impl EcsClients {
    pub fn new(base: EcsBase) -> Self {
        Self { base, made: Arc::default(), buckets: Arc::default(), share: Arc::default() }
    }

    fn bucket(&self, name: &str) -> Arc<TokenBucket> {
        let mut buckets = self.buckets.lock().expect("buckets lock");
        let bucket = buckets.entry(name.to_string()).or_insert_with(|| {
            Arc::new(TokenBucket::new(self.base.calls_per_second, self.base.burst, self.share.clone()))
        });
        bucket.clone()
    }

    /// The client for `env`, acting as session `session` where a role is assumed.
    pub async fn ecs(&self, env: &Environment, session: &str) -> Ecs {
        let key = (env.name.clone(), session.to_string());
        if let Some((made_for, ecs)) = self.made.lock().expect("clients lock").get(&key) {
            // An environment removed and added again under its name may differ.
            if made_for == env {
                return ecs.clone();
            }
        }
        let ecs = self.make(env, session).await;
        self.made.lock().expect("clients lock").insert(key, (env.clone(), ecs.clone()));
        ecs
    }

    /// Forgets the clients of an environment that changed or went away.
    pub fn forget(&self, name: &str) {
        self.made.lock().expect("clients lock").retain(|(n, _), _| n != name);
    }

    async fn make(&self, env: &Environment, session: &str) -> Ecs {
        let region = Region::new(env.region.clone());
        // STS is called in the environment's region and through its endpoint too: an
        // emulator answers both, and a VPC endpoint setup usually has one for each.
        let mut sdk = self.base.sdk.clone().into_builder().region(region.clone());
        if let Some(endpoint) = &env.endpoint {
            sdk = sdk.endpoint_url(endpoint);
        }
        let sdk = sdk.build();
        // Every call is counted and timed for `/metrics` (services/metrics.rs).
        let metrics = EcsMetrics::new(&env.name);
        let mut conf = aws_sdk_ecs::config::Builder::from(&sdk)
            .http_client(RateLimited::new(self.base.http.clone(), self.bucket(&env.name)))
            .interceptor(metrics.clone());
        if let Some(endpoint) = &env.endpoint {
            // Set on the ECS config itself: `From<&SdkConfig>` prefers AWS_ENDPOINT_URL_ECS
            // over the shared endpoint, and an environment's own endpoint must win.
            conf = conf.endpoint_url(endpoint);
        }
        // CloudWatch (alarm states for a promotion's soak) in the same account and region, with
        // the same credentials, endpoint and rate limit.
        let mut cloudwatch = aws_sdk_cloudwatch::config::Builder::from(&sdk)
            .http_client(RateLimited::new(self.base.http.clone(), self.bucket(&env.name)))
            .interceptor(metrics);
        if let Some(endpoint) = &env.endpoint {
            cloudwatch = cloudwatch.endpoint_url(endpoint);
        }
        if let Some(role) = &env.role_arn {
            let mut provider = AssumeRoleProvider::builder(role).session_name(session).region(region);
            if let Some(external_id) = &env.external_id {
                provider = provider.external_id(external_id);
            }
            let provider =
                aws_sdk_ecs::config::SharedCredentialsProvider::new(provider.configure(&sdk).build().await);
            conf.set_credentials_provider(Some(provider.clone()));
            cloudwatch.set_credentials_provider(Some(provider));
        }
        Ecs {
            client: aws_sdk_ecs::Client::from_conf(conf.build()),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch.build()),
            // The control API exists only where the portal runs its own emulator.
            sim_endpoint: self
                .base
                .sim_endpoint
                .as_ref()
                .map(|sim| env.endpoint.clone().unwrap_or(sim.clone())),
            region: env.region.clone(),
        }
    }
}
