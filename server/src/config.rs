//! The one typed configuration, read from flags and environment variables.

use std::{fmt, net::SocketAddr, path::PathBuf};

use clap::{Parser, ValueEnum};

#[derive(Parser, Debug, Clone)]
#[command(
    name = "server",
    version,
    about = "Daemon Portal: a self-service portal for Amazon ECS Managed Daemons"
)]
pub struct Config {
    /// Address the portal listens on.
    #[arg(long, env = "PORTAL_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Database: `sqlite://PATH` (created if missing) or `postgres://USER:PASS@HOST:PORT/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/portal.db", value_parser = DatabaseUrl::parse)]
    pub database_url: DatabaseUrl,

    /// Log filter in `RUST_LOG` syntax (e.g. `info`, `server=debug,tower_http=info`).
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log_level: String,

    /// Log format: `human` for terminals, `json` for log shippers.
    #[arg(long, env = "PORTAL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,

    /// Where ECS calls go: `embedded` starts the ecs-sim emulator in-process; `aws` uses the
    /// standard aws-config chain and region (`AWS_ENDPOINT_URL_ECS` is honoured).
    #[arg(long, env = "PORTAL_ECS_MODE", value_enum, default_value_t = EcsMode::Embedded)]
    pub ecs_mode: EcsMode,

    /// Embedded mode only: file where the emulator keeps its state across restarts
    /// (empty to keep it in memory).
    #[arg(long, env = "PORTAL_SIM_STATE_FILE", default_value = "data/ecs-sim.json")]
    pub sim_state_file: String,

    /// Embedded mode only: speed of the emulator's simulated clock.
    #[arg(long, env = "PORTAL_SIM_SPEED")]
    pub sim_speed: Option<f64>,

    /// Embedded mode only: start the emulator's clock this many seconds ahead of the
    /// portal's (negative: behind), to see that nothing compares the two clocks.
    #[arg(long, env = "PORTAL_SIM_CLOCK_OFFSET_SECS", default_value_t = 0, allow_hyphen_values = true)]
    pub sim_clock_offset_secs: i64,

    /// The AWS accounts and regions to manage, as a TOML or JSON file (see
    /// `server/src/environments.rs` and the README). Made to match the file at every start;
    /// the admin page shows them read-only. Unset: on first start, one environment from the
    /// default chain (`aws` mode) or one per emulator world (`embedded` mode).
    #[arg(long, env = "PORTAL_ENVIRONMENTS")]
    pub environments_file: Option<PathBuf>,

    /// IAM role ARNs offered in the task and execution role selects (comma-separated).
    /// Defaults to the emulator's `ecsTaskExecutionRole` in embedded mode.
    #[arg(long, env = "PORTAL_ROLES", value_delimiter = ',')]
    pub roles: Vec<String>,

    /// How long live ECS reads (daemons, deployments, instances) are reused, in milliseconds;
    /// 0 turns that caching off.
    #[arg(long, env = "PORTAL_ECS_CACHE_MS", default_value_t = 2000)]
    pub ecs_cache_ms: u64,

    /// Webhook that receives a JSON message when a change request needs approval and when it
    /// ends (POST, `content-type: application/json`). Unset: no messages.
    #[arg(long, env = "PORTAL_WEBHOOK_URL", value_parser = parse_webhook_url)]
    pub webhook_url: Option<String>,

    /// Body of the webhook messages: `json` (the portal's own message) or `slack` (Slack Block
    /// Kit: a `text` fallback and a section with the summary, state and a link to the request).
    #[arg(long, env = "PORTAL_WEBHOOK_FORMAT", value_enum, default_value_t = WebhookFormat::Json)]
    pub webhook_format: WebhookFormat,

    /// Secret that signs every webhook delivery: `X-Daemon-Portal-Signature: sha256=<hex>`, the
    /// HMAC-SHA256 of `<X-Daemon-Portal-Timestamp>.<body>` (README: Webhooks). Unset: unsigned.
    #[arg(long, env = "PORTAL_WEBHOOK_SECRET", hide_env_values = true, value_parser = Secret::parse)]
    pub webhook_secret: Option<Secret>,

    /// Serve Prometheus metrics (`GET /metrics`, no session) on this separate address, e.g.
    /// `127.0.0.1:9090`. Unset: no metrics listener (`/metrics` is never on the main port).
    #[arg(long, env = "PORTAL_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// How often the background worker runs (starts approved requests, follows rollouts,
    /// expires requests, sends webhook messages), in milliseconds.
    #[arg(long, env = "PORTAL_WORKER_INTERVAL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(50..=60_000))]
    pub worker_interval_ms: u64,

    /// How often one replica looks for daemon changes made outside the portal, in
    /// milliseconds; 0 turns the check off.
    #[arg(long, env = "PORTAL_DRIFT_INTERVAL_MS", default_value_t = 30_000)]
    pub drift_interval_ms: u64,

