//! The ECS client: every ECS call the portal makes goes through this `aws-sdk-ecs` client,
//! whether it points at AWS or at the embedded emulator.

use std::time::Duration;

use aws_config::{timeout::TimeoutConfig, BehaviorVersion, Region};
use aws_sdk_ecs::config::{Credentials, SharedCredentialsProvider};

use crate::config::{Config, EcsMode};

pub use app::services::environments::EcsBase;
pub use app::services::gateway::Ecs;

/// What every environment's ECS client starts from, plus, in embedded mode, the emulator it
/// talks to (kept alive with it).
#[derive(Clone)]
pub struct EcsConnection {
    pub base: EcsBase,
    pub sim: Option<std::sync::Arc<ecs_sim::SimHandle>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EcsSetupError {
    #[error("PORTAL_ECS_MODE embedded: cannot start the ECS emulator: {0}")]
    Sim(String),
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(30))
        .build()
}

impl EcsConnection {
    pub async fn connect(config: &Config) -> Result<Self, EcsSetupError> {
        match config.ecs_mode {
            EcsMode::Aws => {
                // The standard chain: env, profile, SSO, instance role; region likewise;
                // AWS_ENDPOINT_URL_ECS is read by aws-config itself.
                let mut shared =
                    aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts()).load().await;
                if shared.region().is_none() {
                    shared = shared.into_builder().region(Region::new("us-east-1")).build();
                }
                Ok(Self { base: base(shared, None, config), sim: None })
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
                Ok(Self { base: sim_base(&endpoint, config), sim: Some(std::sync::Arc::new(sim)) })
            }
        }
    }
}

/// The base for an emulator: its endpoint for ECS and STS, and a test key that acts in its
/// default account (other accounts are reached by assuming their roles).
pub fn sim_base(endpoint: &str, config: &Config) -> EcsBase {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(SIM_REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDPORTAL",
            "embedded-secret",
            None,
            None,
            "embedded",
        )))
        .endpoint_url(endpoint)
        .timeout_config(timeouts())
        .time_source(aws_smithy_async::time::SystemTimeSource::new())
        .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
        .build();
    base(sdk, Some(endpoint.to_string()), config)
}

fn base(sdk: aws_config::SdkConfig, sim_endpoint: Option<String>, config: &Config) -> EcsBase {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    // The SDK's own default client (rustls with aws-lc), made here so each environment's rate
    // limit can wrap it.
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .build_https();
    EcsBase {
        sdk,
        sim_endpoint,
        http,
        calls_per_second: config.ecs_calls_per_second,
        burst: config.ecs_burst,
    }
}

/// The emulator's region and account.
pub const SIM_REGION: &str = "us-east-1";
pub const SIM_ACCOUNT: &str = "123456789012";
