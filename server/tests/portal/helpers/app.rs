//! The portal spawned on port 0 against a fresh database and its embedded ECS emulator:
//! `TestApp::on(Engine::Postgres).manual_clock().await`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use server::{
    config::{Config, Toggle},
    startup::Application,
    state::AppState,
};

use super::{
    engine::Engine,
    users::{client_for, login, DEMO_PASSWORD},
};

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    /// The configuration it was built with (for replicas on the same database).
    pub config: Config,
    /// Signed in as `admin` (its requests carry the session cookie), unless built
    /// [`Spawn::signed_out`].
    pub http: reqwest::Client,
    /// `portal_session=…` of that session.
    pub cookie: String,
    /// `http://127.0.0.1:<port>` of the metrics listener, when built [`Spawn::metrics`].
    pub metrics: Option<String>,
}

type Setting = Box<dyn FnOnce(&mut Config) + Send>;

/// How to start a [`TestApp`]; awaiting it starts one.
#[must_use = "await it to start the portal"]
pub struct Spawn {
    engine: Engine,
    settings: Vec<Setting>,
    sign_in: bool,
}

impl TestApp {
    /// The portal on a fresh database of `engine`, with [`Config::for_tests`] and whatever the
    /// builder methods change, signed in as `admin`.
    pub fn on(engine: Engine) -> Spawn {
        Spawn { engine, settings: Vec::new(), sign_in: true }
    }

    /// A second portal on the same database and the same emulator (each replica keeps its own
    /// ECS cache and workers), signed in as `admin`.
    pub async fn replica(&self) -> TestApp {
        self.replica_with(|_| {}).await
    }

    /// A second replica with some settings of its own.
    pub async fn replica_with(&self, change: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.config.clone();
        change(&mut config);
        let app = Application::build_with(
            config.clone(),
            Some(self.state.services.environments.clients.base.clone()),
        )
        .await
        .expect("replica builds");
        start(app, config, true).await
    }
}

impl Spawn {
    /// Any other setting.
    pub fn settings(mut self, change: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.settings.push(Box::new(change));
        self
    }

    /// The emulator's clock moves only when the test advances it.
    pub fn manual_clock(self) -> Self {
        self.settings(|c| c.sim_manual_clock = true)
    }

    /// No background drift checks (they would record out-of-band changes mid-test).
    pub fn without_drift(self) -> Self {
        self.settings(|c| c.drift_interval_ms = 0)
    }

    /// The change worker polls this often (the default waits seconds between passes).
    pub fn worker_every_ms(self, ms: u64) -> Self {
        self.settings(move |c| c.worker_interval_ms = ms)
    }

    /// Live ECS state is cached this long (tests default to no cache: they read at once).
    pub fn ecs_cache_ms(self, ms: u64) -> Self {
        self.settings(move |c| c.ecs_cache_ms = ms)
    }

    /// The emulator's control API served at `/_sim/` (to admins).
    pub fn sim_control(self) -> Self {
        self.settings(|c| c.sim_control = Toggle::On)
    }

    /// The emulator's clock this far from the portal's.
    pub fn sim_clock_offset(self, seconds: i64) -> Self {
        self.settings(move |c| c.sim_clock_offset_secs = seconds)
    }

    /// Proxies (a comma-separated list of addresses and CIDRs) whose forwarded headers count.
    pub fn trusted_proxies(self, proxies: &str) -> Self {
        let proxies = proxies.to_string();
        self.settings(move |c| c.trusted_proxies = proxies)
    }

    /// The roles task definitions may name besides the allowlist.
    pub fn roles(self, roles: &[&str]) -> Self {
        let roles = roles.iter().map(|r| r.to_string()).collect();
        self.settings(move |c| c.roles = roles)
    }

    /// Prometheus metrics served on a listener of their own (`PORTAL_METRICS_ADDR`, port 0).
    pub fn metrics(self) -> Self {
        self.settings(|c| c.metrics_addr = Some("127.0.0.1:0".parse().expect("static address")))
    }

    /// No `admin` session (for portals without the demo accounts): `http` is anonymous.
    pub fn signed_out(mut self) -> Self {
        self.sign_in = false;
        self
    }

    /// Builds and starts the portal, or says why it would not build.
    pub async fn try_start(self) -> Result<TestApp, String> {
        let mut config = Config::for_tests(&self.engine.fresh_url().await);
        for change in self.settings {
            change(&mut config);
        }
        let app = Application::build(config.clone()).await?;
        Ok(start(app, config, self.sign_in).await)
    }
}

impl IntoFuture for Spawn {
    type Output = TestApp;
    type IntoFuture = Pin<Box<dyn Future<Output = TestApp> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.try_start().await.expect("application builds") })
    }
}

async fn start(app: Application, config: Config, sign_in: bool) -> TestApp {
    let address = format!("http://{}", app.address());
    let metrics = app.metrics_address().map(|a| format!("http://{a}"));
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let (http, cookie) = if sign_in {
        let cookie = login(&address, "admin", DEMO_PASSWORD).await.expect("admin signs in");
        (client_for(&address, &cookie), cookie)
    } else {
        (reqwest::Client::new(), String::new())
    };
    TestApp { address, state, config, http, cookie, metrics }
}