    /// ECS calls per second each environment's client sends, sustained. ECS throttles each
    /// account per Region with a token bucket; the portal keeps below it (README: Environments).
    #[arg(long, env = "PORTAL_ECS_CALLS_PER_SECOND", default_value_t = 20.0)]
    pub ecs_calls_per_second: f64,

    /// ECS calls each environment's client may send at once before the sustained rate applies.
    #[arg(long, env = "PORTAL_ECS_BURST", default_value_t = 50)]
    pub ecs_burst: u32,

    /// How often each environment's inventory (the fleet view's data) is read from ECS, in
    /// milliseconds; one replica reads each environment per interval. 0 turns the background
    /// refresh off (the fleet page's Refresh buttons still work).
    #[arg(long, env = "PORTAL_INVENTORY_INTERVAL_MS", default_value_t = 60_000)]
    pub inventory_interval_ms: u64,

    /// Embedded mode only: the emulator's clock moves only through its control API
    /// (`POST /_sim/clock/advance`); for deterministic tests.
    #[arg(long, env = "PORTAL_SIM_MANUAL_CLOCK")]
    pub sim_manual_clock: bool,

    /// Embedded mode only: create the demo accounts (admin, alice, bob, carol; password
    /// `demo-password`) on first start with no users. `off` disables them.
    #[arg(long, env = "PORTAL_DEMO_USERS", value_enum, default_value_t = Toggle::On)]
    pub demo_users: Toggle,

    /// Password of the `admin` account created on first start when there are no demo accounts;
    /// generated and printed once to stderr if unset.
    #[arg(long, env = "PORTAL_ADMIN_PASSWORD", hide_env_values = true, value_parser = Secret::parse)]
    pub admin_password: Option<Secret>,

    /// Always mark the session cookie `Secure` (otherwise only requests that arrive with
    /// `X-Forwarded-Proto: https` get it).
    #[arg(long, env = "PORTAL_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Single sign-on behind a proxy: the addresses (IPs or CIDRs, comma-separated) of the
    /// proxies (oauth2-proxy, an ALB with OIDC) whose identity headers are believed. Empty
    /// turns the mode off; requests from any other peer have those headers ignored.
    #[arg(long, env = "PORTAL_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Header with the signed-in user's name, set by a trusted proxy.
    #[arg(long, env = "PORTAL_PROXY_USER_HEADER", default_value = "X-Forwarded-User")]
    pub proxy_user_header: String,

    /// Header with the user's e-mail, set by a trusted proxy.
    #[arg(long, env = "PORTAL_PROXY_EMAIL_HEADER", default_value = "X-Forwarded-Email")]
    pub proxy_email_header: String,

    /// Header with the user's groups (comma-separated), set by a trusted proxy.
    #[arg(long, env = "PORTAL_PROXY_GROUPS_HEADER", default_value = "X-Forwarded-Groups")]
    pub proxy_groups_header: String,

    /// Which proxy group gives which team role: `group=team:role`, comma-separated (e.g.
    /// `sre=platform:approver,devs=payments:deployer`).
    #[arg(long, env = "PORTAL_PROXY_GROUP_MAP", default_value = "")]
    pub proxy_group_map: String,

    /// The proxy group whose members are portal admins (empty: none).
    #[arg(long, env = "PORTAL_PROXY_ADMIN_GROUP", default_value = "")]
    pub proxy_admin_group: String,

    /// Embedded mode only: serve the emulator's control API (`/_sim/…`: reset the fleet, set
    /// alarms and faults, read its state) through the portal's port, to administrators only.
    /// Off by default: it can wipe the simulated fleet. The end-to-end tests turn it on.
    #[arg(long, env = "PORTAL_SIM_CONTROL", value_enum, default_value_t = Toggle::Off)]
    pub sim_control: Toggle,

    /// The address users reach the portal at (e.g. `https://portal.example.com`). When it is
    /// `https://`, every cookie is marked `Secure` even if the TLS proxy in front is not one of
    /// `PORTAL_TRUSTED_PROXIES` (only their `X-Forwarded-Proto` is believed).
    #[arg(long, env = "PORTAL_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// Directory with the built site (`pkg/` with the wasm, JS and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WebhookFormat {
    Json,
    Slack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Toggle {
    On,
    Off,
}

/// A setting that must not appear in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn parse(s: &str) -> Result<Self, String> {
        Ok(Self(s.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EcsMode {
    Embedded,
    Aws,
}

impl fmt::Display for EcsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EcsMode::Embedded => "embedded",
            EcsMode::Aws => "aws",
        })
    }
}

pub use app::services::db_url::{DatabaseUrl, DbKind};

