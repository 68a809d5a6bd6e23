//! # ecs-sim
//!
//! A local emulator of the Amazon ECS Managed Daemons API that speaks the real
//! awsJson1_1 wire protocol, so `aws-sdk-ecs`, the AWS CLI and boto3 work
//! against it unchanged. See `ecs-sim/README.md` for the operations, the
//! simulated world and the `/_sim/` control API. The same endpoint answers STS
//! (`sts.rs`) and CloudWatch `DescribeAlarms` (`cloudwatch`), so one URL serves
//! every client the portal builds.
//!
//! ## How daemon tasks are marked
//!
//! A daemon task (from `ListTasks`/`DescribeTasks`) carries:
//! - `group`: `daemon:<daemonName>`;
//! - `startedBy`: the full daemon revision ARN
//!   (`arn:aws:ecs:us-east-1:123456789012:daemon-revision/<cluster>/<daemon>/<uuid>`);
//! - `taskDefinitionArn`: the daemon task definition ARN
//!   (`…:daemon-task-definition/<family>:<revision>`);
//! - `launchType` `MANAGED_INSTANCES` and `capacityProviderName`.
//!
//! Application tasks have `group` `service:<name>` and `startedBy` `ecs-svc/<name>`.
//!
//! ## Embedding
//!
//! ```no_run
//! # async fn demo() -> Result<(), ecs_sim::SimError> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sim = ecs_sim::serve(listener, ecs_sim::SimOptions::default()).await?;
//! println!("point aws-sdk-ecs at {}", sim.endpoint());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

pub mod arn;
pub mod clock;
pub mod cloudwatch;
mod control;
pub mod error;
pub mod model;
pub mod ops;
mod persist;
pub mod protocol;
pub mod state;
mod sts;
pub mod world;

pub use arn::Scope;
pub use clock::DEFAULT_SPEED;
pub use error::{ApiError, SimError};
pub use protocol::Faults;
pub use world::{WorldFile, WorldSpec, WorldsFile};

use clock::Clock;
use protocol::RequestRecord;
use state::worlds::Worlds;
use state::State;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct SimOptions {
    pub world: WorldSpec,
    /// Simulated seconds per wall-clock second (real-time mode).
    pub speed: f64,
    /// Time only moves through `POST /_sim/clock/advance` (or [`SimState::advance`]).
    pub manual_clock: bool,
    /// Load from / save to this file.
    pub state_file: Option<PathBuf>,
    /// Where a new world's simulated clock starts relative to wall time (ms; negative:
    /// behind). Real ECS's clock is not the portal's either: tests use this to prove that
    /// nothing compares the two.
    pub clock_offset_ms: i64,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            world: WorldSpec::Default,
            speed: DEFAULT_SPEED,
            manual_clock: false,
            state_file: None,
            clock_offset_ms: 0,
        }
    }
}

const REQUEST_LOG_CAP: usize = 100_000;

struct Inner {
    /// Every world, on one clock; one mutex, because advancing time touches them all.
    state: Mutex<Worlds>,
    clock: Clock,
    faults: Mutex<Faults>,
    log: Mutex<VecDeque<RequestRecord>>,
    dirty: AtomicBool,
    opts: SimOptions,
}

