//! The one cache in front of ECS reads (the gateway's memory), so page views cost a few ECS
//! calls whatever the number of rows. Immutable things (daemon revisions, task definition
//! sizes, finished deployments) are kept for the life of the process; live state only for
//! `PORTAL_ECS_CACHE_MS`. Each replica has its own, on `EcsGateway`: ECS stays the truth.
//!
//! One invalidation rule: whoever changes something in a cluster, or sees it change (the change
//! executor, the worker, the drift check, the portal's own task definition calls, and the
//! gateway itself when it sees a deployment it saw running end), calls `invalidate_cluster`. It drops that cluster's live state and moves an epoch, and a read
//! stores its answer only if no invalidation happened while it was in flight: an answer ECS
//! gave before a change can never be cached after it.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

/// A map whose entries expire `ttl` after insertion (`None`: never).
pub struct TtlCache<K, V> {
    entries: Mutex<HashMap<K, (Option<Instant>, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for TtlCache<K, V> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }
}

/// Entries beyond this are dropped wholesale rather than tracked; a cold read costs a few calls.
const MAX_ENTRIES: usize = 50_000;

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Option<Instant>, V)>> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.lock().get(key).filter(|(exp, _)| exp.is_none_or(|e| e > Instant::now())).map(|(_, v)| v.clone())
    }

    pub fn insert(&self, key: K, value: V, ttl: Option<Duration>) {
        self.insert_if(key, value, ttl, || true);
    }

    /// Inserts only if `still` holds, checked under the map's lock (see `EcsCaches::store`).
    fn insert_if(&self, key: K, value: V, ttl: Option<Duration>, still: impl FnOnce() -> bool) {
        let mut entries = self.lock();
        if !still() {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (ttl.map(|t| Instant::now() + t), value));
    }

    pub fn remove_where(&self, pred: impl Fn(&K) -> bool) {
        self.lock().retain(|k, _| !pred(k));
    }
}

/// How long live ECS state is reused by default (`PORTAL_ECS_CACHE_MS`).
pub const DEFAULT_LIVE_TTL: Duration = Duration::from_secs(2);
/// Clusters and capacity providers change rarely.
pub const SLOW_TTL: Duration = Duration::from_secs(30);

use crate::api::clusters::{CapacityProviderInfo, ClusterSummary, InstanceRow};
use aws_sdk_ecs::types::{DaemonDeployment, DaemonDetail, DaemonRevision};

/// The caches in front of ECS, one map per kind of read.
#[derive(Default)]
pub struct EcsCaches {
    /// How long live state (daemons, deployments in progress, instances) is reused; zero
    /// turns those caches off.
    pub live_ttl: Duration,
    /// Moved by every invalidation; see `store`.
    epoch: AtomicU64,
    /// All clusters (key `None`), or some clusters by name.
    pub clusters: TtlCache<Option<String>, Vec<ClusterSummary>>,
    /// Capacity providers by cluster name.
    pub providers: TtlCache<String, Vec<CapacityProviderInfo>>,
    /// Live: daemon ARNs by cluster name.
    pub daemon_arns: TtlCache<String, Vec<String>>,
    /// Live: DescribeDaemon by daemon ARN.
    pub daemons: TtlCache<String, DaemonDetail>,
    /// Live: the newest deployment ARNs of a daemon (ListDaemonDeployments), by daemon ARN.
    pub deployment_lists: TtlCache<String, Vec<String>>,
    /// Live: deployments not finished yet, by ARN.
    pub deployments: TtlCache<String, DaemonDeployment>,
    /// Deployments that ended, by ARN: they never change again.
    pub finished_deployments: TtlCache<String, DaemonDeployment>,
    /// Deployments this replica has seen running: seeing one of them end is a change.
    running: TtlCache<String, ()>,
    /// Live: instances with tasks by (cluster, daemon filter).
    pub instances: TtlCache<(String, Option<String>), Vec<InstanceRow>>,
    /// Daemon revisions by ARN: immutable.
    pub revisions: TtlCache<String, DaemonRevision>,
    /// (CPU units, MiB) one copy of a daemon task definition reserves: immutable.
    pub reservations: TtlCache<String, (u32, u32)>,
}