impl Config {
    /// The role ARNs the forms offer.
    pub fn effective_roles(&self) -> Vec<String> {
        if !self.roles.is_empty() || self.ecs_mode == EcsMode::Aws {
            return self.roles.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
        }
        // The emulator's two accounts (the default one and `staging`), so a definition copied
        // between them keeps an allowed execution role.
        vec![
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole".to_string(),
            "arn:aws:iam::234567890123:role/ecsTaskExecutionRole".to_string(),
        ]
    }

    /// Whether first start creates the demo accounts (embedded mode, not switched off).
    pub fn demo_users_enabled(&self) -> bool {
        self.ecs_mode == EcsMode::Embedded && self.demo_users == Toggle::On
    }

    /// Checks that need more than one field or the environment; a failure names the setting.
    pub fn validate(&self) -> Result<(), String> {
        for role in &self.roles {
            app::domain::role_arn::RoleArn::parse(role)
                .map_err(|e| format!("PORTAL_ROLES: `{role}`: {e}"))?;
        }
        self.proxy_settings()?;
        if let Some(speed) = self.sim_speed {
            if !(speed.is_finite() && speed > 0.0) {
                return Err(format!("PORTAL_SIM_SPEED: must be a positive number, got {speed}"));
            }
        }
        Ok(())
    }

    /// Logs the effective configuration; secrets are redacted by the types' `Display`.
    pub fn log_effective(&self) {
        tracing::info!(
            listen = %self.listen,
            database = %self.database_url,
            ecs_mode = %self.ecs_mode,
            log_format = ?self.log_format,
            site_root = %self.site_root.display(),
            sim_state_file = %self.sim_state_file,
            trusted_proxies = %self.trusted_proxies,
            metrics_addr = ?self.metrics_addr,
            webhook = self.webhook_url.is_some(),
            webhook_format = ?self.webhook_format,
            webhook_signed = self.webhook_secret.is_some(),
            "effective configuration"
        );
    }

    /// Where and how change request notifications are sent.
    pub fn webhook(&self) -> app::services::changes::notify::WebhookSettings {
        use app::services::changes::notify::{WebhookFormat as Format, WebhookSettings};
        WebhookSettings {
            url: self.webhook_url.clone(),
            format: match self.webhook_format {
                WebhookFormat::Json => Format::Json,
                WebhookFormat::Slack => Format::Slack,
            },
            secret: self.webhook_secret.as_ref().map(|s| s.expose().to_string()),
            public_url: self.public_url.clone(),
        }
    }

    /// Whether the emulator's control API is served (embedded mode, switched on).
    pub fn sim_control_enabled(&self) -> bool {
        self.ecs_mode == EcsMode::Embedded && self.sim_control == Toggle::On
    }

    /// Whether the configured public address is HTTPS.
    pub fn public_https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// The trusted-proxy sign-on settings; errors name the setting.
    pub fn proxy_settings(&self) -> Result<crate::auth::proxy::ProxySettings, String> {
        crate::auth::proxy::ProxySettings::parse(
            &self.trusted_proxies,
            &self.proxy_user_header,
            &self.proxy_email_header,
            &self.proxy_groups_header,
            &self.proxy_group_map,
            &self.proxy_admin_group,
        )
    }

    /// The configuration from the environment only (no command-line flags), for tools.
    pub fn try_parse_from_env_and<I: IntoIterator<Item = &'static str>>(args: I) -> Self {
        Config::parse_from(args)
    }

    /// A configuration for tests: everything default except what they override.
    pub fn for_tests(database_url: &str) -> Self {
        let mut c = Config::parse_from(["server"]);
        c.listen = "127.0.0.1:0".parse().expect("static address");
        c.database_url = DatabaseUrl::parse(database_url).expect("test database URL");
        c.sim_state_file = "memory".to_string();
        c.environments_file = None;
        // Tests read inventories when they choose (background reads would use up injected faults).
        c.inventory_interval_ms = 0;
        // Tests drive many calls quickly; environments.rs tests the rate limit itself.
        c.ecs_calls_per_second = 10_000.0;
        c.ecs_burst = 10_000;
        // Tests move the emulator's clock and read at once: no stale reads.
        c.ecs_cache_ms = 0;
        c
    }
}

/// An `http://` or `https://` URL without spaces.
fn parse_public_url(s: &str) -> Result<String, String> {
    parse_webhook_url(s.trim()).map(|u| u.trim_end_matches('/').to_string())
}