/// The shared emulator: the worlds behind one mutex, the clock, faults and the
/// request log. Cheap to clone.
#[derive(Clone)]
pub struct SimState(Arc<Inner>);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic inside an operation is answered as a ServerException; the state
    // it left behind is still the best we have, so keep serving it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SimState {
    /// Builds the world (or loads `state_file` if it exists).
    pub fn new(opts: SimOptions) -> Result<Self, SimError> {
        let loaded = match &opts.state_file {
            Some(p) => persist::load(p, &opts.world)?,
            None => None,
        };
        let state = match loaded {
            Some(s) => s,
            None => WorldsFile::load(&opts.world)?.build(clock::wall_ms() + opts.clock_offset_ms)?,
        };
        let clock = Clock::new(opts.manual_clock, opts.speed, state.now);
        Ok(Self(Arc::new(Inner {
            state: Mutex::new(state),
            clock,
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(VecDeque::new()),
            dirty: AtomicBool::new(true),
            opts,
        })))
    }

    pub fn options(&self) -> &SimOptions {
        &self.0.opts
    }

    /// Runs `f` on every world after bringing them up to the current simulated time.
    pub fn with_worlds<R>(&self, f: impl FnOnce(&mut Worlds) -> R) -> R {
        let mut w = lock(&self.0.state);
        if let Some(t) = self.0.clock.target() {
            if w.advance_to(t) > 0 {
                self.0.dirty.store(true, Ordering::Relaxed);
            }
        }
        f(&mut w)
    }

    /// Runs `f` on the world of `scope` (made empty if it did not exist yet).
    pub fn with_world<R>(&self, scope: &Scope, f: impl FnOnce(&mut State) -> R) -> R {
        self.with_worlds(|w| f(w.world(scope)))
    }

    /// Runs `f` on the default account's default region, the only world before
    /// accounts existed.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        self.with_worlds(|w| f(w.default_world()))
    }

    /// Marks the state as changed, for persistence.
    pub fn touch(&self) {
        self.0.dirty.store(true, Ordering::Relaxed);
    }

    /// The world a request signed with this `Authorization` header acts in: its
    /// credential scope's region, and the account of its access key. A header
    /// without a readable credential scope acts in the default account's default
    /// region, as every request did before accounts existed.
    pub fn scope_of(&self, authorization: &str) -> Scope {
        match protocol::credential_scope(authorization) {
            Some((key, region)) => {
                let account = lock(&self.0.state).iam.account_of(key).to_string();
                Scope::new(account, region)
            }
            None => Scope::default(),
        }
    }

    /// One ECS operation in the default account's default region.
    pub fn call(&self, op: &str, body: &[u8]) -> Result<String, ApiError> {
        self.call_in(&Scope::default(), op, body)
    }

    /// One ECS operation in the world of `scope`; panics become `ServerException`.
    pub fn call_in(&self, scope: &Scope, op: &str, body: &[u8]) -> Result<String, ApiError> {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.with_world(scope, |st| ops::dispatch(st, op, body))
        }));
        if ops::is_mutation(op) {
            self.touch();
        }
        match result {
            Ok(r) => r,
            Err(_) => Err(ApiError::server(format!("Internal error while handling {op}"))),
        }
    }

    /// Moves simulated time forward, running everything due meanwhile.
    pub fn advance(&self, seconds: f64) -> f64 {
        let ms = (seconds.max(0.0) * 1000.0).round() as i64;
        let now = self.with_worlds(|w| {
            let t = w.now + ms;
            w.advance_to(t);
            w.now
        });
        if !self.0.clock.manual() {
            self.0.clock.rebase(now);
        }
        self.touch();
        now as f64 / 1000.0
    }

    /// Replaces every world (and the accounts, roles and issued sessions) with
    /// freshly built ones.
    pub fn reset(&self, world: &WorldSpec) -> Result<(), SimError> {
        let now = lock(&self.0.state).now;
        let fresh = WorldsFile::load(world)?.build(now)?;
        *lock(&self.0.state) = fresh;
        self.0.clock.rebase(now);
        self.touch();
        Ok(())
    }

    /// Simulated time, epoch seconds.
    pub fn now(&self) -> f64 {
        self.with_worlds(|w| w.now) as f64 / 1000.0
    }

    pub fn faults(&self) -> Faults {
        lock(&self.0.faults).clone()
    }

    pub fn set_faults(&self, f: Faults) {
        *lock(&self.0.faults) = f;
    }

    /// Who signed a request, as CloudTrail's `userIdentity.arn` would name an assumed role
    /// (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`); `None` for a configured or unknown
    /// access key.
    pub fn caller_of(&self, authorization: &str) -> Option<String> {
        let (key, _) = protocol::credential_scope(authorization)?;
        lock(&self.0.state).iam.sessions.get(key).map(|s| s.arn())
    }

    pub(crate) fn log_request(
        &self,
        operation: String,
        scope: Option<&Scope>,
        caller: Option<String>,
        status: u16,
        error_type: Option<String>,
    ) {
        let time = lock(&self.0.state).now as f64 / 1000.0;
        let mut log = lock(&self.0.log);
        if log.len() >= REQUEST_LOG_CAP {
            log.pop_front();
        }
        log.push_back(RequestRecord {
            operation,
            account: scope.map(|s| s.account.clone()),
            region: scope.map(|s| s.region.clone()),
            caller,
            time,
            wall_time: clock::wall_ms() as f64 / 1000.0,
            status,
            error_type,
        });
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.0.log).iter().cloned().collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.0.log).clear();
    }

    fn save_if_dirty(&self) {
        let Some(path) = &self.0.opts.state_file else {
            return;
        };
        if !self.0.dirty.swap(false, Ordering::Relaxed) {
            return;
        }
        let json = {
            let st = lock(&self.0.state);
            serde_json::to_string(&*st)
        };
        match json {
            Ok(j) => {
                if let Err(e) = persist::save(path, &j) {
                    tracing::warn!("ecs-sim: could not save state to {}: {e}", path.display());
                }
            }
            Err(e) => tracing::warn!("ecs-sim: could not serialize state: {e}"),
        }
    }

    /// Background work: advance the clock in real-time mode and persist.
    async fn run_background(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut since_save = 0u32;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => break,
            }
            if !self.0.clock.manual() {
                self.with_state(|_| ());
            }
            since_save += 1;
            if since_save >= 10 {
                since_save = 0;
                self.save_if_dirty();
            }
        }
        self.save_if_dirty();
    }
}