/// `arn:…:cluster/NAME` or `NAME` → `NAME`: caches are keyed by cluster name.
pub fn cluster_name(cluster: &str) -> &str {
    cluster.rsplit_once(":cluster/").map(|(_, n)| n).unwrap_or(cluster)
}

/// The cluster a daemon (`…:daemon/C/N`) or deployment (`…:daemon-deployment/C/D/ID`) ARN is in.
fn cluster_of(arn: &str) -> Option<&str> {
    let rest = arn.split_once(":daemon/").or_else(|| arn.split_once(":daemon-deployment/"))?.1;
    rest.split('/').next()
}

impl EcsCaches {
    pub fn new(live_ttl: Duration) -> Self {
        Self { live_ttl, ..Default::default() }
    }

    /// Taken before an ECS read whose answer is live state; hand it back to `store`.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Keeps a live answer for `live_ttl`, unless the caches are off or something was
    /// invalidated since `seen` (the read may have started before a change and ended after
    /// it). The epoch is checked under the map's lock and an invalidation moves the epoch
    /// before it takes that lock, so an entry stored here is either refused or removed.
    pub fn store<K: Eq + Hash + Clone, V: Clone>(&self, map: &TtlCache<K, V>, seen: u64, key: K, value: V) {
        if self.live_ttl.is_zero() {
            return;
        }
        map.insert_if(key, value, Some(self.live_ttl), || self.epoch() == seen);
    }

