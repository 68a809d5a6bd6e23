//! The ECS client: every ECS call the portal makes goes through this `aws-sdk-ecs` client,
//! whether it points at AWS or at the embedded emulator.

use std::time::Duration;

use aws_config::{timeout::TimeoutConfig, BehaviorVersion, Region};
use aws_sdk_ecs::config::Credentials;

use crate::config::{Config, EcsMode};

pub use app::services::gateway::Ecs;

/// The ECS client plus, in embedded mode, the emulator it talks to (kept alive with it).
#[derive(Clone)]
pub struct EcsConnection {
    pub ecs: Ecs,
    pub sim: Option<std::sync::Arc<ecs_sim::SimHandle>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EcsSetupError {
    #[error("PORTAL_ECS_MODE embedded: cannot start the ECS emulator: {0}")]
    Sim(String),
}

impl EcsConnection {
    pub async fn connect(config: &Config) -> Result<Self, EcsSetupError> {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .operation_attempt_timeout(Duration::from_secs(10))
            .operation_timeout(Duration::from_secs(30))
            .build();
        match config.ecs_mode {
            EcsMode::Aws => {
                // The standard chain: env, profile, SSO, instance role; region likewise;
                // AWS_ENDPOINT_URL_ECS is read by aws-config itself.
                let shared =
                    aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts).load().await;
                let region = shared.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into());
                Ok(Self {
                    ecs: Ecs { client: aws_sdk_ecs::Client::new(&shared), sim_endpoint: None, region },
                    sim: None,
                })
            }
            EcsMode::Embedded => {
                let mut opts = ecs_sim::SimOptions::default();
                if !matches!(config.sim_state_file.as_str(), "" | "memory") {
                    opts.state_file = Some(config.sim_state_file.clone().into());
                }
                opts.manual_clock = config.sim_manual_clock;
                opts.clock_offset_ms = config.sim_clock_offset_secs.saturating_mul(1000);
                if let Some(speed) = config.sim_speed {
                    opts.speed = speed;
                }
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .map_err(|e| EcsSetupError::Sim(e.to_string()))?;
                let sim =
                    ecs_sim::serve(listener, opts).await.map_err(|e| EcsSetupError::Sim(e.to_string()))?;
                let endpoint = sim.endpoint().to_string();
                tracing::info!(%endpoint, "embedded ECS emulator started");
                let client = client_for_endpoint(&endpoint, timeouts);
                Ok(Self {
                    ecs: Ecs { client, sim_endpoint: Some(endpoint), region: SIM_REGION.into() },
                    sim: Some(std::sync::Arc::new(sim)),
                })
            }
        }
    }
}

/// The emulator's region and account.
pub const SIM_REGION: &str = "us-east-1";
pub const SIM_ACCOUNT: &str = "123456789012";

/// A client for an emulator (or any ECS-compatible endpoint) with static dummy credentials.
pub fn client_for_endpoint(endpoint: &str, timeouts: TimeoutConfig) -> aws_sdk_ecs::Client {
    let conf = aws_sdk_ecs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(SIM_REGION))
        .credentials_provider(Credentials::new("AKIDPORTAL", "embedded-secret", None, None, "embedded"))
        .endpoint_url(endpoint)
        .timeout_config(timeouts)
        .build();
    aws_sdk_ecs::Client::from_conf(conf)
}