/// An `http://` or `https://` URL.
fn parse_webhook_url(s: &str) -> Result<String, String> {
    let ok = (s.starts_with("http://") || s.starts_with("https://"))
        && s.len() > 8
        && !s.contains(char::is_whitespace);
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("{s:?} is not an http:// or https:// URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("server").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_are_embedded_sqlite_on_port_3000() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url.kind(), DbKind::Sqlite);
        assert_eq!(c.database_url.sqlite_path(), Some(PathBuf::from("data/portal.db")));
        assert_eq!(c.ecs_mode, EcsMode::Embedded);
        assert_eq!(c.log_format, LogFormat::Human);
    }

    #[test]
    fn postgres_url_switches_backend_and_hides_password() {
        let c = parse(&["--database-url", "postgres://portal:s3cret@127.0.0.1:5432/portal"]).unwrap();
        assert_eq!(c.database_url.kind(), DbKind::Postgres);
        let shown = c.database_url.to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("portal:***@127.0.0.1"), "{shown}");
        assert!(!format!("{:?}", c).contains("s3cret"));
    }

    #[test]
    fn bad_values_are_refused_naming_the_setting() {
        for (args, needle) in [
            (&["--database-url", "mysql://x/y"][..], "database-url"),
            (&["--database-url", "not a url"][..], "database-url"),
            (&["--ecs-mode", "cloud"][..], "ecs-mode"),
            (&["--listen", "localhost"][..], "listen"),
            (&["--log-format", "xml"][..], "log-format"),
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
            assert!(err.to_string().contains(needle), "{args:?}: {err}");
        }
    }

    #[test]
    fn aws_mode_and_json_logs_parse() {
        let c = parse(&["--ecs-mode", "aws", "--log-format", "json", "--listen", "0.0.0.0:8080"]).unwrap();
        assert_eq!(c.ecs_mode, EcsMode::Aws);
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.listen.port(), 8080);
    }

    #[test]
    fn non_positive_sim_speed_is_refused() {
        let c = parse(&["--sim-speed", "0"]).unwrap();
        assert!(c.validate().unwrap_err().contains("PORTAL_SIM_SPEED"));
    }

    #[test]
    fn demo_users_only_in_embedded_mode_and_admin_password_is_hidden() {
        assert!(parse(&[]).unwrap().demo_users_enabled());
        assert!(!parse(&["--demo-users", "off"]).unwrap().demo_users_enabled());
        assert!(!parse(&["--ecs-mode", "aws"]).unwrap().demo_users_enabled());
        let c = parse(&["--admin-password", "hunter2"]).unwrap();
        assert_eq!(c.admin_password.as_ref().map(Secret::expose), Some("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn proxy_mode_is_off_by_default_and_bad_maps_are_refused() {
        assert!(!parse(&[]).unwrap().proxy_settings().unwrap().enabled());
        let c = parse(&["--trusted-proxies", "10.0.0.0/8", "--proxy-group-map", "sre=platform:approver"])
            .unwrap();
        let p = c.proxy_settings().unwrap();
        assert!(p.enabled());
        assert_eq!(p.user_header, "X-Forwarded-User");
        let c = parse(&["--proxy-group-map", "sre"]).unwrap();
        assert!(c.validate().unwrap_err().contains("PORTAL_PROXY_GROUP_MAP"));
    }

    #[test]
    fn sim_control_is_off_unless_switched_on_in_embedded_mode() {
        assert!(!parse(&[]).unwrap().sim_control_enabled());
        assert!(parse(&["--sim-control", "on"]).unwrap().sim_control_enabled());
        assert!(!parse(&["--sim-control", "on", "--ecs-mode", "aws"]).unwrap().sim_control_enabled());
        assert!(parse(&["--sim-control", "maybe"]).is_err());
    }

    #[test]
    fn public_url_must_be_http_and_https_marks_it_secure() {
        assert!(!parse(&[]).unwrap().public_https());
        assert!(parse(&["--public-url", "https://portal.example/"]).unwrap().public_https());
        assert!(!parse(&["--public-url", "http://portal.example"]).unwrap().public_https());
        assert!(parse(&["--public-url", "portal.example"]).is_err());
    }

    #[test]
    fn metrics_are_off_unless_given_an_address_and_the_webhook_secret_is_hidden() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.metrics_addr, None);
        assert_eq!(c.webhook_format, WebhookFormat::Json);
        let c = parse(&[
            "--metrics-addr",
            "127.0.0.1:9090",
            "--webhook-format",
            "slack",
            "--webhook-secret",
            "hunter2",
        ])
        .unwrap();
        assert_eq!(c.metrics_addr.unwrap().port(), 9090);
        assert_eq!(c.webhook().format, app::services::changes::notify::WebhookFormat::Slack);
        assert_eq!(c.webhook().secret.as_deref(), Some("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{:?}", c.webhook()).contains("hunter2"));
        assert!(parse(&["--metrics-addr", "localhost"]).unwrap_err().to_string().contains("metrics-addr"));
        assert!(parse(&["--webhook-format", "teams"]).unwrap_err().to_string().contains("webhook-format"));
    }

    #[test]
    fn sqlite_memory_has_no_path() {
        let u = DatabaseUrl::parse("sqlite::memory:").unwrap();
        assert_eq!(u.sqlite_path(), None);
    }
}
