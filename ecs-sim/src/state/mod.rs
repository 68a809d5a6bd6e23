//! The simulated world: plain data plus pure state-machine functions driven by
//! a simulated clock. Nothing here knows about HTTP, so it is unit-testable;
//! `crate::ops` turns requests into calls on `State`.
//!
//! Time is integer milliseconds of simulated epoch time (`Ms`); things that
//! happen later are `Event`s in a timer queue, processed in order by
//! [`State::advance_to`]. Stale events (for a task or instance that has since
//! gone) are ignored when they fire, so nothing needs cancelling.

pub mod capacity;
pub mod counts;
pub mod daemons;
pub mod deployments;
pub mod iam;
pub mod instances;
pub mod worlds;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

pub use counts::{ProviderCounts, RevisionCounts};

pub type Ms = i64;

/// FNV-1a: the maps below are keyed by our own random ids and ARNs and sit on
/// the hot path of every simulated second, where SipHash showed up first in
/// profiles. (A local emulator has no hash-flooding adversary.)
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Order of an instance's slots. Daemon ARNs share a long prefix and differ at
/// the end, so compare lengths, then bytes from the end.
fn slot_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.bytes().rev().cmp(b.bytes().rev()))
}

/// Durations of the simulated lifecycle (sim milliseconds). A batch of a
/// rolling update takes about 46 s: provision 30, daemon start 5, app stop 5,
/// daemon stop 3, deregister 2, plus one controller step.
pub mod timing {
    use super::Ms;
    pub const PROVISION: Ms = 30_000;
    pub const DAEMON_START: Ms = 5_000;
    pub const APP_START: Ms = 5_000;
    pub const APP_STOP: Ms = 5_000;
    pub const DAEMON_STOP: Ms = 3_000;
    pub const DEREGISTER: Ms = 2_000;
    pub const STEP: Ms = 1_000;
    pub const RETRY: Ms = 10_000;
    pub const CRITICAL_RETRY: Ms = 30_000;
    /// An instance whose critical daemons still can't start this long after
    /// launch is terminated (registration failed).
    pub const REGISTRATION_DEADLINE: Ms = 600_000;
    /// ECS keeps stopped tasks describable for about an hour.
    pub const STOPPED_TASK_TTL: Ms = 3_600_000;
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Cluster {
    pub name: String,
    pub seq: u64,
    pub tags: Vec<(String, String)>,
    /// Capacity provider names, in creation order.
    pub providers: Vec<String>,
    /// Live container instances (REGISTERING, ACTIVE, DRAINING) by id.
    pub instances: BTreeSet<String>,
    /// Tasks by creation sequence, for stable ListTasks pagination.
    pub tasks: BTreeMap<u64, String>,
    /// Daemons (ARN) by creation sequence.
    pub daemons: BTreeMap<u64, String>,
}

/// An application service of the world: one task of it runs on every instance
/// of its provider, so it "moves" whenever an instance is replaced.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AppService {
    pub name: String,
    pub image: String,
    pub cpu: u32,
    pub memory: u32,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Provider {
    pub name: String,
    pub cluster: String,
    pub seq: u64,
    pub desired: u32,
    pub vcpu: u32,
    pub memory: u32,
    pub services: Vec<AppService>,
    pub instances: BTreeSet<String>,
    /// Daemon ARNs attached to this provider.
    pub daemons: BTreeSet<String>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstanceStatus {
    Registering,
    Active,
    Draining,
}

impl InstanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registering => "REGISTERING",
            Self::Active => "ACTIVE",
            Self::Draining => "DRAINING",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrainPhase {
    AwaitReplacement,
    StoppingApps,
    StoppingDaemons,
    Deregistering,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotState {
    Pending,
    Running,
    Failed,
    Stopping,
    Stopped,
}

/// One daemon's place on one instance: at most one live task per (instance,
/// daemon), and the revision it runs or last tried to run.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Slot {
    pub daemon: String,
    pub revision: String,
    pub state: SlotState,
    pub task: Option<String>,
    pub reason: Option<String>,
    pub changed_at: Ms,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Instance {
    pub id: String,
    pub seq: u64,
    pub cluster: String,
    pub provider: String,
    pub ec2_id: String,
    pub status: InstanceStatus,
    pub status_reason: Option<String>,
    pub registered_at: Ms,
    pub cpu: u32,
    pub memory: u32,
    /// Sorted by `slot_order` of the daemon ARN.
    pub slots: Vec<Slot>,
    pub app_tasks: Vec<String>,
    /// Every task placed here, live or recently stopped (for ListTasks).
    pub tasks: Vec<String>,
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    pub drain: Option<DrainPhase>,
    pub version: i64,
}

impl Instance {
    pub fn slot(&self, daemon: &str) -> Option<&Slot> {
        self.slots.binary_search_by(|s| slot_order(&s.daemon, daemon)).ok().map(|i| &self.slots[i])
    }
    pub fn slot_mut(&mut self, daemon: &str) -> Option<&mut Slot> {
        match self.slots.binary_search_by(|s| slot_order(&s.daemon, daemon)) {
            Ok(i) => Some(&mut self.slots[i]),
            Err(_) => None,
        }
    }
    pub fn set_slot(&mut self, slot: Slot) {
        match self.slots.binary_search_by(|s| slot_order(&s.daemon, &slot.daemon)) {
            Ok(i) => self.slots[i] = slot,
            Err(i) => self.slots.insert(i, slot),
        }
    }
    pub fn remove_slot(&mut self, daemon: &str) {
        if let Ok(i) = self.slots.binary_search_by(|s| slot_order(&s.daemon, daemon)) {
            self.slots.remove(i);
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum TaskKind {
    App { service: String },
    Daemon { daemon: String, revision: String },
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct TaskContainer {
    pub name: String,
    pub image: String,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Task {
    pub id: String,
    pub seq: u64,
    pub cluster: String,
    pub instance: String,
    pub provider: String,
    pub kind: TaskKind,
    pub task_definition_arn: String,
    pub group: String,
    pub started_by: String,
    pub cpu: u32,
    pub memory: u32,
    pub containers: Vec<TaskContainer>,
    pub last_status: String,
    pub desired_status: String,
    pub created_at: Ms,
    pub started_at: Option<Ms>,
    pub stopping_at: Option<Ms>,
    pub stopped_at: Option<Ms>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub exec: bool,
    pub version: i64,
}

impl Task {
    pub fn is_live(&self) -> bool {
        self.last_status != "STOPPED"
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct TaskDefinition {
    pub family: String,
    pub revision: u32,
    pub status: String,
    pub registered_at: Ms,
    pub delete_requested_at: Option<Ms>,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub container_definitions: Vec<serde_json::Value>,
    pub volumes: Option<Vec<serde_json::Value>>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub pid_mode: Option<String>,
    pub ipc_mode: Option<String>,
    pub tags: Vec<(String, String)>,
    /// Resources reserved per instance by a daemon of this definition.
    pub cpu_units: u32,
    pub memory_mib: u32,
    /// (container name, image)
    pub images: Vec<(String, String)>,
}

impl TaskDefinition {
    pub fn arn(&self, scope: &crate::arn::Scope) -> String {
        scope.daemon_task_definition(&self.family, self.revision)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DeployConfig {
    pub drain_percent: f64,
    pub bake_minutes: u32,
    /// (alarm names, enable) when the caller gave an alarm configuration.
    pub alarms: Option<(Vec<String>, bool)>,
}

impl Default for DeployConfig {
    fn default() -> Self {
        Self { drain_percent: 25.0, bake_minutes: 0, alarms: None }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DaemonStatus {
    Active,
    DeleteInProgress,
}

impl DaemonStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::DeleteInProgress => "DELETE_IN_PROGRESS",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Daemon {
    pub arn: String,
    pub name: String,
    pub cluster: String,
    pub seq: u64,
    pub status: DaemonStatus,
    pub created_at: Ms,
    pub updated_at: Ms,
    /// Revision id that new instances start (the rollback target while rolling back).
    pub target_revision: String,
    pub providers: Vec<String>,
    pub deployment: String,
    pub active_deployment: Option<String>,
    pub tags: Vec<(String, String)>,
    pub config: DeployConfig,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Revision {
    pub id: String,
    pub arn: String,
    pub daemon_arn: String,
    pub cluster: String,
    pub task_definition_arn: String,
    pub created_at: Ms,
    pub images: Vec<(String, String)>,
    pub propagate_tags: String,
    pub managed_tags: bool,
    pub exec: bool,
    pub critical: bool,
    pub cpu: u32,
    pub memory: u32,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentStatus {
    Pending,
    InProgress,
    Successful,
    Stopped,
    StopRequested,
    RollbackInProgress,
    RollbackSuccessful,
    RollbackFailed,
}

impl DeploymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::InProgress => "IN_PROGRESS",
            Self::Successful => "SUCCESSFUL",
            Self::Stopped => "STOPPED",
            Self::StopRequested => "STOP_REQUESTED",
            Self::RollbackInProgress => "ROLLBACK_IN_PROGRESS",
            Self::RollbackSuccessful => "ROLLBACK_SUCCESSFUL",
            Self::RollbackFailed => "ROLLBACK_FAILED",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "PENDING" => Self::Pending,
            "IN_PROGRESS" => Self::InProgress,
            "SUCCESSFUL" => Self::Successful,
            "STOPPED" => Self::Stopped,
            "STOP_REQUESTED" => Self::StopRequested,
            "ROLLBACK_IN_PROGRESS" => Self::RollbackInProgress,
            "ROLLBACK_SUCCESSFUL" => Self::RollbackSuccessful,
            "ROLLBACK_FAILED" => Self::RollbackFailed,
            _ => return None,
        })
    }
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Successful | Self::Stopped | Self::RollbackSuccessful | Self::RollbackFailed)
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentKind {
    Create,
    Update,
    Delete,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Rollback {
    pub reason: String,
    pub started_at: Ms,
    pub target: Option<String>,
    pub providers: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Deployment {
    pub id: String,
    pub arn: String,
    pub seq: u64,
    pub daemon_arn: String,
    pub cluster: String,
    pub kind: DeploymentKind,
    pub status: DeploymentStatus,
    pub status_reason: Option<String>,
    pub target: Option<String>,
    pub sources: Vec<String>,
    /// Providers touched: the daemon's new ones plus any it is leaving.
    pub providers: Vec<String>,
    pub config: DeployConfig,
    pub failure_count: u32,
    pub rollback_failures: u32,
    pub threshold: u32,
    pub breaker_status: String,
    pub alarm_status: String,
    pub ignored_alarms: Vec<String>,
    pub triggered_alarms: Vec<String>,
    pub pending_rollback_reason: Option<String>,
    pub rollback: Option<Rollback>,
    pub created_at: Ms,
    pub started_at: Option<Ms>,
    pub stopped_at: Option<Ms>,
    pub finished_at: Option<Ms>,
    pub bake_until: Option<Ms>,
    /// Old instances this deployment is replacing right now.
    pub in_flight: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Alarm {
    pub name: String,
    pub state: String,
    /// When the state last changed (not when it was last set to the same value).
    pub updated_at: Ms,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ClientTokenRecord {
    pub fingerprint: String,
    pub daemon_arn: String,
    pub deployment_arn: String,
    pub created_at: Ms,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Event {
    InstanceRegistered(String),
    DaemonTaskUp(String),
    AppTaskUp(String),
    TaskStopped(String),
    DrainStep(String),
    DeploymentStep(String),
    SlotRetry { instance: String, daemon: String },
    RegistrationDeadline(String),
}

/// One world: the ECS resources of one (account, region). Worlds never share
/// anything; `crate::state::worlds::Worlds` holds them all on one clock.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct State {
    /// Account and region, in every ARN this world writes. State files from
    /// before accounts have none: they were the default account and region.
    #[serde(default)]
    pub scope: crate::arn::Scope,
    pub now: Ms,
    pub seq: u64,
    pub clusters: BTreeMap<String, Cluster>,
    pub providers: BTreeMap<String, Provider>,
    pub instances: FastMap<String, Instance>,
    pub tasks: FastMap<String, Task>,
    pub task_definitions: BTreeMap<String, Vec<TaskDefinition>>,
    pub daemons: FastMap<String, Daemon>,
    pub revisions: FastMap<String, Revision>,
    pub deployments: FastMap<String, Deployment>,
    pub alarms: BTreeMap<String, Alarm>,
    pub image_failures: Vec<String>,
    pub client_tokens: HashMap<String, ClientTokenRecord>,
    #[serde(with = "timer_serde")]
    pub timers: BTreeMap<(Ms, u64), Event>,
    pub stopped_tasks: VecDeque<(Ms, String)>,
    /// Daemon task launches that failed for lack of CPU or memory (`capacity.rs`), so tests
    /// can tell them from image failures.
    #[serde(default)]
    pub resource_misfits: u64,
    /// Derived from `instances`; rebuilt after loading.
    #[serde(skip)]
    pub counts: counts::CountIndex,
}

mod timer_serde {
    use super::{Event, Ms};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(map: &BTreeMap<(Ms, u64), Event>, s: S) -> Result<S::Ok, S::Error> {
        let v: Vec<(Ms, u64, &Event)> = map.iter().map(|((t, q), e)| (*t, *q, e)).collect();
        v.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<(Ms, u64), Event>, D::Error> {
        let v: Vec<(Ms, u64, Event)> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|(t, q, e)| ((t, q), e)).collect())
    }
}

impl State {
    /// An empty world of the default account and region.
    pub fn new(now: Ms) -> Self {
        Self::in_scope(crate::arn::Scope::default(), now)
    }

    pub fn in_scope(scope: crate::arn::Scope, now: Ms) -> Self {
        Self { scope, now, ..Default::default() }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn schedule(&mut self, delay: Ms, ev: Event) {
        let at = self.now + delay.max(0);
        let seq = self.next_seq();
        self.timers.insert((at, seq), ev);
    }

    /// Processes every event due up to `t`, in order, then sets the clock to `t`.
    /// Returns how many events ran.
    pub fn advance_to(&mut self, t: Ms) -> usize {
        let mut n = 0;
        while let Some(entry) = self.timers.first_entry() {
            let (at, _) = *entry.key();
            if at > t {
                break;
            }
            let ev = entry.remove();
            self.now = self.now.max(at);
            self.handle(ev);
            n += 1;
        }
        self.now = self.now.max(t);
        self.prune_stopped_tasks();
        n
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::InstanceRegistered(id) => self.on_instance_registered(&id),
            Event::DaemonTaskUp(id) => self.on_daemon_task_up(&id),
            Event::AppTaskUp(id) => self.on_app_task_up(&id),
            Event::TaskStopped(id) => self.on_task_stopped(&id),
            Event::DrainStep(id) => self.on_drain_step(&id),
            Event::DeploymentStep(id) => self.step_deployment(&id),
            Event::SlotRetry { instance, daemon } => self.on_slot_retry(&instance, &daemon),
            Event::RegistrationDeadline(id) => self.on_registration_deadline(&id),
        }
    }

    fn prune_stopped_tasks(&mut self) {
        while let Some((at, _)) = self.stopped_tasks.front() {
            if self.now - *at < timing::STOPPED_TASK_TTL {
                break;
            }
            let (_, id) = self.stopped_tasks.pop_front().expect("front exists");
            if let Some(task) = self.tasks.remove(&id) {
                if let Some(c) = self.clusters.get_mut(&task.cluster) {
                    c.tasks.remove(&task.seq);
                }
                if let Some(inst) = self.instances.get_mut(&task.instance) {
                    inst.tasks.retain(|t| t != &id);
                }
            }
        }
    }

    pub fn image_fails(&self, image: &str) -> bool {
        self.image_failures.iter().any(|p| glob_match(p, image))
    }

    /// Sets an alarm's state; a monitored alarm entering ALARM rolls back the
    /// deployments watching it (unless it was already in ALARM when they started).
    /// Setting the state it already has changes nothing, not even `updated_at`: that is
    /// CloudWatch's `StateUpdatedTimestamp`, the time of the last transition.
    pub fn set_alarm(&mut self, name: &str, state: &str) {
        let changed = self.alarms.get(name).map(|a| a.state != state).unwrap_or(true);
        if !changed {
            return;
        }
        self.alarms.insert(
            name.to_string(),
            Alarm { name: name.to_string(), state: state.to_string(), updated_at: self.now },
        );
        let mut ids: Vec<String> =
            self.deployments.values().filter(|d| !d.status.is_terminal()).map(|d| d.id.clone()).collect();
        ids.sort();
        for id in ids {
            if state == "ALARM" {
                self.on_alarm(&id, name);
            } else if let Some(d) = self.deployments.get_mut(&id) {
                d.ignored_alarms.retain(|a| a != name);
            }
        }
    }
}

/// `*` matches any run of characters; a pattern without `*` must match exactly.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod glob_tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("a", "a"));
        assert!(!glob_match("a", "ab"));
        assert!(glob_match("*bad*", "repo/bad:1"));
        assert!(glob_match("repo/*:2", "repo/x:2"));
        assert!(!glob_match("repo/*:2", "repo/x:3"));
        assert!(glob_match("*", "anything"));
    }
}

#[cfg(test)]
mod tests;