    /// THE invalidation entry point: forgets everything live that belongs to `cluster` (a name
    /// or an ARN): its daemons, their deployment lists and unfinished deployments, its daemon
    /// list and its instances. `""` (a change that belongs to no cluster, such as a task
    /// definition) forgets the live state of every cluster.
    pub fn invalidate_cluster(&self, cluster: &str) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let name = cluster_name(cluster);
        if name.is_empty() || name == "*" {
            self.invalidate_all_live();
            return;
        }
        let in_cluster = |arn: &String| cluster_of(arn) == Some(name);
        self.daemon_arns.remove_where(|c| c == name);
        self.daemons.remove_where(in_cluster);
        self.deployment_lists.remove_where(in_cluster);
        self.deployments.remove_where(in_cluster);
        self.instances.remove_where(|(c, _)| c == name);
    }

    /// A read found this deployment not finished yet.
    pub fn saw_running(&self, deployment_arn: &str) {
        self.running.insert(deployment_arn.to_string(), (), None);
    }

    /// A read found this deployment finished. If it was seen running before, the fleet has
    /// changed since (tasks replaced, counts moved): the cluster's live state goes.
    pub fn saw_finished(&self, deployment_arn: &str) {
        let key = deployment_arn.to_string();
        if self.running.get(&key).is_some() {
            self.running.remove_where(|k| *k == key);
            self.invalidate_cluster(cluster_of(deployment_arn).unwrap_or(""));
        }
    }

    fn invalidate_all_live(&self) {
        self.daemon_arns.remove_where(|_| true);
        self.daemons.remove_where(|_| true);
        self.deployment_lists.remove_where(|_| true);
        self.deployments.remove_where(|_| true);
        self.instances.remove_where(|_| true);
    }

    /// Forgets everything, immutable entries too (benchmarks measure cold pages with it).
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.invalidate_all_live();
        self.clusters.remove_where(|_| true);
        self.providers.remove_where(|_| true);
        self.finished_deployments.remove_where(|_| true);
        self.running.remove_where(|_| true);
        self.revisions.remove_where(|_| true);
        self.reservations.remove_where(|_| true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_can_be_dropped() {
        let c: TtlCache<String, u32> = TtlCache::default();
        c.insert("a".into(), 1, None);
        c.insert("b".into(), 2, Some(Duration::from_millis(0)));
        assert_eq!(c.get(&"a".into()), Some(1));
        assert_eq!(c.get(&"b".into()), None);
        c.remove_where(|k| k == "a");
        assert_eq!(c.get(&"a".into()), None);
    }

    const DAEMON: &str = "arn:aws:ecs:us-east-1:1:daemon/default/agent";
    const OTHER: &str = "arn:aws:ecs:us-east-1:1:daemon/prod/agent";
    const DEPLOYMENT: &str = "arn:aws:ecs:us-east-1:1:daemon-deployment/default/agent/abc";

    #[test]
    fn invalidating_a_cluster_drops_its_live_state_only() {
        let c = EcsCaches::new(Duration::from_secs(60));
        let e = c.epoch();
        c.store(&c.daemon_arns, e, "default".into(), vec![DAEMON.to_string()]);
        c.store(&c.deployment_lists, e, DAEMON.into(), vec![DEPLOYMENT.to_string()]);
        c.store(&c.deployment_lists, e, OTHER.into(), vec![]);
        c.store(&c.instances, e, ("default".into(), None), vec![]);
        c.reservations.insert("td".into(), (1, 2), None);
        c.invalidate_cluster("arn:aws:ecs:us-east-1:1:cluster/default");
        assert_eq!(c.daemon_arns.get(&"default".into()), None);
        assert_eq!(c.deployment_lists.get(&DAEMON.into()), None);
        assert_eq!(c.instances.get(&("default".into(), None)), None);
        assert_eq!(c.deployment_lists.get(&OTHER.into()), Some(vec![]), "another cluster is kept");
        assert_eq!(c.reservations.get(&"td".into()), Some((1, 2)), "immutable entries are kept");
        c.store(&c.deployment_lists, c.epoch(), DAEMON.into(), vec![]);
        c.invalidate_cluster("");
        assert_eq!(c.deployment_lists.get(&DAEMON.into()), None);
        assert_eq!(c.deployment_lists.get(&OTHER.into()), None, "'' drops every cluster");
    }

    #[test]
    fn a_read_that_overlapped_an_invalidation_is_not_stored() {
        let c = EcsCaches::new(Duration::from_secs(60));
        let seen = c.epoch();
        // The answer was on its way while the executor changed the daemon.
        c.invalidate_cluster("default");
        c.store(&c.daemon_arns, seen, "default".into(), vec!["old".to_string()]);
        assert_eq!(c.daemon_arns.get(&"default".into()), None);
        c.store(&c.daemon_arns, c.epoch(), "default".into(), vec!["new".to_string()]);
        assert_eq!(c.daemon_arns.get(&"default".into()), Some(vec!["new".to_string()]));
    }

    #[test]
    fn a_deployment_seen_running_then_finished_invalidates_its_cluster() {
        let c = EcsCaches::new(Duration::from_secs(60));
        c.store(&c.instances, c.epoch(), ("default".into(), None), vec![]);
        // Finished without having been seen running (a cold start): nothing changed here.
        c.saw_finished(DEPLOYMENT);
        assert_eq!(c.instances.get(&("default".into(), None)), Some(vec![]));
        c.saw_running(DEPLOYMENT);
        c.saw_finished(DEPLOYMENT);
        assert_eq!(c.instances.get(&("default".into(), None)), None, "tasks were replaced");
        c.store(&c.instances, c.epoch(), ("default".into(), None), vec![]);
        c.saw_finished(DEPLOYMENT);
        assert_eq!(c.instances.get(&("default".into(), None)), Some(vec![]), "an end is seen once");
    }

    #[test]
    fn a_zero_ttl_turns_live_caching_off() {
        let c = EcsCaches::new(Duration::ZERO);
        c.store(&c.daemon_arns, c.epoch(), "default".into(), vec![]);
        assert_eq!(c.daemon_arns.get(&"default".into()), None);
    }

    #[test]
    fn cluster_names_come_from_arns() {
        assert_eq!(cluster_name("arn:aws:ecs:r:1:cluster/prod"), "prod");
        assert_eq!(cluster_name("prod"), "prod");
        assert_eq!(cluster_of(DEPLOYMENT), Some("default"));
        assert_eq!(cluster_of(OTHER), Some("prod"));
        assert_eq!(cluster_of("arn:aws:ecs:r:1:daemon-revision/default/a/b"), None);
    }
}