/// The whole emulator as an axum router: the AWS endpoint at `POST /` (ECS, STS), CloudWatch's
/// RPC v2 CBOR paths, and the control API under `/_sim/`.
pub fn router(state: SimState) -> axum::Router {
    axum::Router::new()
        .route("/", axum::routing::post(protocol::handle))
        .route("/service/{service}/operation/{operation}", axum::routing::post(cloudwatch::wire::handle))
        .merge(control::routes())
        .with_state(state)
}

/// A running emulator. Keep it alive as long as the endpoint is needed:
/// dropping it (or `shutdown`) stops serving and saves the state file.
pub struct SimHandle {
    endpoint: String,
    state: SimState,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The shared state, for in-process control (tests, the embedding server).
    pub fn state(&self) -> &SimState {
        &self.state
    }

    /// Stops serving, saves the state file if any, and waits for the tasks.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for mut t in std::mem::take(&mut self.tasks) {
            // Graceful shutdown waits for keep-alive connections that clients
            // may hold forever; give them a moment, then cut them.
            if tokio::time::timeout(Duration::from_secs(2), &mut t).await.is_err() {
                t.abort();
            }
        }
    }
}

impl Drop for SimHandle {
    /// An embedding server may never call `shutdown`; still persist the last
    /// changes (the background saver runs only once a second).
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.state.save_if_dirty();
    }
}

/// Serves the emulator on `listener` in background tokio tasks.
pub async fn serve(listener: tokio::net::TcpListener, opts: SimOptions) -> Result<SimHandle, SimError> {
    let state = SimState::new(opts)?;
    let addr = listener.local_addr()?;
    let endpoint = format!("http://{addr}");
    let (stop, rx) = tokio::sync::watch::channel(false);
    let app = router(state.clone());
    let mut server_rx = rx.clone();
    let server = tokio::spawn(async move {
        let shutdown = async move {
            let _ = server_rx.changed().await;
        };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!("ecs-sim server error: {e}");
        }
    });
    let background = tokio::spawn(state.clone().run_background(rx));
    Ok(SimHandle { endpoint, state, stop, tasks: vec![server, background] })
}
